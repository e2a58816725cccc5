from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_wechat_distribution.db.referrals import attribution_of_order, bindings_of_keys
from saleor_wechat_distribution.models import CustomerBinding, OrderAttribution
from saleor_wechat_distribution.testing.factories import make_distributor

pytestmark = pytest.mark.django_db


def test_attribution_of_order():
    d = make_distributor()
    made = OrderAttribution.objects.create(
        order_id="O1", channel="c", currency="CNY", distributor=d, decided_at=timezone.now(), policy_version=1
    )
    found = attribution_of_order("O1")
    assert found is not None and found.pk == made.pk and found.distributor_id == d.pk
    assert attribution_of_order("O2") is None


def test_bindings_of_keys_in_one_channel():
    d = make_distributor()
    now = timezone.now()
    for channel, key in (("c", "user:1"), ("c", "wx:app:o1"), ("other", "user:1"), ("c", "user:2")):
        CustomerBinding.objects.create(
            channel=channel, customer_key=key, distributor=d, source="link", bound_at=now,
            protected_until=now + timedelta(days=1),
        )  # fmt: skip
    found = bindings_of_keys(channel="c", keys=["user:1", "wx:app:o1", "user:9"])
    assert sorted((b.channel, b.customer_key) for b in found) == [("c", "user:1"), ("c", "wx:app:o1")]
