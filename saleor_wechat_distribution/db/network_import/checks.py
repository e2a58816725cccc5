# ruff: noqa: S608, E501 - SQL built from our own table names and constants (values are parameters), kept on long lines
"""The SQL of the import's row checks, over the staging table ``S`` (one statement per rule).

``*_sql`` functions return a SELECT of the rows that break a rule (columns ``line`` and ``other``, the
earlier row it conflicts with), for ``Staging.errors``; the others resolve the file's keys in place
(which distributor a row stands for, which row or distributor is its parent or inviter). Which rule gives
which error code and message is the service's (``services/network_import/checks.py``).
"""

from __future__ import annotations

from .staging import CUST, MEMBER, SF, D, S, Staging

_NO_OTHER = "CAST(NULL AS INTEGER) AS other"


# --- duplicates in the file ------------------------------------------------------------------------------


def mark_repeated_external_ids(stage: Staging) -> None:
    """Every row is its external id's first (``prim``) unless marked here: only the few that are not are
    written (an UPDATE of every staged row costs seconds at 100,000 rows)."""
    stage.x(
        f"UPDATE {S} SET prim = 0 WHERE external_id = '' OR line IN (SELECT s.line FROM {S} s"
        f" JOIN (SELECT external_id, MIN(line) AS first FROM {S} GROUP BY external_id HAVING COUNT(*) > 1) f"
        " ON f.external_id = s.external_id WHERE s.line > f.first)"
    )


def repeats_earlier_row_sql(column: str) -> str:
    """Rows whose non-empty ``column`` is also on an earlier row (``other``: the first such row)."""
    return (
        f"SELECT s.line, f.first AS other FROM {S} s JOIN (SELECT {column} AS v, MIN(line) AS first"
        f" FROM {S} WHERE {column} <> '' GROUP BY {column} HAVING COUNT(*) > 1) f ON f.v = s.{column}"
        " WHERE s.line > f.first"
    )


# --- rows matched to distributors ------------------------------------------------------------------------


def match_distributors(stage: Staging) -> None:
    """Each first row of an external id to its distributor (by external id, or an online one's code)."""
    found = "pk = d.id, cur_path = d.path, cur_depth = d.depth"
    stage.x(f"UPDATE {S} SET {found} FROM {D} d WHERE {S}.prim = 1 AND d.external_id = {S}.external_id")
    stage.x(
        f"UPDATE {S} SET {found} FROM {D} d WHERE {S}.prim = 1 AND {S}.pk IS NULL"
        f" AND d.external_id IS NULL AND d.referral_code = {S}.external_id"
    )
    # a distributor who applied online, now given the brand's external id (adopted by its code)
    stage.x(
        f"UPDATE {S} SET {found} FROM {D} d WHERE {S}.prim = 1 AND {S}.pk IS NULL"
        f" AND {S}.referral_code <> '' AND d.external_id IS NULL AND d.referral_code = {S}.referral_code"
    )


def code_of_another_distributor_sql() -> str:
    return (
        f"SELECT s.line, {_NO_OTHER} FROM {S} s JOIN {D} d"
        " ON d.referral_code = s.referral_code WHERE s.prim = 1 AND s.referral_code <> ''"
        " AND (s.pk IS NULL OR d.id <> s.pk)"
    )


def same_distributor_as_earlier_row_sql() -> str:
    return (
        f"SELECT s.line, f.first AS other FROM {S} s JOIN (SELECT pk, MIN(line) AS first FROM {S}"
        " WHERE pk IS NOT NULL GROUP BY pk HAVING COUNT(*) > 1) f ON f.pk = s.pk WHERE s.line > f.first"
    )


def unmatch_later_rows_of_one_distributor(stage: Staging) -> None:
    stage.x(
        f"UPDATE {S} SET pk = NULL, cur_path = NULL, cur_depth = NULL WHERE line IN (SELECT s.line FROM {S} s JOIN {S} t"
        " ON t.pk = s.pk AND t.line < s.line)"
    )


# --- customer accounts -----------------------------------------------------------------------------------

#: rows of a new distributor that has passed every check so far
NEW_AND_GOOD = "prim = 1 AND pk IS NULL AND bad = 0"


def new_without_contact_sql() -> str:
    return f"SELECT line, {_NO_OTHER} FROM {S} WHERE {NEW_AND_GOOD} AND email = '' AND phone = ''"


def people_after(stage: Staging, where: str, last: int, limit: int) -> list[tuple]:
    """``(line, email, phone, display_name)`` of the next ``limit`` rows ``where`` selects after ``last``."""
    return stage.all(
        f"SELECT line, email, phone, display_name FROM {S} WHERE {where} AND line > %s"
        " ORDER BY line LIMIT %s",
        [last, limit],
    )


