"""Vouchers synced with WeChat Pay merchant coupons (商家券), and coupons redeemed both ways.

Sync (``coupon_sync_voucher``) reconciles our stock rows with the host's voucher *now* (events only
trigger it), per configured merchant / app id:

1. one ``CouponStock`` row per (voucher, merchant, app id), unique: retries and concurrent workers share
   it; a lease (``lease_until``) lets one worker at a time talk to WeChat for it;
2. the stock is created once: the request body is stored before it is sent and re-sent unchanged, under
   an ``out_request_no`` derived from the triple. WeChat Pay's docs do not say how a repeated 创建商家券 is
   answered: a 200 with the first stock is taken as that stock; RESOURCE_ALREADY_EXISTS (no stock id) is
   recorded as ``failed`` / ``STOCK_EXISTS``; either way no second stock is ever made for the voucher
   (staff attach the existing stock by id: ``coupon_attach.coupon_stock_attach``);
3. voucher edits after that (``_reconcile_edits``): the usage limit moves the budget up or down (修改批次预算,
   never below the coupons already handed out); the merchant's goods name is pushed (修改商家券基本信息);
   WeChat cannot change a stock's discount or validity (``failed``: VOUCHER_CHANGED / DATES_CHANGED,
   healthy again once the voucher is back) nor its name (a ``NAME_NOT_UPDATABLE`` notice: the coupons
   still work, the card pack keeps the old name);
4. codes are uploaded in batches of 200 (the API's maximum) streamed from the host's ascending iterator,
   after the cursor of the last confirmed batch: resumable, never all in memory; each batch's
   ``upload_request_no`` is derived from its codes, so a retried batch is the same request;
5. a stock is ``synced`` only when every code is in WeChat; a refused stock or code is ``failed`` with the
   code and message; a temporary error keeps it ``syncing`` with the error shown, and the Celery task
   retries with exponential backoff, marking it ``failed`` when the retries run out.

Redemption: a voucher code used in an order -> 核销 in WeChat (a linked legacy 卡券: ``card/code/consume``);
the order cancelled -> 退券 (a consumed legacy card cannot be given back: recorded on the coupon as
``CARD_NOT_RETURNABLE``); the voucher deactivated or deleted -> 使券失效 for every coupon still in a card
pack; a coupon consumed in a store (a legacy card's ``user_consume_card``) -> the host marks the voucher
code used.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import conf, jobs
from ..domain.coupons import (
    GOODS_NAME_MAX,
    MAX_CODES_PER_UPLOAD,
    CouponApiError,
    CouponNotFound,
    CouponStockExists,
    CouponSyncStatus,
    CouponTemporaryError,
    IssuedCouponState,
    StockIssue,
    budget_for,
    cut_text,
    is_valid_code,
    request_no,
    stock_request,
)
from ..domain.errors import CouponErrorCode, DistributionError
from ..models import CouponStock, DistributorVoucherCode, IssuedCoupon, OfficialAccount
from ..ports import CouponGateway, CouponReceived, VoucherSnapshot, WeChatApiError
from .inputs import clean_text
from .official_accounts import account_credentials

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_REJECTED_SHOWN = 100
DISTRIBUTOR_CODES_CHUNK = 1000
CARD_MCHID = "card"


class StockBusy(Exception):
    """Another worker holds the stock's lease: it will finish the work."""


# --- sync ----------------------------------------------------------------------------------------------


def coupon_sync_voucher(*, voucher_id: str) -> list[CouponStock]:
    """Bring WeChat in line with the voucher. Raises ``CouponTemporaryError`` (retry later: the task backs
    off) after recording it on the stock; final refusals are recorded as ``failed`` and not raised."""
    source = conf.get_voucher_source()
    voucher = source.voucher_get(voucher_id)
    if voucher is None or not voucher.active:
        coupon_voucher_deactivate(voucher_id=voucher_id, deleted=voucher is None)
        return list(CouponStock.objects.filter(voucher_id=voucher_id))
    _sync_distributor_codes(voucher)
    for card in CouponStock.objects.filter(voucher_id=voucher_id, kind="card"):
        _register_card_codes(card)
    stocks = []
    temporary: CouponTemporaryError | None = None
    gateways = conf.get_coupon_gateways(voucher.channel, voucher.distributor_id)
    for index, gateway in enumerate(gateways):
        try:
            stocks.append(_sync_stock(voucher, gateway, part=(index, len(gateways))))
        except CouponTemporaryError as error:
            temporary = temporary or error
        except StockBusy:
            pass
    if temporary is not None:
        raise temporary
    return stocks


