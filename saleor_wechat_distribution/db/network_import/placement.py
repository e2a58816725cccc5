# ruff: noqa: S608 - SQL built from our own table names and constants (values are parameters), kept on long lines
"""The SQL that places the file's rows in the network: their level in the file's forest and their depth
after the import (also through distributors the file does not list), cycles found by pointer jumping,
and each row's planned action with the columns it changes."""

from __future__ import annotations

from .staging import JMP, NUMS, SF, STEPLEN, D, S, Staging


def placed_rows(*, subtree: bool) -> str:
    """The rows the file places: under a parent of the file, a distributor, or (a whole-network import)
    the brand."""
    if subtree:
        return "prim = 1 AND (parent_line IS NOT NULL OR parent_pk IS NOT NULL)"
    return "prim = 1 AND (parent_line IS NOT NULL OR parent_pk IS NOT NULL OR parent_key = '')"


def any_matched(stage: Staging) -> bool:
    return bool(stage.one(f"SELECT COUNT(*) FROM (SELECT 1 FROM {S} WHERE pk IS NOT NULL LIMIT 1) q"))


def link_through_unlisted(stage: Staging) -> None:
    """Under a distributor the file does not list, below one it does: that row is the level above (with
    the levels in between), so moving it is seen, and a cycle through it is caught."""
    stage.x(
        f"""UPDATE {S} SET eff_line = (
            SELECT m.line FROM {D} p JOIN {NUMS} n ON n.k <= p.depth
            JOIN {D} a ON a.path = SUBSTR(p.path, 1, {STEPLEN} * n.k)
            JOIN {S} m ON m.pk = a.id AND m.prim = 1
            WHERE p.id = {S}.parent_pk ORDER BY n.k DESC LIMIT 1)
        WHERE parent_pk IS NOT NULL"""
    )
    stage.x(
        f"""UPDATE {S} SET off = (SELECT p.depth FROM {D} p WHERE p.id = {S}.parent_pk)
            - (SELECT m.cur_depth FROM {S} m WHERE m.line = {S}.eff_line) + 1
        WHERE parent_pk IS NOT NULL AND eff_line IS NOT NULL"""
    )


def place_first_level(stage: Staging, placed: str) -> None:
    stage.x(
        f"""UPDATE {S} SET lvl = 0, depth = COALESCE(
            (SELECT p.depth FROM {D} p WHERE p.id = {S}.parent_pk) + 1, 1)
        WHERE {placed} AND eff_line IS NULL AND parent_line IS NULL"""
    )


def place_next_level(stage: Staging, level: int) -> int:
    """Rows under rows of ``level - 1``; returns how many."""
    return stage.x(
        f"UPDATE {S} SET lvl = %s, depth = p.depth + COALESCE({S}.off, 1) FROM {S} p"
        f" WHERE COALESCE({S}.eff_line, {S}.parent_line) = p.line AND p.lvl = %s AND {S}.lvl IS NULL",
        [level, level - 1],
    )


def unreached_count(stage: Staging, placed: str) -> int:
    return stage.one(f"SELECT COUNT(*) FROM {S} WHERE {placed} AND lvl IS NULL") or 0


def too_deep_sql() -> str:
    """Rows deeper than ``%s``."""
    return f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {S} WHERE depth > %s"


def team_too_deep_sql() -> str:
    """Rows moved deeper with a team the file does not list, which goes along, past ``%s`` (twice)."""
    return f"""SELECT s.line, CAST(NULL AS INTEGER) AS other FROM {S} s
            WHERE s.pk IS NOT NULL AND s.depth IS NOT NULL AND s.depth <= %s AND s.depth > s.cur_depth
            AND s.depth - s.cur_depth + (SELECT MAX(d.depth) FROM {D} d
                WHERE d.path >= s.cur_path AND d.path < s.cur_path || '~') > %s"""


# --- cycles ----------------------------------------------------------------------------------------------


def jump_up(stage: Staging, placed: str, unreached: int) -> None:
    """Pointer jumping over the rows no level reached: after n >= their number of steps up, each lands
    on a cycle (the rows it lands on are exactly the cycles) or left them (too deep). Leaves ``JMP``
    (line, j: where it landed) for the selections below; ``jumps_drop`` removes it."""
    stage.x(
        f"CREATE TEMP TABLE {JMP} AS SELECT line, COALESCE(eff_line, parent_line) AS j FROM {S}"
        f" WHERE {placed} AND lvl IS NULL"
    )
    stage.x(f"UPDATE {JMP} SET j = NULL WHERE j NOT IN (SELECT line FROM {JMP})")
    steps = 1
    while steps <= unreached:
        steps *= 2
        stage.x(f"CREATE INDEX {JMP}_{steps} ON {JMP} (line)")
        stage.x(
            f"CREATE TEMP TABLE {JMP}2 AS SELECT a.line, b.j FROM {JMP} a LEFT JOIN {JMP} b ON b.line = a.j"
        )
        stage.x(f"DROP TABLE {JMP}")
        stage.x(f"ALTER TABLE {JMP}2 RENAME TO {JMP}")