def customers_record(stage: Staging, first: int, last: int, answers: list[tuple]) -> None:
    """The host's ``(line, user_id, created flag)`` answers for lines ``first``..``last`` (asked again:
    rows without an account are replaced)."""
    stage.x(f"DELETE FROM {CUST} WHERE user_id IS NULL AND line >= %s AND line <= %s", [first, last])
    stage.bulk(CUST, ("line", "user_id", "flag"), answers)


def no_customer_account_sql() -> str:
    return (
        f"SELECT line, {_NO_OTHER} FROM {S} WHERE {NEW_AND_GOOD}"
        f" AND line IN (SELECT line FROM {CUST} WHERE user_id IS NULL AND flag = 0)"
    )


def customer_already_distributor_sql() -> str:
    return (
        f"SELECT s.line, {_NO_OTHER} FROM {S} s JOIN {CUST} c ON c.line = s.line"
        f" JOIN {D} d ON d.user_id = c.user_id"
        " WHERE s.prim = 1 AND s.pk IS NULL"
    )


def customer_on_earlier_row_sql() -> str:
    return (
        f"SELECT c.line, f.first AS other FROM {CUST} c JOIN (SELECT user_id, MIN(line) AS first FROM {CUST}"
        " WHERE user_id IS NOT NULL GROUP BY user_id HAVING COUNT(*) > 1) f"
        " ON f.user_id = c.user_id WHERE c.line > f.first"
    )


# --- parents and inviters --------------------------------------------------------------------------------


def resolve_key(stage: Staging, key: str, line_column: str, pk_column: str, extra: str = "") -> None:
    """``key`` to a row of the file (``line_column``) or else a distributor (``pk_column``)."""
    scope = f"{S}.prim = 1 AND {S}.{key} <> '' AND {S}.{key} <> {S}.external_id {extra}"
    stage.x(
        f"UPDATE {S} SET {line_column} = r.line FROM {S} r WHERE {scope}"
        f" AND r.prim = 1 AND r.external_id = {S}.{key}"
    )
    stage.x(
        f"UPDATE {S} SET {pk_column} = d.id FROM {D} d WHERE {scope} AND {S}.{line_column} IS NULL"
        f" AND d.external_id = {S}.{key}"
    )
    stage.x(
        f"UPDATE {S} SET {pk_column} = d.id FROM {D} d WHERE {scope} AND {S}.{line_column} IS NULL"
        f" AND {S}.{pk_column} IS NULL AND d.external_id IS NULL AND d.referral_code = {S}.{key}"
    )
    # a distributor this file lists (adopted by its referral code): the row, not the distributor
    stage.x(
        f"UPDATE {S} SET {line_column} = r.line, {pk_column} = NULL FROM {S} r"
        f" WHERE {S}.{pk_column} IS NOT NULL AND r.pk = {S}.{pk_column} AND r.prim = 1"
    )


def mark_top_rows(stage: Staging, under_id: int, under_key: str) -> None:
    """A subtree import: rows without a parent (or naming the subtree's top) go under ``under_id``."""
    stage.x(
        f"UPDATE {S} SET top_row = 1, parent_pk = %s WHERE prim = 1 AND (parent_key = '' OR parent_key = %s)",
        [under_id, under_key],
    )


def second_top_row_sql() -> str:
    return (
        f"SELECT s.line, f.first AS other FROM {S} s, (SELECT MIN(line) AS first FROM {S}"
        " WHERE top_row = 1) f WHERE s.top_row = 1 AND s.line > f.first"
    )


def own_parent_sql() -> str:
    return (
        f"SELECT line, {_NO_OTHER} FROM {S} WHERE prim = 1 AND top_row = 0"
        " AND parent_key <> '' AND parent_key = external_id"
    )


def resolve_parents(stage: Staging) -> None:
    resolve_key(stage, "parent_key", "parent_line", "parent_pk", f"AND {S}.top_row = 0")


def forget_parents_outside(stage: Staging, path: str) -> None:
    """A subtree import places rows under the subtree's distributors only."""
    stage.x(
        f"UPDATE {S} SET parent_pk = NULL WHERE top_row = 0 AND parent_pk IS NOT NULL"
        f" AND parent_pk NOT IN (SELECT id FROM {D} WHERE path >= %s AND path < %s)",
        [path, path + "~"],
    )


def unknown_parent_sql() -> str:
    return (
        f"SELECT line, {_NO_OTHER} FROM {S} WHERE prim = 1 AND top_row = 0"
        " AND parent_key <> '' AND parent_key <> external_id AND parent_line IS NULL"
        " AND parent_pk IS NULL"
    )


