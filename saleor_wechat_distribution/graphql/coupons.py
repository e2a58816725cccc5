"""Coupons (商家券) in the schema: the sync state staff follow, and the issuing parameters storefronts use."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext

from ..domain.coupons import CouponSyncStatus
from ..domain.errors import DistributionError
from ..domain.permissions import Permission
from ..models import CouponStock as CouponStockModel
from ..selectors.coupons import coupon_issue_params, coupon_stocks_for_voucher
from .core.errors import QueryError
from .core.permissions import login_required, permission_required
from .enums import CouponSyncStatusEnum


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


class VoucherCoupon(graphene.ObjectType):
    voucher_id = graphene.ID(required=True)
    status = CouponSyncStatusEnum(description="The worst state over the stocks; null when none exists yet.")
    stocks = graphene.List(graphene.NonNull(CouponStockSync), required=True)

    class Meta:
        description = "A Saleor voucher as WeChat Pay merchant coupons (商家券) in users' card packs."


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


def _query_error(error: DistributionError) -> QueryError:
    return QueryError(gettext(str(error.message)), code=error.code.value.upper(), field=error.field)


class CouponQueries(graphene.ObjectType):
    voucher_coupon = graphene.Field(
        VoucherCoupon,
        voucher_id=graphene.ID(required=True, description="The Saleor voucher's id."),
        description="Staff: a voucher's WeChat coupon sync state. Requires MANAGE_DISCOUNTS.",
    )
    coupon_issue_params = graphene.Field(
        CouponIssueParams,
        voucher_id=graphene.ID(required=True, description="The Saleor voucher's id."),
        app_id=graphene.String(description="The app (mini program / Official Account) issuing it."),
        description="Signed-in customer: parameters to take a voucher's coupon into the WeChat card pack.",
    )

    @staticmethod
    @permission_required(Permission.MANAGE_DISCOUNTS)
    def resolve_voucher_coupon(root: Any, info: Any, *, voucher_id: str) -> VoucherCoupon:
        try:
            stocks = list(coupon_stocks_for_voucher(voucher_id=voucher_id))
        except DistributionError as error:
            raise _query_error(error) from None
        return voucher_coupon(voucher_id, stocks)

    @staticmethod
    @login_required
    def resolve_coupon_issue_params(
        root: Any, info: Any, *, voucher_id: str, app_id: str | None = None
    ) -> CouponIssueParams:
        try:
            params = coupon_issue_params(
                voucher_id=voucher_id, principal=info.context.principal, app_id=(app_id or "")[:32] or None
            )
        except DistributionError as error:
            raise _query_error(error) from None
        mini = params["mini_program"]
        return CouponIssueParams(
            stock_id=params["stock_id"],
            app_id=params["app_id"],
            send_coupon_merchant=params["send_coupon_merchant"],
            out_request_no=params["out_request_no"],
            mini_program=MiniProgramCouponParams(
                send_coupon_params=[SendCouponParam(**p) for p in mini["send_coupon_params"]],
                send_coupon_merchant=mini["send_coupon_merchant"],
                sign=mini["sign"],
            ),
            h5=H5CouponParams(**params["h5"]) if params["h5"] else None,
        )
