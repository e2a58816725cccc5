"""Saleor objects -> the core's DTOs, by attribute access only (no ``saleor`` import), so the mapping is
tested with plain objects in the core's suite and with real Saleor orders in the ``saleor`` tier.

Ids are Saleor's GraphQL global ids (``Product:<pk>`` base64), the ids staff see in the dashboard and
use in commission rules; the customer is Saleor's user pk, as in :class:`~..ports.Principal`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from graphql_relay import to_global_id

from ..ports import LineSnapshot, OrderSnapshot, WeChatIdentityRef

#: where a customer's WeChat identities may sit in Saleor user *private* metadata (written by staff and
#: apps only): ``{app_id: openid}`` as JSON. Public metadata is ignored: a customer can write their own,
#: and claiming someone else's openid would take over that person's binding. The core's identity model
#: (``WeChatIdentity`` linked to the user by the OAuth login, ``identity_link_customer``) comes first:
#: the tasks pass those as ``linked``.
IDENTITIES_METADATA_KEY = "wechat_distribution.openids"


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
    metadata = getattr(user, "private_metadata", None) or {}
    raw = metadata.get(IDENTITIES_METADATA_KEY) if isinstance(metadata, Mapping) else None
    if not raw:
        return ()
    try:
        pairs = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return ()
    if not isinstance(pairs, Mapping):
        return ()
    return tuple(
        WeChatIdentityRef(app_id=str(app_id)[:32], openid=str(openid)[:64])
        for app_id, openid in sorted(pairs.items())
        if app_id and openid
    )


def _merged(
    linked: Iterable[tuple[str, str]], from_metadata: tuple[WeChatIdentityRef, ...]
) -> tuple[WeChatIdentityRef, ...]:
    seen: set[tuple[str, str]] = set()
    merged = []
    for ref in [WeChatIdentityRef(app_id=a, openid=o) for a, o in linked] + list(from_metadata):
        if (ref.app_id, ref.openid) not in seen:
            seen.add((ref.app_id, ref.openid))
            merged.append(ref)
    return tuple(merged)


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
        identities=_merged(linked, _identities(user) if user is not None else ()),
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