def own_inviter_sql() -> str:
    return (
        f"SELECT line, {_NO_OTHER} FROM {S} WHERE prim = 1"
        " AND inviter_key <> '' AND inviter_key = external_id"
    )


def resolve_inviters(stage: Staging) -> None:
    resolve_key(stage, "inviter_key", "inviter_line", "inviter_pk")


def unknown_inviter_sql() -> str:
    return (
        f"SELECT line, {_NO_OTHER} FROM {S} WHERE prim = 1 AND inviter_key <> ''"
        " AND inviter_key <> external_id AND inviter_line IS NULL AND inviter_pk IS NULL"
    )


# --- storefronts -----------------------------------------------------------------------------------------


def slug_of_another_storefront_sql() -> str:
    return (
        f"SELECT s.line, {_NO_OTHER} FROM {S} s JOIN {SF} f ON f.slug = s.slug"
        " WHERE s.slug <> '' AND (s.pk IS NULL OR f.distributor_id IS NULL OR f.distributor_id <> s.pk)"
    )


def new_storefront_sql() -> str:
    return (
        f"SELECT s.line, {_NO_OTHER} FROM {S} s WHERE s.slug <> ''"
        f" AND (s.pk IS NULL OR NOT EXISTS (SELECT 1 FROM {SF} f WHERE f.distributor_id = s.pk))"
    )


# --- teams that stay -------------------------------------------------------------------------------------


def _staying_child() -> str:
    # a child stays unless a row of the file places it under another parent
    return (
        f"SELECT 1 FROM {D} c WHERE c.depth = s.cur_depth + 1 AND c.path >= s.cur_path"
        f" AND c.path < s.cur_path || '~' AND NOT EXISTS (SELECT 1 FROM {S} cs WHERE cs.pk = c.id"
        " AND cs.prim = 1 AND COALESCE(cs.parent_line, -1) <> s.line AND COALESCE(cs.parent_pk, -1) <> s.pk)"
    )


def team_under_non_member_sql(stage: Staging) -> str:
    """Distributors that keep a team (children the file does not move away) but would not be approved.
    PostgreSQL: ``OFFSET 0`` keeps EXISTS a lookup per row on the (depth, path) index; as a semi-join it
    was hashed on depth alone and compared every row with every distributor of that depth."""
    return (
        f"SELECT s.line, {_NO_OTHER} FROM {S} s WHERE s.pk IS NOT NULL AND s.bad = 0"
        f" AND s.status NOT IN {MEMBER} AND EXISTS ({_staying_child()}{stage.fence})"
    )


def enterprise_team_under_individual_sql(stage: Staging) -> str:
    return (
        f"SELECT s.line, {_NO_OTHER} FROM {S} s JOIN {D} x ON x.id = s.pk"
        " WHERE s.bad = 0 AND s.kind = 'individual' AND x.kind <> 'individual'"
        f" AND EXISTS ({_staying_child()} AND c.kind = 'enterprise'{stage.fence})"
    )


# --- parents first ---------------------------------------------------------------------------------------


def under_bad_row_sql() -> str:
    """Rows of level ``%s`` whose parent row has errors (``other``: that row)."""
    return (
        f"SELECT s.line, p.line AS other FROM {S} s JOIN {S} p ON p.line = s.parent_line"
        " WHERE s.lvl = %s AND s.bad = 0 AND p.bad = 1"
    )


_PARENT = (
    f" FROM {S} s LEFT JOIN {S} p ON p.line = s.parent_line LEFT JOIN {D} d ON d.id = s.parent_pk"
    " WHERE s.lvl = %s AND s.bad = 0"
)


def enterprise_under_individual_sql() -> str:
    """Rows of level ``%s``: an enterprise under an individual (the file's parent row, else the database's)."""
    return f"SELECT s.line, {_NO_OTHER} {_PARENT} AND s.kind = 'enterprise' AND COALESCE(p.kind, d.kind) = 'individual'"


def under_non_member_sql() -> str:
    """Rows of level ``%s`` whose parent is not active or suspended."""
    return f"SELECT s.line, {_NO_OTHER} {_PARENT} AND COALESCE(p.status, d.status) NOT IN {MEMBER}"


def distributor_place(stage: Staging, distributor_id: int) -> tuple | None:
    """``(id, path, depth, external_id, referral_code)`` of a distributor, or None."""
    found = stage.all(
        f"SELECT id, path, depth, external_id, referral_code FROM {D} WHERE id = %s", [distributor_id]
    )
    return found[0] if found else None
