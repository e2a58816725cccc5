"""Reads over distributors; every one is an index lookup (path prefixes, (depth, path) ranges)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

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
) -> QuerySet[Distributor]:
    """Staff listing, newest first."""
    qs = Distributor.objects.all()
    if status is not None:
        qs = qs.filter(status=status.value)
    if kind is not None:
        qs = qs.filter(kind=kind.value)
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
