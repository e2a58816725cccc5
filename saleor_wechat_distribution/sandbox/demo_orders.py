"""Demo orders for the sandbox: placed, paid, fulfilled, refunded and cancelled through the same host
interface Saleor's plugin hooks use (``host_events``), so the whole commission lifecycle can be tried
without Saleor. Fulfilment is back-dated past the after-sales window, then settlement runs."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from .. import host_events
from ..models import Distributor
from ..ports import LineSnapshot, OrderSnapshot
from ..selectors.commissions import balance_of
from ..services.commissions import commissions_settle_due
from .seed import DEMO_CHANNEL

CATALOG = [
    ("fridge-bcd-520", "refrigerators", Decimal("3999.00")),
    ("aircon-kfr-35", "air-conditioners", Decimal("2699.00")),
    ("washer-xqg-100", "washing-machines", Decimal("1899.00")),
    ("kettle-sw-15", "small-appliances", Decimal("129.00")),
]


def _order(distributor: Distributor, n: int, buyer: int) -> OrderSnapshot:
    product, category, price = CATALOG[n % len(CATALOG)]
    quantity = 1 + n % 2
    return OrderSnapshot(
        order_id=f"demo-{uuid.uuid4().hex[:12]}",
        number=str(10_000 + n),
        channel=DEMO_CHANNEL,
        currency="CNY",
        lines=(
            LineSnapshot(
                line_id=f"line-{n}-1",
                product_id=product,
                variant_id=f"{product}-std",
                category_id=category,
                quantity=quantity,
                net_total=price * quantity,
            ),
        ),
        user_id=buyer,
        email=f"buyer{buyer}@example.com",
        shipping_net=Decimal("20.00"),
        metadata={"wechat_distribution.ref": distributor.referral_code},
        created_at=timezone.now(),
    )


def place_demo_orders(count: int = 12) -> list[str]:
    """Place ``count`` orders through active demo distributors' links; returns a line per event."""
    sellers = list(Distributor.objects.filter(status="active").order_by("path"))
    if not sellers:
        return ["no active distributors: run the sandbox once to seed them"]
    log: list[str] = []
    long_ago = timezone.now() - timedelta(days=60)
    buyers = itertools.count(20_000 + Distributor.objects.count() * 1000)
    for n in range(count):
        seller = sellers[n % len(sellers)]
        order = _order(seller, n, next(buyers))
        host_events.order_created(order)
        host_events.order_paid(order)
        step = n % 4
        if step == 3:
            host_events.order_cancelled(order.order_id)
            log.append(f"order {order.number} via {seller.display_name}: paid, then cancelled")
            continue
        host_events.order_fulfilled(order.order_id, fulfilled_at=long_ago)
        if step == 2:
            half = (order.lines[0].net_total / 2).quantize(Decimal("0.01"))
            host_events.order_refunded(order, refund_id=f"refund-{order.order_id}", amount=half)
            log.append(f"order {order.number} via {seller.display_name}: fulfilled, half refunded")
        else:
            log.append(f"order {order.number} via {seller.display_name}: fulfilled")
    settled = commissions_settle_due()
    log.append(f"settled {settled} commissions (after-sales windows back-dated)")
    for seller in sellers:
        balance = balance_of(distributor=seller, currency="CNY")
        if balance.available or balance.frozen:
            log.append(
                f"  {seller.display_name}: available {balance.available:.2f}, frozen {balance.frozen:.2f} CNY"
            )
    return log
