from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution.db.upserts import insert_row, insert_rows_unless_exist, insert_unless_exists
from saleor_wechat_distribution.models import BindingChange, Commission, CustomerBinding
from saleor_wechat_distribution.testing.factories import make_distributor

pytestmark = pytest.mark.django_db


def _binding(distributor, key: str = "user:1") -> CustomerBinding:
    now = timezone.now()
    return CustomerBinding(
        channel="c", customer_key=key, distributor=distributor, source="link", code="X",
        bound_at=now, expires_at=None, protected_until=now + timedelta(days=1),
    )  # fmt: skip


def test_insert_row_saves_and_fills_auto_fields():
    d = make_distributor()
    binding = _binding(d)
    insert_row(binding)
    assert binding.pk is not None and not binding._state.adding
    stored = CustomerBinding.objects.get(pk=binding.pk)
    assert stored.distributor_id == d.pk and stored.updated_at is not None


def test_insert_unless_exists_inserts_once_and_its_follower_only_then():
    d = make_distributor()
    first = _binding(d)
    change = BindingChange(from_distributor_id=None, to_distributor_id=d.pk, source="link", code="X")
    assert insert_unless_exists(
        first, conflict_fields=["channel", "customer_key"], then=change, link="binding"
    )
    assert first.pk is not None
    again = _binding(d)
    other_change = BindingChange(from_distributor_id=None, to_distributor_id=d.pk, source="link", code="Y")
    assert not insert_unless_exists(
        again, conflict_fields=["channel", "customer_key"], then=other_change, link="binding"
    )
    assert again.pk is None
    assert CustomerBinding.objects.count() == 1
    assert list(BindingChange.objects.values_list("binding_id", "code")) == [(first.pk, "X")]


def test_insert_unless_exists_without_conflict_fields_means_any_unique_constraint():
    d = make_distributor()
    assert insert_unless_exists(_binding(d, "user:2"), conflict_fields=[])
    assert not insert_unless_exists(_binding(d, "user:2"), conflict_fields=[])
    assert CustomerBinding.objects.filter(customer_key="user:2").count() == 1


def test_insert_rows_unless_exist_fills_defaults_and_skips_conflicts():
    d = make_distributor()
    row = {
        "order_id": "O1", "line_id": "L1", "channel": "c", "distributor_id": d.pk, "level": 1,
        "currency": "CNY", "base": Decimal("100.00"), "rate": Decimal("10"), "fixed_amount": None,
        "amount": Decimal("10.00"), "status": Commission.Status.FROZEN, "paid_at": timezone.now(),
        "generation": 0,
    }  # fmt: skip
    insert_rows_unless_exist(Commission, [row, {**row, "level": 2, "amount": Decimal("3.00")}])
    insert_rows_unless_exist(Commission, [{**row, "amount": Decimal("99.00")}])  # the same key: skipped
    insert_rows_unless_exist(Commission, [])
    stored = list(Commission.objects.order_by("level"))
    assert [(c.level, c.amount) for c in stored] == [(1, Decimal("10.00")), (2, Decimal("3.00"))]
    assert all(c.reversed_amount == 0 and c.created_at is not None and c.settled_at is None for c in stored)
