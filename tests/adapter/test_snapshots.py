"""Saleor order objects -> OrderSnapshot, with plain objects shaped like Saleor's models."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace as NS

from graphql_relay import from_global_id

from saleor_wechat_distribution.ports import order_from_payload, order_to_payload
from saleor_wechat_distribution.saleor_adapter.snapshots import IDENTITIES_METADATA_KEY, order_snapshot


def make_order(**overrides):
    product = NS(pk=7, category_id=3)
    lines = [
        NS(id=uuid.uuid4(), variant=NS(product=product), variant_id=11, quantity=2,
           total_price_net_amount=Decimal("180.00")),
        NS(id=uuid.uuid4(), variant=None, variant_id=None, quantity=1,
           total_price_net_amount=Decimal("9.90")),
    ]  # fmt: skip
    order = NS(
        id=uuid.uuid4(), number=42, channel=NS(slug="cn"), currency="CNY", user_id=5, user_email="a@b.cn",
        user=NS(private_metadata={IDENTITIES_METADATA_KEY: json.dumps({"wx0123456789abcdef": "o-openid"})},
                metadata={IDENTITIES_METADATA_KEY: json.dumps({"wx0123456789abcdef": "o-claimed"})}),
        shipping_price_net_amount=Decimal("10.00"), voucher_code="JOE10", checkout_token=uuid.uuid4(),
        metadata={"wechat_distribution.ref": "ABCD", "n": 1, "nested": {"x": 1}},
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    for key, value in overrides.items():
        setattr(order, key, value)
    return order, lines


def test_order_lines_ids_and_amounts():
    order, lines = make_order()
    snap = order_snapshot(order, lines)
    assert from_global_id(snap.order_id) == ("Order", str(order.id))
    assert (snap.number, snap.channel, snap.currency, snap.user_id) == ("42", "cn", "CNY", 5)
    first, deleted = snap.lines
    assert from_global_id(first.product_id) == ("Product", "7")
    assert from_global_id(first.variant_id) == ("ProductVariant", "11")
    assert from_global_id(first.category_id) == ("Category", "3")
    assert (first.quantity, first.net_total) == (2, Decimal("180.00"))
    # a line whose variant was deleted still counts, without product scope
    assert (deleted.product_id, deleted.variant_id, deleted.category_id) == ("", "", None)
    assert snap.shipping_net == Decimal("10.00") and snap.voucher_code == "JOE10"
    assert snap.checkout_id == str(order.checkout_token)
    assert snap.metadata == {"wechat_distribution.ref": "ABCD", "n": "1"}  # no nested values
    assert [(i.app_id, i.openid) for i in snap.identities] == [("wx0123456789abcdef", "o-openid")]
    assert order_from_payload(json.loads(json.dumps(order_to_payload(snap)))) == snap


def test_guest_order_and_broken_identity_metadata():
    order, lines = make_order(user_id=None, user=None, voucher_code=None, checkout_token="")
    snap = order_snapshot(order, lines)
    assert snap.user_id is None and snap.identities == () and snap.voucher_code is None
    assert snap.checkout_id is None
    order, lines = make_order(user=NS(private_metadata={IDENTITIES_METADATA_KEY: "{not json"}))
    assert order_snapshot(order, lines).identities == ()


def test_linked_identities_come_first_and_public_metadata_is_ignored():
    order, lines = make_order()
    snap = order_snapshot(
        order, lines, linked=[("wxaaaaaaaaaaaaaaaa", "o-linked"), ("wx0123456789abcdef", "o-openid")]
    )
    assert [(i.app_id, i.openid) for i in snap.identities] == [
        ("wxaaaaaaaaaaaaaaaa", "o-linked"), ("wx0123456789abcdef", "o-openid"),
    ]  # fmt: skip


def test_the_orders_charges_travel_with_it():
    """Saleor's total and net charged amount (what refunds are measured against, domain.refunds)."""
    order, lines = make_order(total_gross_amount=Decimal("199.90"), total_charged_amount=Decimal("399.80"))
    snap = order_snapshot(order, lines)
    assert (snap.total_gross, snap.charged) == (Decimal("199.90"), Decimal("399.80"))  # charged twice
    assert order_from_payload(json.loads(json.dumps(order_to_payload(snap)))) == snap
    unknown = order_snapshot(make_order()[0], lines)  # a host object without them: nothing bounds refunds
    assert (unknown.total_gross, unknown.charged) == (None, None)
    assert "charges" not in order_to_payload(unknown)
