from __future__ import annotations

import pytest
from django.db import connection, transaction

from saleor_wechat_distribution.db.tree import (
    adjust_team_size,
    ancestor_paths,
    count_new_child,
    decode_step_sql,
    encode_step_sql,
    lock_chain,
    next_child_path,
    step,
    step_value,
    team_counts_recount,
)
from saleor_wechat_distribution.domain.distributors import DistributorStatus
from saleor_wechat_distribution.models import Distributor
from saleor_wechat_distribution.testing.factories import make_distributor

pytestmark = pytest.mark.django_db

STEPLEN = Distributor.steplen


def _scalar(sql: str, params: list) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@pytest.mark.parametrize("number", [1, 35, 36, 1295, 46655, 36**4 - 1])
def test_path_steps_in_sql_match_treebeards(number):
    text = step(number)
    assert len(text) == STEPLEN and step_value(text) == number
    assert text == Distributor._get_path("", 1, number)
    assert _scalar(f"SELECT {encode_step_sql('q.n')} FROM (SELECT %s AS n) q", [number]) == text
    position = "STRPOS" if connection.vendor == "postgresql" else "INSTR"
    decoded = _scalar(f"SELECT {decode_step_sql('q.p', position)} FROM (SELECT %s AS p) q", ["0001" + text])
    assert decoded == number


def test_step_overflows_past_the_last_child():
    with pytest.raises(OverflowError):
        step(36**STEPLEN)


def test_next_child_path_numbers_after_the_last_child():
    root = make_distributor()
    assert next_child_path(root) == root.path + step(1)
    first = make_distributor(root)
    second = make_distributor(root)
    assert (first.path, second.path) == (root.path + step(1), root.path + step(2))
    assert next_child_path(root) == root.path + step(3)
    assert next_child_path(first) == first.path + step(1)
    top = Distributor.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    assert next_child_path(None) == step(step_value(top) + 1)


def test_lock_chain_returns_the_nodes_by_path_and_ancestor_paths():
    root = make_distributor()
    child = make_distributor(root)
    grandchild = make_distributor(child)
    assert ancestor_paths(grandchild.path) == [root.path, child.path]
    with transaction.atomic():
        locked = lock_chain([grandchild.path, root.path, "ZZZZ"])
    assert sorted(locked) == [root.path, grandchild.path]
    assert locked[root.path].pk == root.pk
    assert lock_chain([]) == {}


def test_counters_add_a_child_and_members():
    root = make_distributor()
    child = make_distributor(root)
    before = {d.pk: (d.numchild, d.team_size) for d in Distributor.objects.all()}
    count_new_child(child.path, [root.path, child.path], members=1)
    after = {d.pk: (d.numchild, d.team_size) for d in Distributor.objects.all()}
    assert after[child.pk] == (before[child.pk][0] + 1, before[child.pk][1] + 1)
    assert after[root.pk] == (before[root.pk][0], before[root.pk][1] + 1)
    adjust_team_size([root.path], -1)
    adjust_team_size([root.path], 0)
    assert Distributor.objects.get(pk=root.pk).team_size == before[root.pk][1]


def test_team_counts_recount_restores_the_counts_of_whole_trees():
    root = make_distributor()
    a = make_distributor(root)
    make_distributor(a)
    make_distributor(a, status=DistributorStatus.PENDING)
    other = make_distributor()
    make_distributor(other)
    truth = {d.pk: (d.numchild, d.team_size) for d in Distributor.objects.all()}
    Distributor.objects.update(numchild=9, team_size=9)
    team_counts_recount(f"SELECT '{root.path}'")  # one tree: the other keeps its wrong counts
    recounted = {d.pk: (d.numchild, d.team_size) for d in Distributor.objects.all()}
    in_root = set(Distributor.objects.filter(path__startswith=root.path).values_list("pk", flat=True))
    assert {pk: recounted[pk] for pk in in_root} == {pk: truth[pk] for pk in in_root}
    assert recounted[root.pk] == (1, 2)  # one child; two approved members below (the pending one not)
    assert recounted[other.pk] == (9, 9)
