"""The distributor tree in SQL: ordered row locks, the next child's path, team-size and child counters,
and treebeard's path steps as SQL expressions (set-based inserts of whole levels).

Lock order is always root first (path order), so two writers touching overlapping chains never
deadlock; see locks.py for the tree-wide advisory lock that keeps moves apart from inserts. Each
builder has a PostgreSQL form (plain SQL on the hot paths) and a portable one (SQLite: the sandbox).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, F, PositiveIntegerField, When

from ..models import Distributor

STEPLEN = Distributor.steplen
ALPHABET = Distributor.alphabet
#: the statuses of approved members (counted in team sizes)
_MEMBERS = ("active", "suspended")


def lock_chain(paths: list[str]) -> dict[str, Distributor]:
    """Lock these nodes (ancestors and/or self) root first; returns them by path."""
    if not paths:
        return {}
    if connection.vendor == "postgresql":  # on every application's path: no ORM query compilation
        rows = Distributor.objects.raw(
            f"SELECT * FROM {_table()} WHERE path = ANY(%s) ORDER BY path FOR UPDATE",  # noqa: S608
            [list(paths)],
        )
    else:
        rows = Distributor.objects.select_for_update().filter(path__in=paths).order_by("path")
    return {row.path: row for row in rows}


def _table() -> str:
    return connection.ops.quote_name(Distributor._meta.db_table)


def ancestor_paths(path: str) -> list[str]:
    step = Distributor.steplen
    return [path[:i] for i in range(step, len(path), step)]


def adjust_team_size(paths: list[str], delta: int) -> None:
    """Add ``delta`` approved members to the team size of each node in ``paths`` (already locked)."""
    if paths and delta:
        Distributor.objects.filter(path__in=paths).update(team_size=F("team_size") + delta)


def next_child_path(parent: Distributor | None) -> str:
    """The path of a new last child of ``parent`` (None: a new node directly under the brand), as
    treebeard's add_child / add_root would number it, in one query. The caller holds the parent's row
    lock (or the roots lock), so no other insert takes the same number. The query must run after that
    lock is granted: read in the locking statement itself, it would see the children of before the wait
    (two applications under one parent would then take one number)."""
    depth = parent.depth + 1 if parent is not None else 1
    prefix = parent.path if parent is not None else ""
    if connection.vendor == "postgresql":  # paths are [0-9A-Z]: nothing in them for LIKE to read
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT path FROM {_table()} WHERE depth = %s AND path LIKE %s "  # noqa: S608
                "ORDER BY path DESC LIMIT 1",
                [depth, prefix + "%"],
            )
            row = cursor.fetchone()
        last = row[0] if row else None
    else:
        siblings = Distributor.objects.filter(depth=depth, path__startswith=prefix)
        last = siblings.order_by("-path").values_list("path", flat=True).first()
    if last is None:
        return Distributor._get_path(parent.path if parent is not None else "", depth, 1)
    return Distributor(path=last)._inc_path()  # PathOverflow past 36**4 children


def count_new_child(parent_path: str, paths: list[str], *, members: int) -> None:
    """A child was added under ``parent_path``: its ``numchild`` + 1, and ``members`` more in the team
    size of each node in ``paths`` (locked). One statement; plain SQL on the application hot path."""
    if connection.vendor != "postgresql":
        Distributor.objects.filter(path__in=paths).update(
            numchild=Case(
                When(path=parent_path, then=F("numchild") + 1),
                default=F("numchild"),
                output_field=PositiveIntegerField(),
            ),
            team_size=F("team_size") + members,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET numchild = numchild + (path = %s)::int, team_size = team_size + %s "  # noqa: S608
            "WHERE path = ANY(%s)",
            [parent_path, members, paths],
        )


def encode_step_sql(expr: str) -> str:
    """SQL: the integer ``expr`` as a treebeard step (STEPLEN digits of ALPHABET)."""
    base = len(ALPHABET)
    digits = [
        f"SUBSTR('{ALPHABET}', CAST((({expr}) / {base**k}) %% {base} + 1 AS INTEGER), 1)"
        for k in range(STEPLEN - 1, -1, -1)
    ]
    return " || ".join(digits)


def decode_step_sql(path_expr: str, position: str) -> str:
    """SQL: the integer value of the last step of the path ``path_expr`` (NULL when it is NULL)."""
    base = len(ALPHABET)
    parts = [
        f"({position}('{ALPHABET}', SUBSTR({path_expr}, LENGTH({path_expr}) - {STEPLEN - 1 - k}, 1)) - 1)"
        f" * {base ** (STEPLEN - 1 - k)}"
        for k in range(STEPLEN)
    ]
    return " + ".join(parts)


def step(position: int) -> str:
    digits = ""
    while position:
        position, rem = divmod(position, len(ALPHABET))
        digits = ALPHABET[rem] + digits
    if len(digits) > STEPLEN:
        raise OverflowError("too many children under one parent")
    return digits.rjust(STEPLEN, ALPHABET[0])


def step_value(step: str) -> int:
    return int(step, len(ALPHABET))


def team_counts_recount(roots_sql: str) -> None:
    """``numchild`` and ``team_size`` (approved descendants) of every node in the top-level trees whose
    root paths ``roots_sql`` (a SELECT of one column) yields. PostgreSQL: one statement; SQLite (the
    sandbox, small networks): counted in Python one tree at a time."""
    scope_filter = f"SUBSTR(path, 1, {STEPLEN}) IN ({roots_sql})"
    members = "(" + ", ".join(f"'{status}'" for status in _MEMBERS) + ")"
    if connection.vendor == "postgresql":
        sql = f"""
            WITH scope AS (SELECT id, path, depth, status FROM {_table()} WHERE {scope_filter}),
            members AS (
                SELECT SUBSTR(s.path, 1, %(step)s * k) AS ancestor, COUNT(*) AS n
                FROM scope s CROSS JOIN LATERAL generate_series(1, s.depth - 1) AS k
                WHERE s.status IN {members} GROUP BY 1
            ),
            kids AS (
                SELECT SUBSTR(path, 1, LENGTH(path) - %(step)s) AS parent, COUNT(*) AS n
                FROM scope WHERE depth > 1 GROUP BY 1
            ),
            wanted AS (
                SELECT s.id, COALESCE(m.n, 0) AS team_size, COALESCE(k.n, 0) AS numchild
                FROM scope s LEFT JOIN members m ON m.ancestor = s.path LEFT JOIN kids k ON k.parent = s.path
            )
            UPDATE {_table()} d SET team_size = w.team_size, numchild = w.numchild FROM wanted w
            WHERE d.id = w.id AND (d.team_size <> w.team_size OR d.numchild <> w.numchild)
        """  # noqa: S608 - the table name is our model's, the roots a SELECT of ours
        with connection.cursor() as cursor:
            cursor.execute(sql, {"step": STEPLEN})
        return
    with connection.cursor() as cursor:
        cursor.execute(roots_sql)
        roots = [r for (r,) in cursor.fetchall()]
    for root in roots:
        nodes = list(
            Distributor.objects.filter(path__startswith=root).values_list(
                "pk", "path", "status", "team_size", "numchild"
            )
        )
        team: dict[str, int] = {}
        kids: dict[str, int] = {}
        for _pk, path, status, _t, _c in nodes:
            if len(path) > STEPLEN:
                kids[path[:-STEPLEN]] = kids.get(path[:-STEPLEN], 0) + 1
            if status in _MEMBERS:
                for k in range(STEPLEN, len(path), STEPLEN):
                    team[path[:k]] = team.get(path[:k], 0) + 1
        for pk, path, _s, team_size, numchild in nodes:
            if (team.get(path, 0), kids.get(path, 0)) != (team_size, numchild):
                Distributor.objects.filter(pk=pk).update(
                    team_size=team.get(path, 0), numchild=kids.get(path, 0)
                )
