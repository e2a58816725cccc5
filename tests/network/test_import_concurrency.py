"""An import runs under the exclusive tree lock: applications and moves racing it wait, and the tree and
its counters stay exact; the same file imported twice at once is written once."""

from __future__ import annotations

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition

from saleor_wechat_distribution import host
from saleor_wechat_distribution.conf import ProgramConfig
from saleor_wechat_distribution.domain.distributors import DistributorKind
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import Distributor
from saleor_wechat_distribution.services.distributors import distributor_apply, distributor_move
from saleor_wechat_distribution.testing.concurrency import run_concurrently
from saleor_wechat_distribution.testing.factories import customer, make_distributor, staff

from .conftest import assert_tree_valid, csv_bytes, row, run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="advisory locks need PostgreSQL"),
]


def test_imports_applications_and_moves_at_once_keep_the_tree_exact():
    host.update(program_config=lambda channel: ProgramConfig(auto_approve=True))
    parent = make_distributor(kind=DistributorKind.ENTERPRISE, name="P")
    other = make_distributor(kind=DistributorKind.ENTERPRISE, name="Q")
    movers = [make_distributor(parent, name=f"M{i}") for i in range(2)]
    rows = [row(f"R{i:03d}", parent.referral_code if i < 20 else f"R{i % 20:03d}") for i in range(200)]
    data = csv_bytes(rows)
    calls = [lambda: run(data), lambda: run(data)]
    calls += [
        (
            lambda n=n: distributor_apply(
                principal=customer(), display_name=f"A{n}", inviter_code=parent.referral_code
            )
        )
        for n in range(4)
    ]
    calls += [
        (
            lambda m=m: distributor_move(
                actor=staff(Permission.MANAGE_USERS), distributor_id=m.pk, new_parent_id=other.pk
            )
        )
        for m in movers
    ]
    results = run_concurrently(calls)
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    first, second = results[0], results[1]
    assert first.ok and second.ok
    assert sorted([first.totals["create"], second.totals["create"]]) == [0, 200]
    assert sorted([first.totals["unchanged"], second.totals["unchanged"]]) == [0, 200]
    assert Distributor.objects.filter(external_id__startswith="R").count() == 200
    parent.refresh_from_db()
    other.refresh_from_db()
    assert parent.team_size == 200 + 4 and other.team_size == 2
    assert_tree_valid()
