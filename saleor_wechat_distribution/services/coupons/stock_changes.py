"""A stock's body and what changes it: 创建商家券 (once, the body stored before it is sent), voucher edits
under 修改商家券基本信息's rules, and the budget through 修改批次预算."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from ...domain.coupons import (
    GOODS_NAME_MAX,
    CouponApiError,
    CouponStockExists,
    CouponTemporaryError,
    StockIssue,
    budget_for,
    cut_text,
    notify_url_problem,
    request_no,
    stock_request,
)
from ...models import CouponStock
from ...ports import CouponGateway, VoucherSnapshot
from .stocks import stock_save

logger = logging.getLogger(__name__)


def stock_body(row: CouponStock, voucher: VoucherSnapshot, gateway: CouponGateway, code_count: int) -> dict:
    return stock_request(
        voucher_id=voucher.voucher_id,
        name=voucher.name,
        discount_type=voucher.discount_type,
        value=voucher.value,
        currency=voucher.currency,
        minimum_spend=voucher.minimum_spend,
        start=voucher.start,
        end=voucher.end,
        usage_limit=voucher.usage_limit,
        code_count=max(code_count, 1),
        once_per_customer=voucher.once_per_customer,
        belong_merchant=getattr(gateway, "belong_merchant", gateway.mchid),
        notify_appid=gateway.app_id,
        out_request_no=row.out_request_no,
        goods_name=getattr(gateway, "goods_name", "全场商品可用"),
        use_method=getattr(gateway, "use_method", "OFF_LINE"),
        now=timezone.now(),
    )


_DISCOUNT_RULES = ("fixed_normal_coupon", "discount_coupon")


def _voucher_fields(voucher: VoucherSnapshot, gateway: CouponGateway) -> dict[str, str | None]:
    """The voucher's fields a stock shows, as ``CouponStock.pushed`` keeps them."""
    return {
        "name": voucher.name,
        "start": voucher.start.isoformat() if voucher.start else None,
        "end": voucher.end.isoformat() if voucher.end else None,
        "goods_name": cut_text(getattr(gateway, "goods_name", "全场商品可用"), GOODS_NAME_MAX),
    }


def _effective_start(value: str | None, created: datetime) -> datetime:
    """A stock starts at the voucher's start, or when it was made if that was later: two starts both
    before the stock was made are the same start in WeChat."""
    return max(datetime.fromisoformat(value), created) if value else created


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def reconcile_edits(row: CouponStock, voucher: VoucherSnapshot, gateway: CouponGateway) -> None:
    """An existing stock and the voucher as it is now, under 修改商家券基本信息's rules.

    - discount (stock type / amounts): WeChat Pay cannot change it -> ``VOUCHER_CHANGED`` failure;
    - validity: not a modifiable field (its coupon_use_rule takes only use_method and the mini program)
      -> ``DATES_CHANGED`` failure, since the card pack would show (and WeChat enforce) the old dates;
      re-syncing after the dates are back makes it healthy again; new dates need a new voucher;
    - name: stock_name is "暂不支持修改" -> a ``NAME_NOT_UPDATABLE`` notice (the coupons still work);
    - goods name (the merchant's setting): pushed with ``out_request_no`` derived from the stock, the
      text and the attempt, so a retry after a lost answer is the same request.
    Raises ``CouponApiError`` for the failures (recorded by the caller)."""
    now = stock_body(row, voucher, gateway, row.max_coupons)
    before, after = row.request.get("coupon_use_rule", {}), now["coupon_use_rule"]
    if now["stock_type"] != row.request.get("stock_type") or any(
        before.get(rule) != after.get(rule) for rule in _DISCOUNT_RULES
    ):
        raise CouponApiError(
            StockIssue.VOUCHER_CHANGED, "the voucher's discount changed after its WeChat stock was made"
        )
    wanted = _voucher_fields(voucher, gateway)
    pushed = row.pushed or wanted  # a stock made before edits were tracked: as the voucher is now
    if _moment(wanted["end"]) != _moment(pushed.get("end")) or _effective_start(
        wanted["start"], row.created_at
    ) != _effective_start(pushed.get("start"), row.created_at):
        raise CouponApiError(
            StockIssue.DATES_CHANGED,
            "WeChat Pay cannot change a coupon stock's validity; restore the voucher's dates "
            "or make a new voucher for the new dates",
        )
    if wanted["goods_name"] != pushed.get("goods_name"):
        gateway.stock_modify(
            stock_id=row.stock_id,
            out_request_no=request_no("WDM", row.stock_id, wanted["goods_name"], row.attempts),
            goods_name=str(wanted["goods_name"]),
        )
    notices = [n for n in row.notices if n.get("code") != StockIssue.NAME_NOT_UPDATABLE]
    if wanted["name"] != pushed.get("name"):
        notices.append(
            {
                "code": StockIssue.NAME_NOT_UPDATABLE.value,
                "message": f"WeChat Pay cannot rename a stock: the card pack keeps "
                f"{row.request.get('stock_name', '')!r}"[:255],
            }
        )
        wanted["name"] = pushed.get("name")  # what WeChat still holds
    stock_save(row, pushed=wanted, notices=notices)


