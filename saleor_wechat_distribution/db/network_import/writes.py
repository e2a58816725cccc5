# ruff: noqa: S608, E501 - SQL built from our own table names and constants (values are parameters), kept on long lines
"""The SQL of an import's real run, set-based over the staging table: new referral codes, changed
distributors updated, moved ones moved with their subtree and new ones numbered (treebeard's path format,
in SQL) and inserted level by level, inviters, storefronts, and the ``imported`` audit entries."""

from __future__ import annotations

from typing import Any

from ..tree import decode_step_sql, encode_step_sql, step, step_value, team_counts_recount
from .staging import CODES, CUST, EV, MEMBER, SF, STEPLEN, TOUCH, D, S, Staging


def lines_without_code(stage: Staging, last: int, limit: int) -> list[tuple]:
    """Created rows that the file gives no referral code and that have none yet (after line ``last``)."""
    return stage.all(
        f"SELECT line FROM {S} WHERE action = 'create' AND referral_code = ''"
        f" AND line NOT IN (SELECT line FROM {CODES}) AND line > %s ORDER BY line LIMIT %s",
        [last, limit],
    )


def codes_add(stage: Staging, codes: list[tuple]) -> None:
    stage.bulk(CODES, ("line", "code"), codes)


def codes_drop_clashes(stage: Staging) -> int:
    """New codes that a distributor, a row of the file or another new code already has; returns how many
    were dropped (their rows get another)."""
    stage.analyze(CODES)
    return stage.x(
        f"""DELETE FROM {CODES} WHERE code IN (SELECT referral_code FROM {D})
            OR code IN (SELECT referral_code FROM {S} WHERE referral_code <> '')
            OR line NOT IN (SELECT MIN(line) FROM {CODES} GROUP BY code)"""
    )


def new_rows_without_account_sql() -> str:
    """The created rows the host has no account for yet (where: a condition on the staging table)."""
    return f"action = 'create' AND line IN (SELECT line FROM {CUST} WHERE user_id IS NULL)"


def update_changed(stage: Staging, now: Any, *, email: bool, phone: bool) -> None:
    stage.x(
        f"""UPDATE {D} SET kind = s.kind, display_name = s.display_name, status = s.status,
            email = {"CASE WHEN s.email <> LOWER(" + D + ".email) THEN s.email ELSE " + D + ".email END" if email else D + ".email"},
            phone = {"s.phone" if phone else D + ".phone"},
            referral_code = CASE WHEN s.referral_code <> '' THEN s.referral_code ELSE {D}.referral_code END,
            external_id = CASE WHEN {D}.external_id IS NULL AND s.external_id = {D}.referral_code
                THEN NULL ELSE s.external_id END,
            approved_at = CASE WHEN {D}.approved_at IS NULL AND s.status IN {MEMBER} THEN %s
                ELSE {D}.approved_at END,
            updated_at = %s
        FROM {S} s WHERE s.pk = {D}.id AND s.action IN ('update', 'move')
            AND REPLACE(REPLACE(s.changes, '"inviter",', ''), '"storefront_slug",', '') <> ''""",
        [now, now],
    )


def touch_changed_trees(stage: Staging) -> None:
    """The top-level trees of moved distributors and of those whose status changes (their counts)."""
    stage.x(
        f"INSERT INTO {TOUCH} (root) SELECT DISTINCT SUBSTR(cur_path, 1, {STEPLEN}) FROM {S}"
        " WHERE action = 'move' OR (action = 'update' AND changes LIKE '%%status%%')",
        [],
    )


def _parent_path_sql() -> str:
    """SQL: the current path of row ``s``'s parent (a row of the file, created or not, or a
    distributor it does not list), '' for the brand."""
    return (
        f"COALESCE((SELECT dp.path FROM {D} dp WHERE dp.id = s.parent_pk),"
        f" (SELECT dp.path FROM {S} ps JOIN {D} dp ON dp.id = ps.pk WHERE ps.line = s.parent_line),"
        f" (SELECT dp.path FROM {S} ps JOIN {D} dp ON dp.external_id = ps.external_id"
        f" WHERE ps.line = s.parent_line AND ps.pk IS NULL), '')"
    )


