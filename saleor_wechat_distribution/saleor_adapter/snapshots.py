"""Saleor objects -> the core's DTOs, by attribute access only (no ``saleor`` import), so the mapping is
tested with plain objects in the core's suite and with real Saleor orders in the ``saleor`` tier.

Ids are Saleor's GraphQL global ids (``Product:<pk>`` base64), the ids staff see in the dashboard and
use in commission rules; the customer is Saleor's user pk, as in :class:`~..ports.Principal`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from graphql_relay import to_global_id

from ..order_identities import IDENTITIES_METADATA_KEY as IDENTITIES_METADATA_KEY
from ..order_identities import identities_from_metadata, merged_identities
from ..ports import LineSnapshot, OrderSnapshot, WeChatIdentityRef


def global_id(type_name: str, pk: Any) -> str:
    return to_global_id(type_name, str(pk))


def _amount(value: Any) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def line_snapshot(line: Any) -> LineSnapshot:
    """One ``OrderLine``. ``total_price_net_amount`` is the line after every discount (catalogue
    promotions are in ``base_unit_price``, vouchers and order discounts spread into the total), net of
    tax and without shipping: what commissions are computed on."""
    variant = getattr(line, "variant", None)
    product = getattr(variant, "product", None) if variant is not None else None
    category_id = getattr(product, "category_id", None) if product is not None else None
    return LineSnapshot(
        line_id=global_id("OrderLine", line.id),
        product_id=global_id("Product", product.pk) if product is not None else "",
        variant_id=global_id("ProductVariant", line.variant_id) if line.variant_id else "",
        category_id=global_id("Category", category_id) if category_id is not None else None,
        quantity=int(line.quantity),
        net_total=_amount(line.total_price_net_amount),
    )


def _identities(user: Any) -> tuple[WeChatIdentityRef, ...]:
    return identities_from_metadata(getattr(user, "private_metadata", None))


def order_snapshot(
    order: Any, lines: Iterable[Any] | None = None, linked: Iterable[tuple[str, str]] = ()
) -> OrderSnapshot:
    """One Saleor ``Order`` (its lines from ``lines`` or ``order.lines.all()``); ``linked``: the
    (app id, openid) pairs the core's identity model links to the order's user, before those of the
    user's private metadata (duplicates dropped)."""
    if lines is None:
        lines = order.lines.all()
    metadata = order.metadata if isinstance(getattr(order, "metadata", None), Mapping) else {}
    user = getattr(order, "user", None) if getattr(order, "user_id", None) else None
    return OrderSnapshot(
        order_id=global_id("Order", order.id),
        number=str(order.number),
        channel=order.channel.slug,
        currency=order.currency,
        lines=tuple(line_snapshot(line) for line in lines),
        user_id=order.user_id,
        email=order.user_email or "",
        shipping_net=_amount(order.shipping_price_net_amount),
        voucher_code=order.voucher_code or None,
        checkout_id=str(order.checkout_token) if order.checkout_token else None,
        metadata={str(k): str(v) for k, v in metadata.items() if isinstance(v, str | int)},
        identities=merged_identities(linked, _identities(user) if user is not None else ()),
        created_at=order.created_at,
        **_charges(order),
    )


def _charges(order: Any) -> dict[str, Decimal]:
    """The order's gross total and what is charged of it now: Saleor keeps ``total_charged_amount`` net
    of refunds (a transaction's charged value drops as refunds succeed; a legacy payment's captured
    amount too), and counts every charge, so a duplicate capture shows as overcharged."""
    total = getattr(order, "total_gross_amount", None)
    charged = getattr(order, "total_charged_amount", None)
    if total is None or charged is None:
        return {}
    return {"total_gross": _amount(total), "charged": _amount(charged)}
