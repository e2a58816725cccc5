"""Tree plumbing shared by the distributor services: ordered row locks and team-size counters.

Lock order is always root first (path order), so two writers touching overlapping chains never
deadlock; see locks.py for the tree-wide advisory lock that keeps moves apart from inserts.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, F, PositiveIntegerField, When

from ..models import Distributor


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
