"""Coupon (商家券) types: the sync state staff follow, and the issuing parameters storefronts use."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext

from ...domain.coupons import COUPON_NOTE_MESSAGES, CouponSyncStatus, parse_coupon_note
from ...models import CouponStock as CouponStockModel
from ...models import IssuedCoupon as IssuedCouponModel
from ...selectors.coupons import coupon_note_counts, coupons_with_note
from ..core.connection import CountableConnection, keyset_connection
from ..enums import CouponNoteEnum, CouponSyncStatusEnum, IssuedCouponStateEnum


class CouponRejectedCode(graphene.ObjectType):
    code = graphene.String(required=True)
    reason = graphene.String(required=True)

    class Meta:
        description = "A voucher code WeChat Pay (or our own check) refused."


class CouponStockNotice(graphene.ObjectType):
    code = graphene.String(required=True, description="NAME_NOT_UPDATABLE, BUDGET_BELOW_ISSUED.")
    message = graphene.String(required=True)

    class Meta:
        description = "A voucher edit WeChat Pay cannot take while the coupons keep working."


class CouponStockSync(graphene.ObjectType):
    """A voucher's stock in one merchant, for one app id's users."""

    mchid = graphene.String(required=True)
    app_id = graphene.String(required=True)
    kind = graphene.String(required=True, description="busifavor (商家券) or card (a linked legacy 卡券).")
    stock_id = graphene.String(description="WeChat Pay's stock id (the card id of a legacy card).")
    status = CouponSyncStatusEnum(required=True)
    codes_uploaded = graphene.Int(required=True)
    codes_total = graphene.Int(required=True)
    progress = graphene.Float(required=True, description="codesUploaded / codesTotal, 0..1.")
    error_code = graphene.String(description="WeChat Pay's error code or ours, while failing.")
    error_message = graphene.String()
    rejected_count = graphene.Int(required=True)
    rejected_codes = graphene.List(graphene.NonNull(CouponRejectedCode), required=True)
    notices = graphene.List(
        graphene.NonNull(CouponStockNotice),
        required=True,
        description="Voucher edits WeChat Pay cannot take (e.g. a new name: the card pack keeps the old).",
    )
    attempts = graphene.Int(required=True)
    updated_at = graphene.DateTime(required=True)
    synced_at = graphene.DateTime()

    class Meta:
        description = "Sync state of a voucher's WeChat Pay merchant coupon stock."

    @staticmethod
    def resolve_progress(root: CouponStockModel, info: Any) -> float:
        return 1.0 if not root.codes_total else min(1.0, root.codes_uploaded / root.codes_total)

    @staticmethod
    def resolve_error_code(root: CouponStockModel, info: Any) -> str | None:
        return root.error_code or None

    @staticmethod
    def resolve_error_message(root: CouponStockModel, info: Any) -> str | None:
        return root.error_message or None

    @staticmethod
    def resolve_stock_id(root: CouponStockModel, info: Any) -> str | None:
        return root.stock_id or None

    @staticmethod
    def resolve_notices(root: CouponStockModel, info: Any) -> list[CouponStockNotice]:
        return [
            CouponStockNotice(code=str(n.get("code", "")), message=str(n.get("message", "")))
            for n in root.notices or ()
            if isinstance(n, dict)
        ]


class CouponNoteCount(graphene.ObjectType):
    note = CouponNoteEnum(required=True)
    count = graphene.Int(required=True, description="Handed-out coupons of the voucher with this note.")
    message = graphene.String(required=True, description="What the note means (translated).")

    class Meta:
        description = "How many of a voucher's coupons WeChat could not handle one way."


class NotedCoupon(graphene.ObjectType):
    code = graphene.String(required=True, description="The coupon code (the voucher code).")
    app_id = graphene.String(required=True)
    stock_id = graphene.String(description="The stock (or legacy card id) it was handed out from.")
    state = IssuedCouponStateEnum(required=True)
    order_id = graphene.ID(description="The order that used it, if any.")
    note = CouponNoteEnum(description="Null for a note without a known code.")
    message = graphene.String(required=True, description="What the note means (translated).")
    detail = graphene.String(description="WeChat's or our own detail (errcode, order), untranslated.")
    updated_at = graphene.DateTime(required=True)

    class Meta:
        description = "A handed-out coupon WeChat could not handle (see note)."

    @staticmethod
    def resolve_stock_id(root: IssuedCouponModel, info: Any) -> str | None:
        return root.stock.stock_id or None

    @staticmethod
    def resolve_order_id(root: IssuedCouponModel, info: Any) -> str | None:
        return root.order_id or None

    @staticmethod
    def resolve_note(root: IssuedCouponModel, info: Any) -> str | None:
        code, _detail = parse_coupon_note(root.note)
        return code.value if code else None

    @staticmethod
    def resolve_message(root: IssuedCouponModel, info: Any) -> str:
        code, detail = parse_coupon_note(root.note)
        return gettext(COUPON_NOTE_MESSAGES[code]) if code else detail

    @staticmethod
    def resolve_detail(root: IssuedCouponModel, info: Any) -> str | None:
        code, detail = parse_coupon_note(root.note)
        return (detail or None) if code else None


class NotedCouponCountableConnection(CountableConnection):
    class Meta:
        node = NotedCoupon


class VoucherCoupon(graphene.ObjectType):
    voucher_id = graphene.ID(required=True)
    status = CouponSyncStatusEnum(description="The worst state over the stocks; null when none exists yet.")
    stocks = graphene.List(graphene.NonNull(CouponStockSync), required=True)
    coupon_notes = graphene.List(
        graphene.NonNull(CouponNoteCount),
        required=True,
        description="Per note, how many handed-out coupons WeChat could not handle (absent notes left out).",
    )
    noted_coupons = graphene.Field(
        NotedCouponCountableConnection,
        required=True,
        first=graphene.Int(description="Page size, 1-100 (default 20)."),
        after=graphene.String(),
        note=CouponNoteEnum(description="Only coupons with this note."),
        description="Handed-out coupons with a note, newest first.",
    )

    class Meta:
        description = "A Saleor voucher as WeChat Pay merchant coupons (商家券) in users' card packs."

    @staticmethod
    def resolve_coupon_notes(root: VoucherCoupon, info: Any) -> list[CouponNoteCount]:
        counts = getattr(root, "note_counts", None)  # read beforehand for a page of vouchers
        if counts is None:
            counts = coupon_note_counts(voucher_id=str(root.voucher_id))
        return [
            CouponNoteCount(note=note.value, count=count, message=gettext(COUPON_NOTE_MESSAGES[note]))
            for note, count in counts.items()
        ]

    @staticmethod
    def resolve_noted_coupons(
        root: VoucherCoupon,
        info: Any,
        *,
        first: int | None = None,
        after: str | None = None,
        note: str | None = None,
    ) -> NotedCouponCountableConnection:
        queryset = coupons_with_note(voucher_id=str(root.voucher_id), note=note)
        connection = NotedCouponCountableConnection
        return keyset_connection(queryset, connection, key="-pk", first=first, after=after)


_ORDER = [
    CouponSyncStatus.FAILED,
    CouponSyncStatus.SYNCING,
    CouponSyncStatus.PENDING,
    CouponSyncStatus.DEACTIVATED,
    CouponSyncStatus.SYNCED,
]


def voucher_coupon(voucher_id: str, stocks: list[CouponStockModel]) -> VoucherCoupon:
    states = {CouponSyncStatus(s.status) for s in stocks}
    status = next((s for s in _ORDER if s in states), None)
    return VoucherCoupon(voucher_id=voucher_id, status=status.value if status else None, stocks=stocks)


class SendCouponParam(graphene.ObjectType):
    stock_id = graphene.String(required=True)
    out_request_no = graphene.String(required=True)


class MiniProgramCouponParams(graphene.ObjectType):
    send_coupon_params = graphene.List(graphene.NonNull(SendCouponParam), required=True)
    send_coupon_merchant = graphene.String(required=True)
    sign = graphene.String(required=True)

    class Meta:
        description = "Attributes of the mini-program 发券插件 (send-coupon component)."


class H5CouponParams(graphene.ObjectType):
    url = graphene.String(required=True, description="Redirect the user here (H5 发券).")
    stock_id = graphene.String(required=True)
    out_request_no = graphene.String(required=True)
    send_coupon_merchant = graphene.String(required=True)
    open_id = graphene.String(required=True)
    sign = graphene.String(required=True)


class CouponIssueParams(graphene.ObjectType):
    stock_id = graphene.String(required=True)
    app_id = graphene.String(required=True)
    send_coupon_merchant = graphene.String(required=True)
    out_request_no = graphene.String(required=True)
    mini_program = graphene.Field(MiniProgramCouponParams, required=True)
    h5 = graphene.Field(H5CouponParams, description="Null when the customer has no openid in that app yet.")

    class Meta:
        description = "Signed parameters a storefront needs to put a voucher's coupon into the card pack."