def move_level(stage: Staging, level: int) -> int:
    """Move this level's moved distributors (with their subtrees) under their new parents."""
    moved = stage.all(
        f"SELECT s.line, s.pk, {_parent_path_sql()} FROM {S} s"
        " WHERE s.lvl = %s AND s.action = 'move' ORDER BY s.line",
        [level],
    )
    for _line, pk, parent_path in moved:
        old = stage.one(f"SELECT path FROM {D} WHERE id = %s", [pk])
        depth = len(parent_path) // STEPLEN + 1
        last = stage.one(
            f"SELECT MAX(path) FROM {D} WHERE depth = %s AND path >= %s AND path < %s",
            [depth, parent_path, parent_path + "~"],
        )
        new = parent_path + step(step_value(last[-STEPLEN:]) + 1 if last else 1)
        stage.x(
            f"UPDATE {D} SET path = %s || SUBSTR(path, %s), depth = depth + %s"
            " WHERE path >= %s AND path < %s",
            [new, len(old) + 1, depth - len(old) // STEPLEN, old, old + "~"],
        )
        for root in {old[:STEPLEN], new[:STEPLEN]}:
            if not stage.one(f"SELECT COUNT(*) FROM {TOUCH} WHERE root = %s", [root]):
                stage.x(f"INSERT INTO {TOUCH} (root) VALUES (%s)", [root])
    return len(moved)


def insert_level(stage: Staging, level: int, now: Any) -> int:
    """This level's new distributors: numbered after their parent's last child, in file order."""
    step_ = STEPLEN
    # the parent's path: a distributor the file does not list, a row's distributor, or a row created
    # at an earlier level (found by its external id); joined, not looked up row by row
    # p: each parent's last child once (PostgreSQL: OFFSET 0 keeps the lookup from being repeated for
    # every digit of the decoded step and every row)
    sql = f"""WITH r AS (
            SELECT s.line, COALESCE(dp.path, dl.path, dx.path, '') AS pp FROM {S} s
            LEFT JOIN {D} dp ON dp.id = s.parent_pk
            LEFT JOIN {S} ps ON ps.line = s.parent_line
            LEFT JOIN {D} dl ON dl.id = ps.pk
            LEFT JOIN {D} dx ON ps.pk IS NULL AND dx.external_id = ps.external_id
            WHERE s.lvl = %s AND s.action = 'create'
        ), p AS (
            SELECT x.pp, COALESCE({decode_step_sql("x.last", stage.position)}, 0) AS base FROM (
                SELECT y.pp, (SELECT MAX(c.path) FROM {D} c WHERE c.depth = LENGTH(y.pp) / {step_} + 1
                    AND c.path >= y.pp AND c.path < y.pp || '~') AS last
                FROM (SELECT DISTINCT pp FROM r) y{stage.fence}) x
        ), n AS (
            SELECT r.line, r.pp, p.base + ROW_NUMBER() OVER (PARTITION BY r.pp ORDER BY r.line) AS num
            FROM r JOIN p ON p.pp = r.pp
        )
        INSERT INTO {D} (path, depth, user_id, email, phone, kind, status, display_name, referral_code,
            external_id, created_at, updated_at, approved_at, numchild, team_size, inviter_id)
        SELECT n.pp || {encode_step_sql("n.num")}, LENGTH(n.pp) / {step_} + 1,
            cu.user_id, s.email, s.phone,
            s.kind, s.status, s.display_name, COALESCE(NULLIF(s.referral_code, ''), k.code),
            s.external_id, %s, %s, CASE WHEN s.status IN {MEMBER} THEN %s END, 0, 0,
            CASE WHEN s.inviter_key = '' THEN COALESCE(s.parent_pk, ps.pk, dp.id)
            ELSE COALESCE(s.inviter_pk, si.pk, di.id) END
        FROM n JOIN {S} s ON s.line = n.line
        LEFT JOIN {CUST} cu ON cu.line = s.line LEFT JOIN {CODES} k ON k.line = s.line
        LEFT JOIN {S} ps ON ps.line = s.parent_line LEFT JOIN {D} dp ON dp.external_id = ps.external_id
        LEFT JOIN {S} si ON si.line = s.inviter_line LEFT JOIN {D} di ON di.external_id = si.external_id
        ORDER BY n.line"""
    return stage.x(sql, [level, now, now, now])


def created_rows_matched(stage: Staging) -> None:
    """The created distributors' ids onto their rows, and their top-level trees touched."""
    stage.x(
        f"UPDATE {S} SET pk = d.id FROM {D} d WHERE {S}.action = 'create' AND d.external_id = {S}.external_id"
    )
    stage.x(
        f"INSERT INTO {TOUCH} (root) SELECT DISTINCT SUBSTR(d.path, 1, {STEPLEN}) FROM {S} s"
        f" JOIN {D} d ON d.id = s.pk WHERE s.action IN ('create', 'move')"
        f" AND SUBSTR(d.path, 1, {STEPLEN}) NOT IN (SELECT root FROM {TOUCH})"
    )


def inviters_set(stage: Staging) -> None:
    """The file's inviter: of changed distributors, and of new ones created before their inviter (a new
    distributor's inviter is set when it is inserted: the file's, else its parent)."""
    stage.x(
        f"""UPDATE {D} SET inviter_id = q.inv FROM (
            SELECT s.pk, COALESCE((SELECT i.pk FROM {S} i WHERE i.line = s.inviter_line), s.inviter_pk) AS inv
            FROM {S} s WHERE s.inviter_key <> '' AND (s.action = 'create' OR s.changes LIKE '%%"inviter"%%')
        ) q WHERE {D}.id = q.pk AND COALESCE({D}.inviter_id, -1) <> COALESCE(q.inv, -1)""",
        [],
    )


def storefronts_rename(stage: Staging, now: Any) -> None:
    stage.x(
        f"""UPDATE {SF} SET slug = s.slug, updated_at = %s FROM {S} s
        WHERE {SF}.distributor_id = s.pk AND s.slug <> '' AND s.action <> 'error' AND {SF}.slug <> s.slug""",
        [now],
    )


def storefronts_create(stage: Staging, channel: str, now: Any) -> None:
    stage.x(
        f"""INSERT INTO {SF} (distributor_id, slug, title, logo_url, welcome_text, channel,
            all_products, product_ids, is_active, created_at, updated_at)
        SELECT s.pk, s.slug, SUBSTR(s.display_name, 1, 100), '', '', %s, {stage.true}, {stage.json("'[]'")},
            {stage.true}, %s, %s
        FROM {S} s WHERE s.slug <> '' AND s.action <> 'error'
            AND NOT EXISTS (SELECT 1 FROM {SF} f WHERE f.distributor_id = s.pk) ORDER BY s.line""",
        [channel, now, now],
    )


def touched_trees_recount() -> None:
    """``numchild`` and ``team_size`` of every node in the top-level trees the import touched."""
    team_counts_recount(f"SELECT root FROM {TOUCH}")


def deepest_touched(stage: Staging) -> int:
    return (
        stage.one(
            f"SELECT MAX(depth) FROM {D} WHERE SUBSTR(path, 1, {STEPLEN}) IN (SELECT root FROM {TOUCH})"
        )
        or 0
    )


def audit_entries(
    stage: Staging, *, job_id: int | None, event_type: str, actor: str, actor_user_id: Any, now: Any
) -> None:
    """One ``imported`` entry per created or changed distributor."""
    job = "null" if job_id is None else str(int(job_id))
    changes = "CASE WHEN s.changes = '' THEN '[]' ELSE '[' || SUBSTR(s.changes, 1, LENGTH(s.changes) - 1) || ']' END"
    data = f"""'{{"job": {job}, "action": ' || CASE WHEN s.action = 'create' THEN '"created"}}'
        ELSE '"' || s.action || '", "changes": ' || {changes} || '}}' END"""
    stage.x(
        f"""INSERT INTO {EV} (distributor_id, type, actor, actor_user_id, data, created_at)
        SELECT s.pk, %s, %s, %s, {stage.json(data)}, %s FROM {S} s
        WHERE s.action IN ('create', 'update', 'move') ORDER BY s.line""",
        [event_type, actor, actor_user_id, now],
    )