def coupon_sync_give_up(*, voucher_id: str, error: Exception) -> None:
    """Retries ran out: every stock of the voucher still in progress becomes visibly ``failed``."""
    code = getattr(error, "code", type(error).__name__)
    CouponStock.objects.filter(
        voucher_id=voucher_id, status__in=[CouponSyncStatus.PENDING, CouponSyncStatus.SYNCING]
    ).update(
        status=CouponSyncStatus.FAILED,
        error_code=str(code)[:64],
        error_message=str(error)[:255],
        lease_until=None,
        updated_at=timezone.now(),
    )


def coupon_sync_request(*, voucher_id: str) -> list[CouponStock]:
    """Staff asked for a (re)sync: failed stocks go back to pending, and the sync is queued."""
    if not voucher_id or len(voucher_id) > 64:
        raise DistributionError(CouponErrorCode.INVALID, _("Invalid voucher id."), field="voucherId")
    source = conf.get_voucher_source() if conf.has_voucher_source() else None
    voucher = source.voucher_get(voucher_id) if source is not None else None
    if voucher is None:
        raise DistributionError(CouponErrorCode.NOT_FOUND, _("No such voucher."), field="voucherId")
    if not conf.get_coupon_gateways(voucher.channel, voucher.distributor_id):
        raise DistributionError(
            CouponErrorCode.NOT_CONFIGURED,
            _("No WeChat Pay coupon merchant is configured for this channel."),
            field="voucherId",
        )
    with transaction.atomic():
        CouponStock.objects.filter(voucher_id=voucher_id, status=CouponSyncStatus.FAILED).update(
            status=CouponSyncStatus.PENDING, updated_at=timezone.now()
        )
        jobs.enqueue("coupon_sync", voucher_id)
    return list(CouponStock.objects.filter(voucher_id=voucher_id).order_by("pk"))


def _stock_row(voucher: VoucherSnapshot, gateway: CouponGateway, part: tuple[int, int]) -> CouponStock:
    key = {"voucher_id": voucher.voucher_id, "mchid": gateway.mchid, "app_id": gateway.app_id}
    try:
        row, _created = CouponStock.objects.get_or_create(
            **key,
            defaults={
                "channel": voucher.channel,
                "distributor_id": voucher.distributor_id,
                "out_request_no": request_no("WDS", voucher.voucher_id, gateway.mchid, gateway.app_id),
                "part_index": part[0],
                "part_count": part[1],
            },
        )
    except IntegrityError:  # a concurrent worker created it first
        row = CouponStock.objects.get(**key)
    return row


def _claim(row: CouponStock) -> None:
    now = timezone.now()
    claimed = (
        CouponStock.objects.filter(pk=row.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE, status=CouponSyncStatus.SYNCING, attempts=row.attempts + 1)
    )
    if not claimed:
        raise StockBusy(row.pk)
    row.refresh_from_db()


def _save(row: CouponStock, **changes: object) -> None:
    for name, value in changes.items():
        setattr(row, name, value)
    row.lease_until = timezone.now() + LEASE
    row.save()


