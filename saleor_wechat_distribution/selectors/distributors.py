"""Reads over distributors; every one is an index lookup (path prefixes, (depth, path) ranges)."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum

from ..db.rows import fetch_one
from ..domain.distributors import MEMBER_STATUSES, DistributorKind, DistributorStatus
from ..models import Distributor

_MEMBER_VALUES = [s.value for s in MEMBER_STATUSES]


def distributor_get_for_user(*, user_id: int | None) -> Distributor | None:
    """The caller's own profile: read by nearly every request, so one plain statement (``rows.py``)."""
    if user_id is None:
        return None
    return fetch_one(Distributor, "user_id = %s", [user_id])


def distributor_get(*, distributor_id: int) -> Distributor | None:
    return Distributor.objects.filter(pk=distributor_id).first()


def distributor_ancestors(*, distributor: Distributor) -> list[Distributor]:
    """Root first; one query on the unique path index."""
    return list(Distributor.objects.filter(path__in=distributor.ancestor_paths()).order_by("path"))


def distributor_is_within(*, node: Distributor, root: Distributor) -> bool:
    """Whether ``node`` is ``root`` or in its subtree."""
    return node.path.startswith(root.path)


def distributor_team(*, distributor: Distributor, level: int) -> QuerySet[Distributor]:
    """Approved members ``level`` steps below ``distributor`` (1 = invited directly), in path order."""
    return Distributor.objects.filter(
        path__startswith=distributor.path, depth=distributor.depth + level, status__in=_MEMBER_VALUES
    ).order_by("path")


def distributor_team_level_counts(*, distributor: Distributor) -> dict[int, int]:
    """Approved members per relative level, e.g. {1: 12, 2: 140}."""
    rows = (
        Distributor.objects.filter(
            path__startswith=distributor.path, depth__gt=distributor.depth, status__in=_MEMBER_VALUES
        )
        .values("depth")
        .annotate(n=Count("pk"))
        .order_by("depth")
    )
    return {row["depth"] - distributor.depth: row["n"] for row in rows}


def distributor_list(
    *,
    status: DistributorStatus | None = None,
    kind: DistributorKind | None = None,
    search: str | None = None,
    level: int | None = None,
    joined_from: datetime | None = None,
    joined_to: datetime | None = None,
) -> QuerySet[Distributor]:
    """Staff listing, newest first. ``joined_from`` is included, ``joined_to`` excluded (``created_at``:
    when the distributor applied or was imported)."""
    qs = Distributor.objects.all()
    if status is not None:
        qs = qs.filter(status=status.value)
    if kind is not None:
        qs = qs.filter(kind=kind.value)
    if level is not None:
        qs = qs.filter(depth=level)
    if joined_from is not None:
        qs = qs.filter(created_at__gte=joined_from)
    if joined_to is not None:
        qs = qs.filter(created_at__lt=joined_to)
    if search:
        term = search.strip()
        qs = qs.filter(
            Q(display_name__icontains=term) | Q(referral_code=term.upper()) | Q(email__iexact=term)
        )
    return qs.order_by("-pk")


def distributor_get_by_key(*, key: str) -> Distributor | None:
    """A distributor by the key imports and exports use: its external id, else its referral code."""
    return (
        Distributor.objects.filter(external_id=key).first()
        or Distributor.objects.filter(external_id__isnull=True, referral_code=key).first()
    )


def distributor_children(*, parent: Distributor | None) -> QuerySet[Distributor]:
    """One level of the network: the distributors directly under ``parent`` (None: the brand), every
    status, in path order (a (depth, path) index range: a page costs the same at any size)."""
    if parent is None:
        return Distributor.objects.filter(depth=1).order_by("path")
    return Distributor.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("path")


#: subtrees larger than this have their per-level counts cached for LEVEL_COUNTS_TTL seconds: counting
#: them is a scan of the subtree, which the brand's network browser would repeat on every page
LEVEL_COUNTS_CACHED_ABOVE = 10_000
LEVEL_COUNTS_TTL = 60


def _level_counts_query(parent: Distributor | None) -> dict[int, int]:
    qs = Distributor.objects.all()
    base = 0
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth__gt=parent.depth)
        base = parent.depth
    rows = qs.values("depth").annotate(n=Count("pk")).order_by("depth")
    return {row["depth"] - base: row["n"] for row in rows}


def _network_size_estimate() -> int:
    """The approved network plus the roots: the roots' maintained team sizes (one small index range)."""
    row = Distributor.objects.filter(depth=1).aggregate(team=Sum("team_size"), roots=Count("pk"))
    return (row["team"] or 0) + row["roots"]


def network_level_counts(*, parent: Distributor | None) -> dict[int, int]:
    """Distributors of every status per level below ``parent`` (None: the brand; 1 = directly under it).

    A large subtree's counts come from the cache (at most ``LEVEL_COUNTS_TTL`` seconds old): the network
    browser shows them on every page, and counting a million rows per request would not stay fast.
    """
    size = _network_size_estimate() if parent is None else parent.team_size
    if size <= LEVEL_COUNTS_CACHED_ABOVE:
        return _level_counts_query(parent)
    key = f"wd:network-levels:{parent.path if parent is not None else 'brand'}"
    counts = cache.get(key)
    if counts is None:
        counts = _level_counts_query(parent)
        cache.set(key, counts, LEVEL_COUNTS_TTL)
    return {int(level): n for level, n in counts.items()}
