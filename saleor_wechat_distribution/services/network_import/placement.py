"""Where the file's rows land: each row's level in the file's forest and its depth after the import (also
through distributors the file does not list), rows on or under a cycle, the depth limit, and the action
each row plans (create, update, move, unchanged, error). The SQL is in ``db/network_import/placement.py``."""

from __future__ import annotations

from ...db.network_import import placement as sql
from ...domain.errors import NetworkImportErrorCode as Code
from ...domain.i18n import gettext_noop as _
from .state import MAX_DEPTH, ImportRun


def levels_place(run: ImportRun) -> None:
    """Depth of every placed row in the network after the import, level by level of the file's forest;
    rows no level reaches lie on (or under) a cycle, or too deep."""
    stage = run.stage
    placed = sql.placed_rows(subtree=run.under is not None)
    if sql.any_matched(stage):
        sql.link_through_unlisted(stage)
    sql.place_first_level(stage, placed)
    level = 0
    while level <= MAX_DEPTH:
        level += 1
        if not sql.place_next_level(stage, level):
            break
    run.max_level = level
    unreached = sql.unreached_count(stage, placed)
    if unreached:
        _cycles(run, placed, unreached)
    run.flag(
        sql.too_deep_sql(),
        [MAX_DEPTH],
        Code.TREE_TOO_DEEP,
        "parent_external_id",
        _("This row would sit deeper in the network than 63 levels."),
    )
    # item: moved deeper with a team the file does not list, which goes along
    run.flag(
        sql.team_too_deep_sql(),
        [MAX_DEPTH, MAX_DEPTH],
        Code.TREE_TOO_DEEP,
        "parent_external_id",
        _("Placed here, this row's team (with distributors the file does not list) would sit deeper "
          "in the network than 63 levels."),
    )  # fmt: skip


def _cycles(run: ImportRun, placed: str, unreached: int) -> None:
    """The rows a pointer jump up lands on are the cycles; the rest are under one, or left the top."""
    sql.jump_up(run.stage, placed, unreached)
    run.flag(
        sql.on_cycle_sql(),
        [],
        Code.CYCLE,
        "parent_external_id",
        _("The parent chain of this row comes back to it (a cycle)."),
    )
    run.flag(
        sql.under_cycle_sql(),
        [],
        Code.PARENT_INVALID,
        "parent_external_id",
        _("The parent row has errors, so this row cannot be placed."),
    )
    run.flag(
        sql.jumped_off_top_sql(),
        [],
        Code.TREE_TOO_DEEP,
        "parent_external_id",
        _("This row would sit deeper in the network than 63 levels."),
    )
    sql.jumps_drop(run.stage)


def plan(run: ImportRun) -> None:
    """Each row's action; an update touches e-mail and phone only when the file has those columns."""
    sql.plan_actions(run.stage, email="email" in run.columns, phone="phone" in run.columns)