def on_cycle_sql() -> str:
    return f"SELECT DISTINCT j AS line, CAST(NULL AS INTEGER) AS other FROM {JMP} WHERE j IS NOT NULL"


def under_cycle_sql() -> str:
    return (
        f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {JMP} WHERE j IS NOT NULL"
        f" AND line NOT IN (SELECT j FROM {JMP} WHERE j IS NOT NULL)"
    )


def jumped_off_top_sql() -> str:
    return f"SELECT line, CAST(NULL AS INTEGER) AS other FROM {JMP} WHERE j IS NULL"


def jumps_drop(stage: Staging) -> None:
    stage.x(f"DROP TABLE {JMP}")


# --- the plan --------------------------------------------------------------------------------------------


def plan_actions(stage: Staging, *, email: bool, phone: bool) -> None:
    """Each row's action; ``changes`` lists (as JSON strings) the columns an update changes (``email``,
    ``phone``: whether the file has those columns)."""
    changed = [
        "CASE WHEN d.display_name <> s.display_name THEN '\"display_name\",' ELSE '' END",
        "CASE WHEN s.email <> LOWER(d.email) THEN '\"email\",' ELSE '' END" if email else "''",
        "CASE WHEN d.external_id IS NULL AND s.external_id <> d.referral_code"
        " THEN '\"external_id\",' ELSE '' END",
        "CASE WHEN s.inviter_key <> '' AND COALESCE(i.pk, s.inviter_pk, -2) <> COALESCE(d.inviter_id, -1)"
        " THEN '\"inviter\",' ELSE '' END",
        "CASE WHEN d.kind <> s.kind THEN '\"kind\",' ELSE '' END",
        "CASE WHEN d.phone <> s.phone THEN '\"phone\",' ELSE '' END" if phone else "''",
        "CASE WHEN s.referral_code <> '' AND s.referral_code <> d.referral_code"
        " THEN '\"referral_code\",' ELSE '' END",
        "CASE WHEN d.status <> s.status THEN '\"status\",' ELSE '' END",
        "CASE WHEN s.slug <> '' AND COALESCE(f.slug, '') <> s.slug THEN '\"storefront_slug\",' ELSE '' END",
    ]
    # one pass over the staged rows (each UPDATE of a staged row writes a new version of it and of
    # its index entries), the parents and the distributors joined rather than looked up row by row
    moves = f"""CASE WHEN SUBSTR(s.cur_path, 1, LENGTH(s.cur_path) - {STEPLEN}) = COALESCE(
            CASE WHEN s.parent_line IS NOT NULL THEN p.cur_path WHEN s.parent_pk IS NOT NULL THEN dp.path
                 ELSE '' END, '#') THEN 0 ELSE 1 END"""
    stage.x(
        f"""UPDATE {S} SET changes = q.changes, moves = q.moves, action = CASE WHEN q.bad = 1 THEN 'error'
            WHEN q.pk IS NULL THEN 'create' WHEN q.moves = 1 THEN 'move' WHEN q.changes <> '' THEN 'update'
            ELSE 'unchanged' END
        FROM (SELECT s.line, s.pk, s.bad,
                CASE WHEN s.pk IS NOT NULL AND s.bad = 0 THEN {" || ".join(changed)} ELSE '' END AS changes,
                CASE WHEN s.pk IS NOT NULL AND s.bad = 0 THEN {moves} ELSE 0 END AS moves
            FROM {S} s LEFT JOIN {D} d ON d.id = s.pk LEFT JOIN {S} p ON p.line = s.parent_line
            LEFT JOIN {D} dp ON dp.id = s.parent_pk LEFT JOIN {S} i ON i.line = s.inviter_line
            LEFT JOIN {SF} f ON f.distributor_id = d.id) q
        WHERE {S}.line = q.line"""
    )


def mark_errors_as_actions(stage: Staging) -> None:
    """After the host refused accounts: rows now bad get the ``error`` action."""
    stage.x(f"UPDATE {S} SET action = 'error' WHERE bad = 1")