def _sync_stock(voucher: VoucherSnapshot, gateway: CouponGateway, part: tuple[int, int]) -> CouponStock:
    row = _stock_row(voucher, gateway, part)
    if row.kind != "busifavor":
        return row
    _claim(row)  # a deactivated voucher that is active again continues in the same stock
    try:
        code_count = _part_count(row, voucher)
        if not row.stock_id:
            _create_stock(row, voucher, gateway, code_count)
            if row.status == CouponSyncStatus.FAILED:
                return row
        else:
            _reconcile_edits(row, voucher, gateway)
        _adjust_budget(row, voucher, gateway, code_count)
        _upload_codes(row, voucher, gateway)
        held = _codes_in_wechat(row, gateway)
        if row.rejected_count:
            _save(
                row,
                status=CouponSyncStatus.FAILED,
                error_code=CouponErrorCode.INVALID_CODE.value,
                error_message=f"{row.rejected_count} code(s) refused by WeChat Pay",
            )
        elif held < row.codes_total:
            _save(
                row,
                status=CouponSyncStatus.FAILED,
                error_code="CODES_MISSING",
                error_message=f"WeChat Pay holds {held} of the {row.codes_total} codes",
            )
        else:
            _save(
                row, status=CouponSyncStatus.SYNCED, error_code="", error_message="", synced_at=timezone.now()
            )
    except CouponTemporaryError as error:
        _save(row, error_code=error.code[:64], error_message=str(error)[:255])
        raise
    except CouponApiError as error:
        _save(row, status=CouponSyncStatus.FAILED, error_code=error.code[:64], error_message=str(error)[:255])
    except DistributionError as error:
        _save(
            row, status=CouponSyncStatus.FAILED, error_code=error.code.value, error_message=str(error)[:255]
        )
    finally:
        CouponStock.objects.filter(pk=row.pk).update(lease_until=None)
    return row


def _codes_in_wechat(row: CouponStock, gateway: CouponGateway) -> int:
    """WeChat Pay's own count of the stock's codes is the truth the stock's progress shows: a stock is
    ``synced`` only when WeChat holds every code (one query per sync)."""
    info = gateway.stock_query(stock_id=row.stock_id)
    counts = info.get("coupon_code_count") if isinstance(info, dict) else None
    try:
        held = int((counts or {}).get("total_count"))
    except (TypeError, ValueError):
        raise CouponTemporaryError("INVALID_RESPONSE", "stock query without coupon_code_count") from None
    _save(row, codes_uploaded=held)
    return held


def _in_part(row: CouponStock, code: str) -> bool:
    return row.part_count <= 1 or zlib.crc32(code.encode()) % row.part_count == row.part_index


def _part_count(row: CouponStock, voucher: VoucherSnapshot) -> int:
    """How many of the voucher's codes belong to this stock. With one stock, all of them; with several
    (more than one merchant / app configured for the voucher), each code goes to exactly one stock, chosen
    by a stable hash, so the same code is never handed out twice (counted in one streamed pass)."""
    if row.part_count <= 1:
        return voucher.code_count
    fresh = conf.get_voucher_source().voucher_get(voucher.voucher_id)
    return sum(1 for code in (fresh.codes if fresh else ()) if _in_part(row, code))


def _body(row: CouponStock, voucher: VoucherSnapshot, gateway: CouponGateway, code_count: int) -> dict:
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


def _reconcile_edits(row: CouponStock, voucher: VoucherSnapshot, gateway: CouponGateway) -> None:
    """An existing stock and the voucher as it is now, under 修改商家券基本信息's rules.

    - discount (stock type / amounts): WeChat Pay cannot change it -> ``VOUCHER_CHANGED`` failure;
    - validity: not a modifiable field (its coupon_use_rule takes only use_method and the mini program)
      -> ``DATES_CHANGED`` failure, since the card pack would show (and WeChat enforce) the old dates;
      re-syncing after the dates are back makes it healthy again; new dates need a new voucher;
    - name: stock_name is "暂不支持修改" -> a ``NAME_NOT_UPDATABLE`` notice (the coupons still work);
    - goods name (the merchant's setting): pushed with ``out_request_no`` derived from the stock, the
      text and the attempt, so a retry after a lost answer is the same request.
    Raises ``CouponApiError`` for the failures (recorded by the caller)."""
    now = _body(row, voucher, gateway, row.max_coupons)
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
    _save(row, pushed=wanted, notices=notices)


