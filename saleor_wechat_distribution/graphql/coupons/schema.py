"""Coupons (商家券) in the schema: a voucher's sync state for staff, issuing parameters for customers."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext

from ...domain.errors import DistributionError
from ...domain.permissions import Permission
from ...selectors.coupons import coupon_issue_params, coupon_stocks_for_voucher
from ..core.errors import QueryError
from ..core.permissions import login_required, permission_required
from .types import (
    CouponIssueParams,
    H5CouponParams,
    MiniProgramCouponParams,
    SendCouponParam,
    VoucherCoupon,
    voucher_coupon,
)
from .vouchers import CouponVoucherCountableConnection, voucher_coupons_connection


def _query_error(error: DistributionError) -> QueryError:
    return QueryError(gettext(str(error.message)), code=error.code.value.upper(), field=error.field)


class CouponQueries(graphene.ObjectType):
    voucher_coupon = graphene.Field(
        VoucherCoupon,
        voucher_id=graphene.ID(required=True, description="The Saleor voucher's id."),
        description="Staff: a voucher's WeChat coupon sync state. Requires MANAGE_DISCOUNTS.",
    )
    voucher_coupons = graphene.Field(
        CouponVoucherCountableConnection,
        required=True,
        first=graphene.Int(description="Page size, 1-100 (default 20)."),
        after=graphene.String(),
        search=graphene.String(description="A part of the name, or a voucher id or code."),
        description="Staff: the vouchers, newest first, each with its WeChat coupon sync state. Requires "
        "MANAGE_DISCOUNTS.",
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
    @permission_required(Permission.MANAGE_DISCOUNTS)
    def resolve_voucher_coupons(
        root: Any, info: Any, *, first: int | None = None, after: str | None = None, search: str | None = None
    ) -> CouponVoucherCountableConnection:
        return voucher_coupons_connection(first=first, after=after, search=search)

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
