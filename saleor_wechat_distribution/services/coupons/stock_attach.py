"""Staff attach an existing WeChat Pay stock to a voucher whose stock was left ``failed`` / ``STOCK_EXISTS``.

创建商家券 repeated under a voucher's ``out_request_no`` may be answered RESOURCE_ALREADY_EXISTS without the
stock id (see ``CouponStockExists``), and no API finds a stock by ``out_request_no``: staff look the stock
up in the merchant platform (its comment names the voucher) and give its id here. The stock is fetched
with 查询商家券详情 (``GET /v3/marketing/busifavor/stocks/{stock_id}``) and taken only when it is the one
the voucher's stored request would have made:

- it belongs to the stock row's merchant (``belong_merchant``; a NO_AUTH answer is another merchant's);
- same ``stock_type``, discount rule (amount / percentage and threshold), validity, code mode
  (``MERCHANT_UPLOAD``: the sync uploads the voucher codes, which 上传预存code only takes for that mode),
  ``notify_appid`` and ``comment`` ("voucher <id>", what identifies the voucher); ``goods_name`` is the
  merchant's editable text, recorded as WeChat holds it, so the sync pushes the configured one;
- no other stock row has it (checked under an advisory lock on the stock id, so two attaches of one
  stock cannot both win).

Then the row goes back to ``pending`` with the stock id and the sync is queued: it continues as after a
normal create (edits reconciled, budget, codes uploaded in resumable batches, WeChat's count checked).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ... import conf, jobs, locks, task_names
from ...domain.coupons import (
    CouponApiError,
    CouponNotFound,
    CouponStockKind,
    CouponSyncStatus,
    CouponTemporaryError,
    StockIssue,
)
from ...domain.errors import CouponStockAttachErrorCode as Code
from ...domain.errors import DistributionError
from ...models import CouponStock
from ..inputs import clean_text
from .stocks import staff_voucher_get

#: 查询商家券详情: stock_id string[1,20], WeChat's ids are digits
_STOCK_ID = re.compile(r"[0-9]{1,20}")
_DISCOUNT_RULES = ("fixed_normal_coupon", "discount_coupon")
#: refusals of the query that mean the stock is not this merchant's to see
_OTHER_MERCHANT_CODES = frozenset({"NO_AUTH", "APPID_MCHID_NOT_MATCH", "MCH_NOT_EXISTS"})
#: which error wins when every waiting stock row refused the stock (the most specific last)
_PRIORITY = [Code.NOT_CONFIGURED, Code.STOCK_NOT_FOUND, Code.WECHAT_UNAVAILABLE, Code.WECHAT_ERROR,
             Code.OTHER_MERCHANT, Code.SHAPE_MISMATCH]  # fmt: skip


def coupon_stock_attach(*, voucher_id: str, stock_id: str) -> CouponStock:
    """Attach WeChat Pay stock ``stock_id`` to the voucher's stock row waiting for it, and resume the sync.
    Raises ``DistributionError`` (``CouponStockAttachErrorCode``) with nothing changed otherwise."""
    voucher_id = str(clean_text(voucher_id, field="voucherId", code=Code.INVALID, max_length=64,
                                required=True))  # fmt: skip
    stock_id = str(clean_text(stock_id, field="stockId", code=Code.INVALID, max_length=20, required=True))
    if not _STOCK_ID.fullmatch(stock_id):
        raise DistributionError(Code.INVALID, _("A WeChat Pay stock id is 1-20 digits."), field="stockId")
    voucher = staff_voucher_get(voucher_id, unavailable=Code.HOST_UNAVAILABLE)
    if voucher is None:
        raise DistributionError(Code.NOT_FOUND, _("No such voucher."), field="voucherId")
    waiting = list(_waiting(voucher_id))
    if not waiting:
        raise DistributionError(
            Code.NOT_AWAITING_STOCK,
            _(
                "This voucher has no WeChat stock waiting for its id (only a stock that failed with "
                "STOCK_EXISTS can be attached)."
            ),
            field="voucherId",
        )
    _check_free(stock_id)
    refusals: list[DistributionError] = []
    for row in waiting:
        try:
            info = _fetch(row, stock_id)
            _check_shape(row, info)
        except DistributionError as error:
            refusals.append(error)
            continue
        return _attach(row, stock_id, info)
    raise max(refusals, key=lambda error: _PRIORITY.index(error.code))


def _waiting(voucher_id: str) -> Any:
    return CouponStock.objects.filter(
        voucher_id=voucher_id,
        kind=CouponStockKind.BUSIFAVOR,
        status=CouponSyncStatus.FAILED,
        error_code=StockIssue.STOCK_EXISTS.value,
        stock_id="",
    ).order_by("pk")


def _check_free(stock_id: str) -> None:
    if CouponStock.objects.filter(kind=CouponStockKind.BUSIFAVOR, stock_id=stock_id).exists():
        raise DistributionError(
            Code.STOCK_TAKEN, _("This WeChat stock already belongs to a voucher."), field="stockId"
        )


def _fetch(row: CouponStock, stock_id: str) -> dict[str, Any]:
    """查询商家券详情 with the row's merchant (wechatpayv3's client; the answer's signature verified)."""
    try:
        gateway = conf.get_coupon_gateway(row.channel, row.distributor_id, row.mchid, row.app_id)
    except conf.CouponsNotConfigured:
        raise DistributionError(
            Code.NOT_CONFIGURED,
            _("The WeChat Pay merchant of this voucher's stock is no longer configured."),
            field="voucherId",
        ) from None
    try:
        info = gateway.stock_query(stock_id=stock_id)
    except CouponNotFound:
        raise DistributionError(
            Code.STOCK_NOT_FOUND, _("WeChat Pay has no stock with this id."), field="stockId"
        ) from None
    except CouponTemporaryError:
        raise DistributionError(
            Code.WECHAT_UNAVAILABLE, _("WeChat Pay did not answer; try again later."), field="stockId"
        ) from None
    except CouponApiError as error:
        if error.code in _OTHER_MERCHANT_CODES:
            raise _other_merchant() from None
        raise DistributionError(
            Code.WECHAT_ERROR,
            _("WeChat Pay refused to show the stock: %(code)s.") % {"code": str(error.code)[:64]},
            field="stockId",
        ) from None
    if not isinstance(info, dict) or str(info.get("stock_id") or stock_id) != stock_id:
        raise DistributionError(
            Code.WECHAT_UNAVAILABLE, _("WeChat Pay did not answer; try again later."), field="stockId"
        )
    if str(info.get("belong_merchant") or "") != str(row.request.get("belong_merchant") or row.mchid):
        raise _other_merchant()
    return info


