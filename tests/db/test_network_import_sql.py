"""The network import's staging tables and a few of its statements, below the service (which
``tests/network`` covers end to end)."""

from __future__ import annotations

import pytest
from django.db import transaction

from saleor_wechat_distribution.db.network_import import checks, placement, writes
from saleor_wechat_distribution.db.network_import.staging import S, Staging

pytestmark = pytest.mark.django_db


def _row(line: int, external_id: str, parent: str = "", email: str = "", bad: int = 0) -> tuple:
    return (line, external_id, parent, "", "individual", f"name {line}", email, "", "", "active", "", bad)


@pytest.fixture
def stage():
    with transaction.atomic():
        staging = Staging()
        staging.create_tables(max_depth=63)
        yield staging
        staging.drop_tables()


def test_rows_and_errors_are_staged_in_chunks_and_read_back(stage):
    rows = [_row(2, "A", email="a@x"), _row(3, "B", "A"), _row(4, "C", "B", bad=1)]
    errors = [(4, "invalid", "kind", "Bad kind.", None)]
    stage.add_rows(rows, errors)
    assert rows == [] and errors == []  # handed over
    stage.index_stage()
    stage.err_seen = stage.last_error_id()
    assert stage.err_seen == 1
    assert [r[:2] for r in stage.rows_after(0, 10, only_errors=False)] == [(2, "A"), (3, "B"), (4, "C")]
    assert [r[:2] for r in stage.rows_after(2, 1, only_errors=False)] == [(3, "B")]
    assert [r[0] for r in stage.rows_after(0, 10, only_errors=True)] == [4]
    assert stage.errors_between(0, 4) == [(4, "invalid", "kind", "Bad kind.", None)]
    stage.compact()  # PostgreSQL: a fresh copy with its keys and indexes; SQLite: nothing to do
    assert stage.one(f"SELECT COUNT(*) FROM {S}") == 3


def test_a_rule_flags_rows_and_mark_bad_copies_it_onto_them(stage):
    stage.add_rows([_row(2, "A", email="same@x"), _row(3, "B", email="same@x"), _row(4, "C")], [])
    stage.index_stage()
    stage.errors(checks.repeats_earlier_row_sql("email"), [], "duplicate_person", "email", "Also above.")
    stage.mark_bad()
    assert stage.errors_between(0, 10) == [(3, "duplicate_person", "email", "Also above.", 2)]
    assert [r[0] for r in stage.rows_after(0, 10, only_errors=True)] == [3]
    stage.mark_bad()  # nothing new
    assert [r[0] for r in stage.rows_after(0, 10, only_errors=True)] == [3]


def test_levels_plan_and_action_counts(stage):
    stage.add_rows([_row(2, "B", "A"), _row(3, "A"), _row(4, "C", "B")], [])  # a child above its parent
    stage.index_stage()
    checks.mark_repeated_external_ids(stage)
    checks.match_distributors(stage)
    checks.resolve_parents(stage)
    placed = placement.placed_rows(subtree=False)
    placement.place_first_level(stage, placed)
    level = 0
    while placement.place_next_level(stage, level + 1):
        level += 1
    assert dict(stage.all(f"SELECT external_id, lvl FROM {S}")) == {"A": 0, "B": 1, "C": 2}
    assert placement.unreached_count(stage, placed) == 0
    placement.plan_actions(stage, email=False, phone=False)
    assert stage.action_counts() == [("create", 3)]
    assert writes.lines_without_code(stage, 0, 10) == [(2,), (3,), (4,)]


def test_a_cycle_is_found_by_jumping_up(stage):
    stage.add_rows([_row(2, "A", "C"), _row(3, "B", "A"), _row(4, "C", "B"), _row(5, "D", "C")], [])
    stage.index_stage()
    checks.mark_repeated_external_ids(stage)
    checks.resolve_parents(stage)
    placed = placement.placed_rows(subtree=False)
    placement.place_first_level(stage, placed)
    assert placement.place_next_level(stage, 1) == 0
    unreached = placement.unreached_count(stage, placed)
    assert unreached == 4
    placement.jump_up(stage, placed, unreached)
    assert sorted(line for line, _other in stage.all(placement.on_cycle_sql())) == [2, 3, 4]
    assert [line for line, _other in stage.all(placement.under_cycle_sql())] == [5]
    placement.jumps_drop(stage)