def _create_stock(
    row: CouponStock, voucher: VoucherSnapshot, gateway: CouponGateway, code_count: int
) -> None:
    notify_url = getattr(gateway, "notify_url", "")
    if notify_url:  # 设置商家券事件通知地址 (per merchant; setting it again is harmless)
        gateway.callbacks_set(notify_url=notify_url)
    if not row.request:
        body = _body(row, voucher, gateway, code_count)
        # stored before it is sent: a retry re-sends exactly this body (same out_request_no, same stock)
        _save(
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
    _save(row, stock_id=stock_id)


def _adjust_budget(
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
        _save(row, max_coupons=target)
    _save(row, codes_total=min(wanted, row.max_coupons), notices=notices)


def _upload_codes(row: CouponStock, voucher: VoucherSnapshot, gateway: CouponGateway) -> None:
    source = conf.get_voucher_source()
    fresh = source.voucher_get(voucher.voucher_id, codes_after=row.upload_cursor or None)
    if fresh is None:
        return
    mine = (code for code in fresh.codes if _in_part(row, code))
    for batch, rejected, last in _batches(mine, room=row.max_coupons - row.codes_uploaded):
        accepted = 0
        failed: tuple[tuple[str, str], ...] = ()
        if batch:
            result = gateway.codes_upload(
                stock_id=row.stock_id,
                upload_request_no=request_no("WDU", row.stock_id, *batch),
                codes=batch,
            )
            accepted, failed = result.accepted, result.failed
        refused = [{"code": c, "reason": "invalid characters or length"} for c in rejected]
        refused += [{"code": c, "reason": reason} for c, reason in failed]
        shown = (row.rejected_codes + refused)[:MAX_REJECTED_SHOWN]
        _save(
            row,
            codes_uploaded=row.codes_uploaded + accepted,
            upload_cursor=last,
            upload_batches=row.upload_batches + 1,
            rejected_codes=shown,
            rejected_count=row.rejected_count + len(refused),
        )


def _batches(codes: Iterator[str], *, room: int) -> Iterator[tuple[list[str], list[str], str]]:
    """Batches of at most 200 valid codes (and the invalid ones met on the way), with the last code seen:
    the cursor a resumed upload continues after. Stops when the stock's budget is full."""
    batch: list[str] = []
    rejected: list[str] = []
    last = ""
    for code in codes:
        if room - len(batch) <= 0:
            break
        last = code
        if is_valid_code(code):
            batch.append(code)
        else:
            rejected.append(code)
        if len(batch) == MAX_CODES_PER_UPLOAD or len(rejected) >= MAX_CODES_PER_UPLOAD:
            room -= len(batch)
            yield batch, rejected, last
            batch, rejected = [], []
    if batch or rejected:
        yield batch, rejected, last


def _sync_distributor_codes(voucher: VoucherSnapshot) -> None:
    """A voucher assigned to a distributor is an attribution source: its codes are registered (streamed,
    in chunks) as that distributor's; codes no longer in the voucher are removed."""
    if voucher.distributor_id is None:
        DistributorVoucherCode.objects.filter(voucher_id=voucher.voucher_id).delete()
        return
    source = conf.get_voucher_source()
    fresh = source.voucher_get(voucher.voucher_id)
    if fresh is None:
        return
    DistributorVoucherCode.objects.filter(voucher_id=voucher.voucher_id).exclude(
        distributor_id=voucher.distributor_id
    ).delete()
    for chunk in _chunks(fresh.codes, DISTRIBUTOR_CODES_CHUNK):
        DistributorVoucherCode.objects.bulk_create(
            [
                DistributorVoucherCode(
                    code=code,
                    channel=voucher.channel,
                    voucher_id=voucher.voucher_id,
                    distributor_id=voucher.distributor_id,
                )
                for code in chunk
            ],
            ignore_conflicts=True,
        )


def coupon_voucher_codes_deleted(*, voucher_id: str, codes: Iterable[str]) -> int:
    """Codes removed from a voucher: no longer attribution sources, and coupons holding them made
    invalid in WeChat. A code still in WeChat's pool cannot be taken back: it is recorded as withdrawn
    (a deactivated coupon without a holder), so that when WeChat hands it out later the coupon-received
    callback makes it invalid at once."""
    removed = 0
    stocks = list(CouponStock.objects.filter(voucher_id=voucher_id, kind="busifavor"))
    for chunk in _chunks(iter(codes), DISTRIBUTOR_CODES_CHUNK):
        DistributorVoucherCode.objects.filter(voucher_id=voucher_id, code__in=chunk).delete()
        held = IssuedCoupon.objects.filter(
            stock__voucher_id=voucher_id, code__in=chunk, state=IssuedCouponState.ISSUED
        ).select_related("stock")
        for coupon in held:
            removed += _deactivate(coupon, reason="voucher code deleted")
        for stock in stocks:
            IssuedCoupon.objects.bulk_create(
                [
                    IssuedCoupon(stock=stock, code=code, app_id=stock.app_id, openid="",
                                 state=IssuedCouponState.DEACTIVATED)
                    for code in chunk
                    if _in_part(stock, code)
                ],
                ignore_conflicts=True,
            )  # fmt: skip
    return removed


def _chunks(items: Iterator[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- card pack: issuing and the coupon-received callback ------------------------------------------------


def coupon_received(*, mchid: str, received: CouponReceived) -> IssuedCoupon | None:
    """A verified ``COUPON.SEND``: record which (app id, openid) holds which code. Idempotent."""
    stock = CouponStock.objects.filter(mchid=mchid, stock_id=received.stock_id, kind="busifavor").first()
    if stock is None:
        logger.warning("coupon notification for unknown stock %s of %s", received.stock_id, mchid)
        return None
    with transaction.atomic():
        coupon, created = IssuedCoupon.objects.select_for_update().get_or_create(
            stock=stock,
            code=received.code,
            defaults={"app_id": stock.app_id, "openid": received.openid, "unionid": received.unionid},
        )
        withdrawn = not created and not coupon.openid  # the code was deleted while still in WeChat's pool
        if withdrawn:
            coupon.openid, coupon.unionid, coupon.state = (
                received.openid,
                received.unionid,
                IssuedCouponState.ISSUED,
            )
            coupon.save(update_fields=["openid", "unionid", "state", "updated_at"])
        if withdrawn or stock.status == CouponSyncStatus.DEACTIVATED:
            # handed out from the pool after the code or the voucher went away: made invalid right away
            jobs.enqueue("coupon_event", "withdraw", coupon.pk)
    return coupon


def coupon_withdraw(*, coupon_id: int) -> int:
    """Make one handed-out coupon invalid (its voucher or code no longer exists in the host)."""
    coupon = IssuedCoupon.objects.select_related("stock").filter(pk=coupon_id).first()
    if coupon is None or coupon.state != IssuedCouponState.ISSUED:
        return 0
    return _deactivate(coupon, reason="voucher code no longer valid")


def coupon_card_link(
    *, voucher_id: str, app_id: str, card_id: str, channel: str | None = None
) -> CouponStock:
    """Link a legacy 卡券 card (created before 2021-04-01) to a voucher by its card id; the card's events
    then move the voucher's codes (``coupon_card_event``). Linking again updates the link."""
    voucher_id = clean_text(voucher_id, field="voucherId", code=CouponErrorCode.INVALID, max_length=64,
                            required=True)  # fmt: skip
    app_id = clean_text(app_id, field="appId", code=CouponErrorCode.INVALID, max_length=32, required=True)
    card_id = clean_text(card_id, field="cardId", code=CouponErrorCode.INVALID, max_length=64, required=True)
    voucher = conf.get_voucher_source().voucher_get(voucher_id) if conf.has_voucher_source() else None
    if voucher is None:
        raise DistributionError(CouponErrorCode.NOT_FOUND, _("No such voucher."), field="voucherId")
    row, _created = CouponStock.objects.update_or_create(
        voucher_id=voucher_id,
        mchid=CARD_MCHID,
        app_id=app_id,
        defaults={
            "channel": channel or voucher.channel,
            "kind": "card",
            "stock_id": card_id,
            "status": CouponSyncStatus.SYNCED,
            "out_request_no": request_no("WDC", voucher_id, app_id, card_id),
        },
    )
    _register_card_codes(row)
    return row


def _register_card_codes(row: CouponStock) -> None:
    """A linked card's codes were handed out before the link (cards made before 2021-04-01), so no
    ``user_get_card`` may ever name them: every voucher code is recorded as the card's (holder unknown
    until an event names it), streamed in chunks, so an order using one finds the card to consume."""
    fresh = conf.get_voucher_source().voucher_get(row.voucher_id)
    if fresh is None:
        return
    for chunk in _chunks(fresh.codes, DISTRIBUTOR_CODES_CHUNK):
        IssuedCoupon.objects.bulk_create(
            [IssuedCoupon(stock=row, code=code, app_id=row.app_id, openid="") for code in chunk],
            ignore_conflicts=True,
        )


def coupon_card_event(
    *, app_id: str, openid: str, event: str, card_id: str, code: str
) -> IssuedCoupon | None:
    """A legacy 卡券 event from the Official Account callback (wired by the callback view's registry):
    ``user_get_card`` records the holder, ``user_del_card`` marks it gone from the card pack,
    ``user_consume_card`` (redeemed in a store) marks the voucher code used in the host. Idempotent."""
    stock = CouponStock.objects.filter(kind="card", stock_id=card_id, app_id=app_id).first()
    if stock is None or not code:
        return None
    with transaction.atomic():
        coupon, _created = IssuedCoupon.objects.select_for_update().get_or_create(
            stock=stock, code=code, defaults={"app_id": app_id, "openid": openid}
        )
        if openid and not coupon.openid:  # a registered code: the event names its holder
            coupon.openid = openid
            coupon.save(update_fields=["openid", "updated_at"])
        if event == "user_del_card" and coupon.state == IssuedCouponState.ISSUED:
            coupon.state = IssuedCouponState.DEACTIVATED
            coupon.save(update_fields=["state", "updated_at"])
        elif event == "user_consume_card" and coupon.state != IssuedCouponState.USED:
            _store_redeemed(coupon, reference=request_no("WDCARD", card_id, code))
    return coupon


def coupon_store_redeemed(*, mchid: str, stock_id: str, code: str, reference: str) -> IssuedCoupon | None:
    """A coupon redeemed in a physical store (through WeChat, not a Saleor order): the host marks the
    voucher code used. Idempotent on ``reference``."""
    with transaction.atomic():
        coupon = (
            IssuedCoupon.objects.select_for_update()
            .select_related("stock")
            .filter(stock__mchid=mchid, stock__stock_id=stock_id, code=code)
            .first()
        )
        if coupon is None or coupon.state == IssuedCouponState.USED:
            return coupon
        _store_redeemed(coupon, reference=reference)
    return coupon


def _store_redeemed(coupon: IssuedCoupon, *, reference: str) -> None:
    conf.get_voucher_source().voucher_code_mark_used(
        voucher_id=coupon.stock.voucher_id, code=coupon.code, reference=reference
    )
    coupon.state = IssuedCouponState.USED
    coupon.used_at = timezone.now()
    coupon.save(update_fields=["state", "used_at", "updated_at"])


# --- redemption from Saleor orders ---------------------------------------------------------------------


def _gateway(stock: CouponStock) -> CouponGateway:
    return conf.get_coupon_gateway(stock.channel, stock.distributor_id, stock.mchid, stock.app_id)


def coupon_order_used(*, order_id: str, channel: str, voucher_code: str) -> IssuedCoupon | None:
    """A voucher code used in a Saleor order: the coupon holding it is 核销 in WeChat and leaves the card
    pack. A 商家券 through ``coupon_use`` (``use_request_no`` derived from the order, so retries are the
    same request); a linked legacy 卡券 through ``card/code/consume`` (see ``_card_consume``)."""
    candidates = list(
        IssuedCoupon.objects.select_related("stock")
        .filter(stock__channel=channel, code=voucher_code)
        .exclude(state=IssuedCouponState.DEACTIVATED)
        .order_by("pk")[:5]
    )
    if not candidates:
        return None
    coupon = next((c for c in candidates if c.openid), candidates[0])  # the one a user is known to hold
    if coupon.state == IssuedCouponState.USED and coupon.order_id == order_id:
        return coupon
    if coupon.state == IssuedCouponState.USED:
        logger.warning("voucher code %s used by order %s was already used", voucher_code, order_id)
        return coupon
    if coupon.stock.kind == "card":
        return _card_consume(coupon, order_id=order_id)
    _gateway(coupon.stock).coupon_use(
        stock_id=coupon.stock.stock_id,
        code=coupon.code,
        openid=coupon.openid,
        use_request_no=request_no("WDUSE", order_id, coupon.code),
    )
    _mark_used(coupon, order_id=order_id)
    return coupon


#: card/code/consume errcodes a retry cannot change (卡券错误码: invalid appid, invalid code, invalid card
#: status or time, deleted or being gifted, missing card id, no API permission for the card)
CARD_FINAL_ERRCODES = frozenset({40013, 40056, 40078, 40079, 40116, 40127, 41012, 45030})
#: "卡券已被核销": an earlier attempt whose answer was lost, or a store, consumed it already
CARD_CONSUMED = 40099


def _card_consume(coupon: IssuedCoupon, *, order_id: str) -> IssuedCoupon:
    """核销 a linked legacy card's code (``card/code/consume`` through wechatpy's WeChatCard, with the
    Official Account that owns the card). Idempotent: a code already consumed (40099, e.g. the answer to
    an earlier attempt was lost) counts as consumed for this order. A refusal a retry cannot change is
    recorded on the coupon (``CARD_CONSUME_REFUSED`` with the errcode); anything else (network, -1 busy,
    tokens) is ``CouponTemporaryError``: the Celery task retries with backoff."""
    stock = coupon.stock
    account = OfficialAccount.objects.filter(app_id=stock.app_id).first()
    if account is None:
        _note(coupon, f"{StockIssue.CARD_CONSUME_REFUSED}: no Official Account {stock.app_id} is bound")
        return coupon
    try:
        conf.get_official_account_gateway().card_code_consume(
            account_credentials(account), card_id=stock.stock_id, code=coupon.code
        )
    except WeChatApiError as error:
        if error.errcode in CARD_FINAL_ERRCODES:
            _note(coupon, f"{StockIssue.CARD_CONSUME_REFUSED}: errcode {error.errcode} {error.errmsg}")
            return coupon
        if error.errcode != CARD_CONSUMED:
            raise CouponTemporaryError(f"WECHAT_{error.errcode}", error.errmsg[:200]) from None
    _mark_used(coupon, order_id=order_id)
    return coupon


def _mark_used(coupon: IssuedCoupon, *, order_id: str) -> None:
    now = timezone.now()
    IssuedCoupon.objects.filter(pk=coupon.pk).update(
        state=IssuedCouponState.USED, order_id=order_id, used_at=now, note="", updated_at=now
    )
    coupon.refresh_from_db()


def _note(coupon: IssuedCoupon, note: str) -> None:
    IssuedCoupon.objects.filter(pk=coupon.pk).update(note=note[:255], updated_at=timezone.now())
    coupon.refresh_from_db()


def coupon_order_use_give_up(*, order_id: str, channel: str, voucher_code: str, error: Exception) -> None:
    """Retries ran out marking a coupon used for an order: the coupon says so (``USE_FAILED``)."""
    coupon = (
        IssuedCoupon.objects.filter(stock__channel=channel, code=voucher_code)
        .exclude(state__in=[IssuedCouponState.DEACTIVATED, IssuedCouponState.USED])
        .first()
    )
    if coupon is not None:
        _note(coupon, f"{StockIssue.USE_FAILED}: order {order_id}: {error}")


def coupon_order_cancelled(*, order_id: str) -> int:
    """The order was cancelled: its coupons go back to the users' card packs (退券), where WeChat allows
    (only a USED coupon can be returned; one WeChat refuses stays used and is logged). A consumed legacy
    卡券 cannot come back: the 卡券 API consumes a code (card/code/consume) or makes it unavailable, but has
    no call that restores a consumed code; the coupon stays used and records ``CARD_NOT_RETURNABLE``
    (the voucher code may be usable again in Saleor while the card is gone from the card pack)."""
    for card in IssuedCoupon.objects.filter(
        order_id=order_id, state=IssuedCouponState.USED, stock__kind="card"
    ):
        logger.warning(
            "order %s cancelled: legacy card code %s stays consumed in WeChat", order_id, card.code
        )
        _note(card, f"{StockIssue.CARD_NOT_RETURNABLE}: order {order_id} was cancelled; WeChat cannot "
                    "give back a consumed legacy card")  # fmt: skip
    returned = 0
    for coupon in IssuedCoupon.objects.select_related("stock").filter(
        order_id=order_id, state=IssuedCouponState.USED, stock__kind="busifavor"
    ):
        try:
            _gateway(coupon.stock).coupon_return(
                stock_id=coupon.stock.stock_id,
                code=coupon.code,
                return_request_no=request_no("WDRET", order_id, coupon.code),
            )
        except (CouponNotFound, CouponApiError) as error:
            if isinstance(error, CouponTemporaryError):
                raise
            logger.warning("WeChat refused to return coupon %s of order %s: %s", coupon.code, order_id, error)
            continue
        IssuedCoupon.objects.filter(pk=coupon.pk).update(
            state=IssuedCouponState.ISSUED, order_id="", used_at=None, updated_at=timezone.now()
        )
        returned += 1
    return returned


def coupon_voucher_deactivate(*, voucher_id: str, deleted: bool = False) -> int:
    """Voucher deactivated or deleted: every coupon still in a card pack is made invalid (使券失效), and the
    stocks show ``deactivated`` (the storefront issues no more)."""
    stocks = list(CouponStock.objects.filter(voucher_id=voucher_id))
    count = 0
    for stock in stocks:
        for coupon in IssuedCoupon.objects.select_related("stock").filter(
            stock=stock, state=IssuedCouponState.ISSUED
        ):
            count += _deactivate(coupon, reason="voucher deleted" if deleted else "voucher deactivated")
    CouponStock.objects.filter(voucher_id=voucher_id).update(
        status=CouponSyncStatus.DEACTIVATED, updated_at=timezone.now()
    )
    DistributorVoucherCode.objects.filter(voucher_id=voucher_id).delete()
    return count


def _deactivate(coupon: IssuedCoupon, *, reason: str) -> int:
    if coupon.stock.kind == "busifavor":
        try:
            _gateway(coupon.stock).coupon_deactivate(
                stock_id=coupon.stock.stock_id,
                code=coupon.code,
                request_no=request_no("WDDEA", coupon.stock.stock_id, coupon.code),
                reason=reason,
            )
        except CouponTemporaryError:
            raise
        except CouponApiError as error:  # e.g. already used or expired in WeChat
            logger.warning("WeChat refused to deactivate coupon %s: %s", coupon.code, error)
            return 0
    IssuedCoupon.objects.filter(pk=coupon.pk).update(
        state=IssuedCouponState.DEACTIVATED, updated_at=timezone.now()
    )
    return 1


# --- coupons redeemed outside our orders (in a store) ---------------------------------------------------

#: our own 核销 requests (coupon_order_used); any other use_request_no was a store / POS redemption
OWN_USE_PREFIX = "WDUSE"


def coupon_reconcile(*, limit: int = 500) -> int:
    """WeChat Pay sends no event when a 商家券 is redeemed in a store (the merchant's POS calls 核销 itself):
    look at the coupons still in card packs, oldest-checked first, and apply what WeChat says. A coupon
    used elsewhere marks the voucher code used in the host (idempotent: the reference is WeChat's use
    request); expired or invalidated ones leave the card pack. Returns the coupons that changed."""
    changed = 0
    batch = list(
        IssuedCoupon.objects.select_related("stock")
        .filter(state=IssuedCouponState.ISSUED, stock__kind="busifavor")
        .order_by("updated_at", "pk")[:limit]
    )
    for coupon in batch:
        try:
            detail = _gateway(coupon.stock).coupon_query(code=coupon.code, openid=coupon.openid)
        except CouponNotFound:
            detail = {}
        except conf.CouponsNotConfigured:
            continue
        state = str(detail.get("coupon_state") or "")
        use_request_no = str(detail.get("use_request_no") or "")
        if state == "USED" and not use_request_no.startswith(OWN_USE_PREFIX):
            coupon_store_redeemed(
                mchid=coupon.stock.mchid,
                stock_id=coupon.stock.stock_id,
                code=coupon.code,
                reference=f"wx:{coupon.stock.stock_id}:{coupon.code}:{use_request_no}"[:128],
            )
            changed += 1
        elif state in ("EXPIRED", "DEACTIVATED"):
            IssuedCoupon.objects.filter(pk=coupon.pk).update(
                state=IssuedCouponState.DEACTIVATED, updated_at=timezone.now()
            )
            changed += 1
        else:
            IssuedCoupon.objects.filter(pk=coupon.pk).update(
                updated_at=timezone.now()
            )  # checked: to the back
    return changed