def _other_merchant() -> DistributionError:
    return DistributionError(
        Code.OTHER_MERCHANT, _("This WeChat stock belongs to another merchant."), field="stockId"
    )


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _mismatches(request: dict[str, Any], info: dict[str, Any]) -> list[str]:
    """The fields in which the stock differs from the body the voucher's create request sent."""
    sent_rule, rule = request.get("coupon_use_rule") or {}, info.get("coupon_use_rule") or {}
    if not isinstance(rule, dict):
        rule = {}
    same = ("stock_type", "coupon_code_mode", "comment")
    wrong = [name for name in same if info.get(name) != request.get(name)]
    wrong += [name for name in _DISCOUNT_RULES if rule.get(name) != sent_rule.get(name)]
    sent_time, time = sent_rule.get("coupon_available_time") or {}, rule.get("coupon_available_time") or {}
    if not isinstance(time, dict) or any(
        _moment(time.get(end)) is None or _moment(time.get(end)) != _moment(sent_time.get(end))
        for end in ("available_begin_time", "available_end_time")
    ):
        wrong.append("coupon_available_time")
    notify = info.get("notify_config") or {}
    sent_appid = (request.get("notify_config") or {}).get("notify_appid")
    if sent_appid and (not isinstance(notify, dict) or notify.get("notify_appid") != sent_appid):
        wrong.append("notify_appid")
    return wrong


def _check_shape(row: CouponStock, info: dict[str, Any]) -> None:
    wrong = _mismatches(row.request or {}, info) if row.request else ["request"]
    if wrong:
        raise DistributionError(
            Code.SHAPE_MISMATCH,
            _("This WeChat stock was not made for this voucher (it differs in: %(fields)s).")
            % {"fields": ", ".join(wrong)},
            field="stockId",
        )


def _attach(row: CouponStock, stock_id: str, info: dict[str, Any]) -> CouponStock:
    try:
        budget = int(info["stock_send_rule"]["max_coupons"])
    except (KeyError, TypeError, ValueError):
        raise DistributionError(
            Code.WECHAT_UNAVAILABLE, _("WeChat Pay did not answer; try again later."), field="stockId"
        ) from None
    with transaction.atomic():
        locks.named_exclusive(f"coupon-stock:{stock_id}")
        _check_free(stock_id)
        locked = _waiting(row.voucher_id).select_for_update().filter(pk=row.pk).first()
        now = timezone.now()
        if locked is None or (locked.lease_until is not None and locked.lease_until > now):
            raise DistributionError(
                Code.NOT_AWAITING_STOCK,
                _("The voucher's stock changed meanwhile; look at its state and try again."),
                field="voucherId",
            )
        locked.stock_id = stock_id
        locked.status = CouponSyncStatus.PENDING
        locked.error_code = ""
        locked.error_message = ""
        locked.max_coupons = budget
        # what WeChat holds: a different goods name is pushed by the sync's reconcile step
        locked.pushed = {**(locked.pushed or {}), "goods_name": str(info.get("goods_name") or "")}
        locked.lease_until = None
        locked.save()
        jobs.enqueue(task_names.COUPON_SYNC, locked.voucher_id)
    return locked
