from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution.db.rows import fetch, fetch_one, placeholders
from saleor_wechat_distribution.models import ChannelProgram, OrderAttribution

pytestmark = pytest.mark.django_db


def _attribution(order_id: str, **values) -> OrderAttribution:
    return OrderAttribution.objects.create(
        order_id=order_id,
        channel="c",
        currency="CNY",
        decided_at=timezone.now() - timedelta(minutes=1),
        policy_version=3,
        policy={"trigger": "first_order"},
        lines=[{"line_id": "L1", "base": "10.50"}],
        net_total=Decimal("10.5000"),
        **values,
    )


def test_fetch_builds_instances_as_the_orm_would():
    made = _attribution("O1", upline=[{"distributor_id": 7, "level": 1}])
    found = fetch_one(OrderAttribution, "order_id = %s", ["O1"])
    assert found is not None and found.pk == made.pk and not found._state.adding
    orm = OrderAttribution.objects.get(pk=made.pk)
    for field in OrderAttribution._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(orm, field.attname), field.name
    assert found.policy == {"trigger": "first_order"} and found.net_total == Decimal("10.5")
    assert found.decided_at.tzinfo is not None


def test_fetch_many_with_a_tail_and_an_in_list():
    for order_id in ("A", "B", "C"):
        _attribution(order_id)
    ids = ["C", "A", "X"]
    found = fetch(OrderAttribution, f"order_id IN ({placeholders(ids)})", ids, tail="ORDER BY order_id")
    assert [a.order_id for a in found] == ["A", "C"]
    assert fetch_one(OrderAttribution, "order_id = %s", ["nope"]) is None


def test_placeholders():
    assert placeholders([1]) == "%s" and placeholders(["a", "b", "c"]) == "%s, %s, %s"


def test_fetch_reads_a_model_saved_through_the_orm():
    ChannelProgram.objects.create(channel="shop", currency="CNY", commission_depth=2, freeze_days=9)
    program = fetch_one(ChannelProgram, "channel = %s", ["shop"])
    assert program is not None and program.freeze_days == 9 and program.currency == "CNY"
