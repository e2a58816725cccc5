from __future__ import annotations

import pytest

from saleor_wechat_distribution.db.distributors import (
    distributor_events_insert,
    distributor_rows_where_in,
    distributors_of_link_and_buyer,
    distributors_of_user_or_code,
)
from saleor_wechat_distribution.domain.distributors import DistributorStatus
from saleor_wechat_distribution.models import DistributorEvent
from saleor_wechat_distribution.testing.factories import customer, make_distributor

pytestmark = pytest.mark.django_db
ACTIVE = DistributorStatus.ACTIVE.value


def test_distributors_of_user_or_code():
    a = make_distributor()
    b = make_distributor()
    assert {d.pk for d in distributors_of_user_or_code(user_id=a.user_id, code=b.referral_code)} == {
        a.pk,
        b.pk,
    }
    assert [d.pk for d in distributors_of_user_or_code(user_id=a.user_id, code="")] == [a.pk]
    assert [d.pk for d in distributors_of_user_or_code(user_id=-1, code=b.referral_code)] == [b.pk]
    assert distributors_of_user_or_code(user_id=-1, code="NOPE") == []


def test_distributors_of_link_and_buyer():
    parent = make_distributor()
    seller = make_distributor(parent)
    buyer = make_distributor()
    found = distributors_of_link_and_buyer(code=seller.referral_code, status=ACTIVE, user_id=buyer.user_id)
    assert {d.pk for d in found} == {parent.pk, seller.pk, buyer.pk}
    # a suspended seller is not the link, but its parent still comes (the caller decides)
    suspended = make_distributor(parent, status=DistributorStatus.SUSPENDED)
    found = distributors_of_link_and_buyer(code=suspended.referral_code, status=ACTIVE, user_id=None)
    assert [d.pk for d in found] == [parent.pk]
    assert distributors_of_link_and_buyer(code="", status=ACTIVE, user_id=None) == []
    assert [d.pk for d in distributors_of_link_and_buyer(code="", status=ACTIVE, user_id=buyer.user_id)] == [
        buyer.pk
    ]


def test_distributor_rows_where_in():
    nodes = [make_distributor() for _ in range(3)]
    codes = [n.referral_code for n in nodes[:2]] + ["NOPE"]
    rows = distributor_rows_where_in("referral_code", codes, ("pk", "referral_code"))
    assert sorted(rows) == sorted((n.pk, n.referral_code) for n in nodes[:2])
    assert distributor_rows_where_in("referral_code", [], ("pk",)) == []
    many = [f"X{i}" for i in range(1200)] + [nodes[2].referral_code]  # past the portable form's chunk
    assert distributor_rows_where_in("referral_code", many, ("pk",)) == [(nodes[2].pk,)]


def test_distributor_events_insert():
    node = make_distributor()
    before = DistributorEvent.objects.filter(distributor=node).count()
    actor = customer()
    distributor_events_insert(
        distributor=node,
        rows=[("applied", {"inviter": "X"}), ("approved", {})],
        actor="me",
        actor_user_id=actor.user_id,
    )
    made = list(DistributorEvent.objects.filter(distributor=node).order_by("pk"))[before:]
    assert [(e.type, e.data, e.actor, e.actor_user_id) for e in made] == [
        ("applied", {"inviter": "X"}, "me", actor.user_id),
        ("approved", {}, "me", actor.user_id),
    ]
    assert all(e.created_at is not None for e in made)