def check_notify_url(gateway: CouponGateway) -> str:
    """The merchant's coupon notification URL (empty: none configured, nothing to set), checked before
    any call: one WeChat Pay would refuse (http, say) is a configuration error, logged and raised with
    what is wrong, rather than WeChat's bare PARAM_ERROR on a stock half set up. Without the
    notifications nobody is known to hold a coupon, so an order using its code could not 核销 it: the
    stock is not made until the address is right."""
    notify_url = str(getattr(gateway, "notify_url", "") or "")
    problem = notify_url_problem(notify_url) if notify_url else None
    if problem:
        logger.error(
            "coupon merchant %s: %s, and its notification URL is %r: set the deployment's public https "
            "address (in Saleor, PUBLIC_URL or WECHAT_DISTRIBUTION_PUBLIC_URL; in App mode the merchant's "
            "notify_url in WECHAT_DISTRIBUTION_COUPONS)",
            gateway.mchid, problem, notify_url,
        )  # fmt: skip
        raise CouponApiError(
            StockIssue.NOTIFY_URL_INVALID,
            f"{problem}; this merchant's is {notify_url[:120]}: configure the public https address",
        )
    return notify_url


def create_stock(row: CouponStock, voucher: VoucherSnapshot, gateway: CouponGateway, code_count: int) -> None:
    notify_url = check_notify_url(gateway)
    if notify_url:  # 设置商家券事件通知地址 (per merchant; setting it again is harmless)
        gateway.callbacks_set(notify_url=notify_url)
    if not row.request:
        body = stock_body(row, voucher, gateway, code_count)
        # stored before it is sent: a retry re-sends exactly this body (same out_request_no, same stock)
        stock_save(
            row,
            request=body,
            stock_type=body["stock_type"],
            max_coupons=body["stock_send_rule"]["max_coupons"],
            codes_total=body["stock_send_rule"]["max_coupons"],
            pushed=_voucher_fields(voucher, gateway),
        )
    try:
        stock_id = gateway.stock_create(body=row.request)
    except CouponStockExists as error:
        raise CouponApiError(
            StockIssue.STOCK_EXISTS,
            f"WeChat Pay already has the stock of out_request_no {row.out_request_no} but did not give "
            f"its stock_id ({error.code}); no second stock was made",
        ) from error
    stock_save(row, stock_id=stock_id)


def adjust_budget(
    row: CouponStock, voucher: VoucherSnapshot, gateway: CouponGateway, code_count: int
) -> None:
    """The budget follows the codes and the usage limit, up (codes added, limit raised) or down (limit
    lowered) through 修改批次预算. WeChat's own numbers decide: ``current_max_coupons`` must be the stock's
    (else it refuses), and the budget never goes below the coupons already handed out (then a
    ``BUDGET_BELOW_ISSUED`` notice says so). The request number includes the attempt: a retry reads the
    stock again, so a change WeChat already applied is not sent twice, and going back to an earlier
    budget is a new request."""
    wanted = budget_for(code_count=code_count, usage_limit=voucher.usage_limit)
    notices = [n for n in row.notices if n.get("code") != StockIssue.BUDGET_BELOW_ISSUED]
    if wanted != row.max_coupons:
        info = gateway.stock_query(stock_id=row.stock_id)
        try:
            current = int(info["stock_send_rule"]["max_coupons"])
            sent = int((info.get("send_count_information") or {}).get("total_send_num") or 0)
        except (KeyError, TypeError, ValueError):
            raise CouponTemporaryError("INVALID_RESPONSE", "stock query without max_coupons") from None
        target = max(wanted, sent, 1)
        if target != current:
            gateway.stock_budget(
                stock_id=row.stock_id,
                request_no=request_no("WDB", row.stock_id, current, target, row.attempts),
                max_coupons=target,
                current=current,
            )
        if wanted < sent:
            notices.append(
                {
                    "code": StockIssue.BUDGET_BELOW_ISSUED.value,
                    "message": f"usage limit {wanted} is below the {sent} coupons already handed out",
                }
            )
        stock_save(row, max_coupons=target)
    stock_save(row, codes_total=min(wanted, row.max_coupons), notices=notices)
