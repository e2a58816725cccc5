"""Reads over coupon stocks, and the signed parameters a storefront needs to issue a coupon."""

from __future__ import annotations

import secrets
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .. import conf
from ..domain.coupons import (
    CouponNote,
    CouponStockKind,
    CouponSyncStatus,
    CouponTemporaryError,
    h5_issue_params,
    miniprogram_issue_params,
)
from ..domain.errors import CouponErrorCode, DistributionError
from ..models import CouponStock, IssuedCoupon, WeChatIdentity
from ..ports import Principal, VoucherSummary

MAX_VOUCHER_ID = 64


def _check_voucher_id(voucher_id: str) -> str:
    voucher_id = (voucher_id or "").strip()
    if not voucher_id or len(voucher_id) > MAX_VOUCHER_ID or "\x00" in voucher_id:
        raise DistributionError(CouponErrorCode.INVALID, _("Invalid voucher id."), field="voucherId")
    return voucher_id


def coupon_stocks_for_voucher(*, voucher_id: str) -> QuerySet[CouponStock]:
    return CouponStock.objects.filter(voucher_id=_check_voucher_id(voucher_id)).order_by("pk")


def coupon_note_counts(*, voucher_id: str) -> dict[CouponNote, int]:
    """How many of the voucher's handed-out coupons carry each note (one query; notes never seen left out)."""
    noted = IssuedCoupon.objects.filter(stock__voucher_id=_check_voucher_id(voucher_id)).exclude(note="")
    counts = noted.aggregate(
        **{note.value: Count("pk", filter=Q(note__startswith=f"{note.value}:")) for note in CouponNote}
    )
    return {CouponNote(name): count for name, count in counts.items() if count}


def coupons_with_note(*, voucher_id: str, note: CouponNote | str | None = None) -> QuerySet[IssuedCoupon]:
    """The voucher's handed-out coupons that carry a note (only ``note``'s when given)."""
    noted = IssuedCoupon.objects.filter(stock__voucher_id=_check_voucher_id(voucher_id)).exclude(note="")
    if note:
        noted = noted.filter(note__startswith=f"{CouponNote(note).value}:")
    return noted.select_related("stock")


def coupon_issue_params(
    *, voucher_id: str, principal: Principal, app_id: str | None = None
) -> dict[str, Any]:
    """What the storefront passes to the mini-program 发券插件 (``send-coupon``) and the H5 发券 URL for the
    signed-in customer, for the voucher's synced 商家券 stock (the one of ``app_id`` if given). Each call
    has a fresh ``out_request_no`` (发券凭证). H5 needs the customer's openid in that app: without a known
    identity only the mini-program parameters come back."""
    stocks = coupon_stocks_for_voucher(voucher_id=voucher_id).filter(
        kind=CouponStockKind.BUSIFAVOR, status=CouponSyncStatus.SYNCED
    )
    if app_id:
        stocks = stocks.filter(app_id=app_id)
    stock = stocks.first()
    if stock is None:
        raise DistributionError(
            CouponErrorCode.NOT_SYNCED, _("This voucher has no WeChat coupon yet."), field="voucherId"
        )
    try:
        gateway = conf.get_coupon_gateway(stock.channel, stock.distributor_id, stock.mchid, stock.app_id)
    except conf.CouponsNotConfigured:
        raise DistributionError(
            CouponErrorCode.NOT_CONFIGURED,
            _("No WeChat Pay coupon merchant is configured for this channel."),
            field="voucherId",
        ) from None
    if not gateway.api_key_v2:
        raise DistributionError(
            CouponErrorCode.NOT_CONFIGURED,
            _("The merchant's APIv2 key, which signs coupon issuing, is not configured."),
            field="voucherId",
        )
    out_request_no = f"WDI{secrets.token_hex(14)}"
    result: dict[str, Any] = {
        "stock_id": stock.stock_id,
        "app_id": stock.app_id,
        "send_coupon_merchant": stock.mchid,
        "out_request_no": out_request_no,
        "mini_program": miniprogram_issue_params(
            stock_id=stock.stock_id,
            out_request_no=out_request_no,
            send_coupon_merchant=stock.mchid,
            api_key_v2=gateway.api_key_v2,
        ),
        "h5": None,
    }
    identity = (
        WeChatIdentity.objects.filter(app_id=stock.app_id, user_id=principal.user_id).order_by("pk").first()
        if principal.user_id is not None
        else None
    )
    if identity is not None:
        result["h5"] = h5_issue_params(
            stock_id=stock.stock_id,
            out_request_no=out_request_no,
            send_coupon_merchant=stock.mchid,
            open_id=identity.openid,
            api_key_v2=gateway.api_key_v2,
        )
    return result


MAX_SEARCH = 100


def vouchers_page(*, search: str, after: int | None, limit: int) -> tuple[list[VoucherSummary], bool]:
    """A page of the host's vouchers, newest first (one query), and whether more follow."""
    source = conf.get_voucher_source() if conf.has_voucher_source() else None
    if source is None:
        raise DistributionError(CouponErrorCode.NOT_CONFIGURED, _("No voucher source is registered."))
    try:
        rows = source.voucher_list(search=(search or "")[:MAX_SEARCH], after=after, limit=limit + 1)
    except CouponTemporaryError as error:  # App mode: Saleor's API down; nothing to show, nothing changed
        raise _host_unavailable(error) from None
    return rows[:limit], len(rows) > limit


def vouchers_count(*, search: str) -> int:
    try:
        return conf.get_voucher_source().voucher_count(search=(search or "")[:MAX_SEARCH])
    except CouponTemporaryError as error:
        raise _host_unavailable(error) from None


def _host_unavailable(error: CouponTemporaryError) -> DistributionError:
    message = _("The shop's vouchers cannot be read right now (%(code)s); try again later.") % {
        "code": error.code
    }
    return DistributionError(CouponErrorCode.HOST_UNAVAILABLE, str(message))


def coupon_stocks_for_vouchers(*, voucher_ids: list[str]) -> dict[str, list[CouponStock]]:
    """The stocks of many vouchers in one query (a page of the vouchers list)."""
    stocks: dict[str, list[CouponStock]] = {voucher_id: [] for voucher_id in voucher_ids}
    for stock in CouponStock.objects.filter(voucher_id__in=voucher_ids).order_by("pk"):
        stocks[stock.voucher_id].append(stock)
    return stocks


def coupon_note_counts_for_vouchers(*, voucher_ids: list[str]) -> dict[str, dict[CouponNote, int]]:
    """``coupon_note_counts`` of many vouchers in one query."""
    rows = (
        IssuedCoupon.objects.filter(stock__voucher_id__in=voucher_ids)
        .exclude(note="")
        .order_by()
        .values("stock__voucher_id")
        .annotate(
            **{note.value: Count("pk", filter=Q(note__startswith=f"{note.value}:")) for note in CouponNote}
        )
    )
    counts: dict[str, dict[CouponNote, int]] = {voucher_id: {} for voucher_id in voucher_ids}
    for row in rows:
        counts[row["stock__voucher_id"]] = {
            note: row[note.value] for note in CouponNote if row.get(note.value)
        }
    return counts
