from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from saleor_wechat_distribution.db.settlement import settle_batch
from saleor_wechat_distribution.models import Commission, LedgerEntry, OrderHold
from saleor_wechat_distribution.testing.factories import make_distributor

pytestmark = pytest.mark.django_db
Status = Commission.Status


def _commission(distributor, order_id: str, *, status=Status.FROZEN, due=True, amount="10.00", reversed_="0"):
    now = timezone.now()
    return Commission.objects.create(
        order_id=order_id, line_id="L1", channel="c", distributor=distributor, level=1, currency="CNY",
        base=Decimal("100"), amount=Decimal(amount), reversed_amount=Decimal(reversed_), status=status,
        settle_after=now - timedelta(days=1) if due else now + timedelta(days=1),
    )  # fmt: skip


def test_settle_batch_settles_due_frozen_commissions_with_one_credit_each():
    d = make_distributor()
    due = _commission(d, "O1")
    partly_refunded = _commission(d, "O2", reversed_="4.00")
    fully_refunded = _commission(d, "O3", reversed_="10.00")
    not_due = _commission(d, "O4", due=False)
    pending = _commission(d, "O5", status=Status.PENDING)
    held = _commission(d, "O6")
    OrderHold.objects.create(order_id="O6", reason="dispute")
    released = _commission(d, "O7")
    OrderHold.objects.create(order_id="O7", reason="refund_requested", closed_at=timezone.now())
    now = timezone.now()
    with transaction.atomic():
        count, last = settle_batch(now, 100, 0)
    settled = {due.pk, partly_refunded.pk, fully_refunded.pk, released.pk}
    assert (count, last) == (4, max(settled))
    statuses = dict(Commission.objects.values_list("pk", "status"))
    assert {pk for pk, status in statuses.items() if status == Status.AVAILABLE} == settled
    assert (
        statuses[not_due.pk] == statuses[held.pk] == Status.FROZEN and statuses[pending.pk] == Status.PENDING
    )
    assert Commission.objects.get(pk=due.pk).settled_at is not None
    credits = {e.commission_id: e for e in LedgerEntry.objects.all()}
    assert set(credits) == {due.pk, partly_refunded.pk, released.pk}  # nothing left of the refunded one
    assert credits[partly_refunded.pk].amount == Decimal("6.00")
    entry = credits[due.pk]
    assert (entry.kind, entry.idempotency_key, entry.order_id, entry.distributor_id, entry.currency) == (
        LedgerEntry.Kind.COMMISSION,
        f"settle:{due.pk}",
        "O1",
        d.pk,
        "CNY",
    )


def test_settle_batch_walks_ids_upwards_in_batches():
    d = make_distributor()
    made = [_commission(d, f"O{i}") for i in range(5)]
    now = timezone.now()
    with transaction.atomic():
        first = settle_batch(now, 2, 0)
    with transaction.atomic():
        second = settle_batch(now, 2, first[1])
    with transaction.atomic():
        third = settle_batch(now, 2, second[1])
    with transaction.atomic():
        fourth = settle_batch(now, 2, third[1])
    assert [first, second, third] == [(2, made[1].pk), (2, made[3].pk), (1, made[4].pk)]
    assert fourth == (0, made[4].pk)
    assert LedgerEntry.objects.count() == 5
