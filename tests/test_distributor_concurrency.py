"""Concurrent writers on a real PostgreSQL server: the tree and its counters stay exact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition

from saleor_wechat_distribution import host
from saleor_wechat_distribution.conf import ProgramConfig
from saleor_wechat_distribution.domain.distributors import DistributorKind, DistributorStatus
from saleor_wechat_distribution.domain.errors import DistributionError
from saleor_wechat_distribution.domain.errors import DistributorErrorCode as Code
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import Distributor
from saleor_wechat_distribution.services.distributors import (
    distributor_apply,
    distributor_approve,
    distributor_move,
)
from saleor_wechat_distribution.testing.concurrency import run_concurrently
from saleor_wechat_distribution.testing.factories import customer, make_chain, make_distributor, staff

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row and advisory locks need PostgreSQL"),
]
ADMIN = staff(Permission.MANAGE_USERS)


def assert_tree_consistent() -> None:
    assert Distributor.objects.find_problems() == ([], [], [], [], [])
    for node in Distributor.objects.all():
        members = Distributor.objects.filter(
            path__startswith=node.path, depth__gt=node.depth, status__in=["active", "suspended"]
        ).count()
        assert node.team_size == members, node


@pytest.mark.parametrize("auto", [False, True])
def test_concurrent_applications_under_one_parent(auto, request):
    if auto:
        request.getfixturevalue("auto_approve")
    chain = make_chain(3)
    parent = chain[-1]
    results = run_concurrently(
        [
            (
                lambda: distributor_apply(
                    principal=customer(), display_name="x", inviter_code=parent.referral_code
                )
            )
            for _ in range(8)
        ]
    )
    assert all(isinstance(r, Distributor) for r in results), results
    assert len({r.path for r in results}) == 8
    parent.refresh_from_db()
    assert parent.numchild == 8
    assert_tree_consistent()


def test_concurrent_applications_under_many_parents_and_roots(auto_approve):
    parents = [make_distributor(kind=DistributorKind.ENTERPRISE) for _ in range(3)]
    calls = [
        (lambda p=p: distributor_apply(principal=customer(), display_name="x", inviter_code=p.referral_code))
        for p in parents * 2
    ]
    calls += [(lambda: distributor_apply(principal=customer(), display_name="root")) for _ in range(3)]
    results = run_concurrently(calls)
    assert all(isinstance(r, Distributor) for r in results), results
    assert_tree_consistent()


def test_same_customer_applying_twice_at_once_gets_one_node():
    principal = customer()
    results = run_concurrently([(lambda: distributor_apply(principal=principal, display_name="me"))] * 4)
    nodes = [r for r in results if isinstance(r, Distributor)]
    errors = [r for r in results if isinstance(r, DistributionError)]
    assert len(nodes) == 1 and len(errors) == 3, results
    assert {e.code for e in errors} == {Code.ALREADY_APPLIED}
    assert Distributor.objects.filter(user_id=principal.user_id).count() == 1


def test_double_approval_counts_once():
    root = make_distributor(kind=DistributorKind.ENTERPRISE)
    pending = make_distributor(root, status=DistributorStatus.PENDING)
    results = run_concurrently([lambda: distributor_approve(actor=ADMIN, distributor_id=pending.pk)] * 6)
    assert sum(isinstance(r, Distributor) for r in results) == 1
    assert {r.code for r in results if isinstance(r, DistributionError)} == {Code.INVALID_STATUS}
    root.refresh_from_db()
    assert root.team_size == 1


def test_moves_interleaved_with_applications_and_approvals():
    a = make_chain(4)
    b = make_chain(2)
    pendings = [make_distributor(a[2], status=DistributorStatus.PENDING) for _ in range(3)]
    host.update(program_config=lambda channel: ProgramConfig(auto_approve=True))  # applications count at once
    calls: list[Callable[[], Any]] = [
        lambda: distributor_move(actor=ADMIN, distributor_id=a[1].pk, new_parent_id=b[1].pk),
        lambda: distributor_move(actor=ADMIN, distributor_id=b[0].pk, new_parent_id=a[0].pk),
    ]
    calls += [(lambda p=p: distributor_approve(actor=ADMIN, distributor_id=p.pk)) for p in pendings]
    calls += [
        (lambda n=n: distributor_apply(principal=customer(), display_name="x", inviter_code=n.referral_code))
        for n in (a[3], a[2], b[1])
    ]
    results = run_concurrently(calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert_tree_consistent()


def test_crossing_moves_never_make_a_cycle():
    x = make_distributor(kind=DistributorKind.ENTERPRISE)
    y = make_distributor(kind=DistributorKind.ENTERPRISE)
    results = run_concurrently(
        [
            lambda: distributor_move(actor=ADMIN, distributor_id=x.pk, new_parent_id=y.pk),
            lambda: distributor_move(actor=ADMIN, distributor_id=y.pk, new_parent_id=x.pk),
        ]
    )
    errors = [r for r in results if isinstance(r, DistributionError)]
    assert len(errors) == 1 and errors[0].code == Code.MOVE_INTO_OWN_SUBTREE, results
    assert_tree_consistent()
