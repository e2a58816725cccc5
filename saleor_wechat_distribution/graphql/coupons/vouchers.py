"""The vouchers list of the staff console's card-pack coupons page: the host's vouchers (newest first,
keyset-paged, searchable), each with its WeChat coupon sync state. A page costs the same statements
whatever its size: the vouchers, their stocks and their coupon notes are each read in one query."""

from __future__ import annotations

from typing import Any

import graphene
from graphene import relay

from ...domain.errors import DistributionError
from ...selectors.coupons import (
    coupon_note_counts_for_vouchers,
    coupon_stocks_for_vouchers,
    vouchers_count,
    vouchers_page,
)
from ..core.connection import CountableConnection, _decode, _encode, page_size
from ..core.errors import QueryError
from .types import VoucherCoupon, voucher_coupon


class CouponVoucher(graphene.ObjectType):
    voucher_id = graphene.ID(required=True, description="The Saleor voucher's id.")
    name = graphene.String(required=True)
    channel = graphene.String(required=True, description="The channel its coupons are synced for.")
    code_count = graphene.Int(required=True, description="Its active codes.")
    active = graphene.Boolean(
        required=True, description="Usable now (listed in an active channel, not ended)."
    )
    coupon = graphene.Field(VoucherCoupon, required=True, description="Its WeChat coupon sync state.")

    class Meta:
        description = "A Saleor voucher and its WeChat Pay coupon stocks (the console's coupons list)."


class CouponVoucherCountableConnection(CountableConnection):
    class Meta:
        node = CouponVoucher

    @staticmethod
    def resolve_total_count(root: Any, info: Any) -> int:
        return vouchers_count(search=root.search)


def voucher_coupons_connection(*, first: int | None, after: str | None, search: str | None) -> Any:
    size = page_size(first)
    search = (search or "").strip()
    position = _decode(after, int) if after else None
    try:
        rows, has_next = vouchers_page(search=search, after=position, limit=size)
    except DistributionError as error:
        raise QueryError(str(error.message), code=error.code.value.upper(), field=error.field) from None
    ids = [row.voucher_id for row in rows]
    stocks = coupon_stocks_for_vouchers(voucher_ids=ids)
    notes = coupon_note_counts_for_vouchers(voucher_ids=ids)
    edges = []
    for row in rows:
        coupon = voucher_coupon(row.voucher_id, stocks.get(row.voucher_id, []))
        coupon.note_counts = notes.get(row.voucher_id, {})
        node = CouponVoucher(
            voucher_id=row.voucher_id,
            name=row.name,
            channel=row.channel,
            code_count=row.code_count,
            active=row.active,
            coupon=coupon,
        )
        edges.append(CouponVoucherCountableConnection.Edge(node=node, cursor=_encode(row.position)))
    connection = CouponVoucherCountableConnection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=has_next,
            has_previous_page=bool(after),
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
    connection.search = search
    return connection
