"""Order snapshots for tests and the sandbox's demo orders, shaped as the Saleor adapter builds them."""

from __future__ import annotations

import itertools
from decimal import Decimal

from ..domain.referrals import REF_METADATA_KEY
from ..ports import LineSnapshot, OrderSnapshot, WeChatIdentityRef

_numbers = itertools.count(1)


def line(
    net: str | Decimal,
    *,
    quantity: int = 1,
    product: str = "P1",
    category: str | None = "C1",
    line_id: str | None = None,
) -> LineSnapshot:
    n = next(_numbers)
    return LineSnapshot(
        line_id=line_id or f"L{n}",
        product_id=product,
        variant_id=f"{product}-V",
        category_id=category,
        quantity=quantity,
        net_total=Decimal(net),
    )


def order(
    *lines: LineSnapshot,
    ref: str | None = None,
    user_id: int | None = None,
    channel: str = "default-channel",
    currency: str = "CNY",
    voucher_code: str | None = None,
    checkout_id: str | None = None,
    shipping: str = "0",
    identities: tuple[tuple[str, str], ...] = (),
    order_id: str | None = None,
) -> OrderSnapshot:
    n = next(_numbers)
    return OrderSnapshot(
        order_id=order_id or f"order-{n}",
        number=str(n),
        channel=channel,
        currency=currency,
        lines=lines or (line("100.00"),),
        user_id=user_id,
        email=f"buyer{user_id}@example.com" if user_id else "guest@example.com",
        shipping_net=Decimal(shipping),
        voucher_code=voucher_code,
        checkout_id=checkout_id,
        metadata={REF_METADATA_KEY: ref} if ref else {},
        identities=tuple(WeChatIdentityRef(app_id=a, openid=o) for a, o in identities),
    )
