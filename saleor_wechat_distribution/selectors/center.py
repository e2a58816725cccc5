"""Reads of the distributor center: the home summary, why commissions are where they are, the team as a
distributor may see it, withdrawal rules before withdrawing. Every read is about the caller's own
distributor (the GraphQL layer passes the viewer), a fixed number of statements whatever its history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone

from ..db.center import HomeSummary, commission_groups, home_summary
from ..db.rows import fetch
from ..domain.center import TEAM_LEVELS, CommissionFacts, Explanation, explain
from ..domain.distributors import MEMBER_STATUSES
from ..models import Commission, Distributor, LedgerEntry, OrderAttribution, OrderLineRefund, Withdrawal
from .disputes import commission_hold_reasons

__all__ = [
    "CommissionSums", "FrozenRelease", "HomeSummary", "available_of", "commission_explanations",
    "commission_sums", "home_summary", "month_start", "recent_commissions", "team_counts", "team_members",
    "withdrawal_of_owner", "withdrawn_today",
]  # fmt: skip
ZERO = Decimal(0)
S = Commission.Status
W = Withdrawal.Status
#: withdrawals whose money is held (not finished)
OPEN_WITHDRAWALS = [W.REQUESTED, W.APPROVED, W.PROCESSING, W.WAIT_USER_CONFIRM]
#: withdrawals that count against the day's limit (services/withdrawals.py counts the same)
COUNTED_WITHDRAWALS = [*OPEN_WITHDRAWALS, W.PAID]
_MEMBERS = [s.value for s in MEMBER_STATUSES]


@dataclass(frozen=True)
class FrozenRelease:
    """Frozen commissions that become available on one day (``on`` None: not delivered yet, the
    after-sales window has not started)."""

    on: date | None
    amount: Decimal


@dataclass(frozen=True)
class CommissionSums:
    frozen: Decimal
    pending: Decimal
    releases: tuple[FrozenRelease, ...]


def commission_sums(*, distributor: Distributor, currency: str, releases: int = 3) -> CommissionSums:
    """Frozen and pending money, and the next ``releases`` days on which frozen money frees (plus the
    frozen money whose window has not started), in one grouped statement."""
    frozen = pending = ZERO
    dated: list[FrozenRelease] = []
    undated = ZERO
    for group in commission_groups(distributor=distributor, currency=currency):
        if group.status == S.PENDING:
            pending += group.total
            continue
        frozen += group.total
        if group.on is None:
            undated += group.total
        elif group.total:
            dated.append(FrozenRelease(group.on, group.total))
    dated.sort(key=lambda r: r.on or date.min)
    found = tuple(dated[:releases]) + ((FrozenRelease(None, undated),) if undated else ())
    return CommissionSums(frozen=frozen, pending=pending, releases=found)


def available_of(*, distributor: Distributor, currency: str) -> Decimal:
    return (
        LedgerEntry.objects.filter(distributor=distributor, currency=currency).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )


def month_start(now: datetime | None = None) -> datetime:
    """The first instant of the current month in the site's time zone (Asia/Shanghai in the sandbox)."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def recent_commissions(*, distributor: Distributor, count: int) -> list[Commission]:
    """The distributor's latest commissions (a plain statement: read on every home page)."""
    return fetch(Commission, "distributor_id = %s", [distributor.pk, count], tail="ORDER BY id DESC LIMIT %s")


# --- why a commission is where it is -------------------------------------------------------------------


def _gone(commission: Commission) -> bool:
    return commission.status == S.CANCELLED or commission.reversed_amount >= commission.amount > 0


def commission_explanations(*, commissions: Iterable[Commission]) -> dict[int, Explanation]:
    """pk -> explanation for a page of commissions, whatever the page's size in at most three
    statements: open holds of the live ones' orders, and for those taken back entirely (only they need
    it) the refunded shares of their lines and their orders' current attribution generation."""
    page = list(commissions)
    if not page:
        return {}
    holds = commission_hold_reasons(commissions=page)
    order_ids = sorted({c.order_id for c in page if _gone(c)})
    refunded: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    generations: dict[str, int] = {}
    if order_ids:
        refunded = {
            (row["order_id"], row["line_id"]): (row["total"], row["line_net"])
            for row in OrderLineRefund.objects.filter(order_id__in=order_ids)
            .values("order_id", "line_id")
            .annotate(total=Sum("amount"), line_net=Max("line_net"))
            .order_by()
        }
        generations = dict(
            OrderAttribution.objects.filter(order_id__in=order_ids).values_list("order_id", "generation")
        )
    found = {}
    for c in page:
        total, line_net = refunded.get((c.order_id, c.line_id), (ZERO, ZERO))
        share = min(total / line_net, Decimal(1)) if line_net and line_net > 0 else ZERO
        facts = CommissionFacts(
            status=c.status,
            amount=c.amount,
            reversed_amount=c.reversed_amount,
            settle_after=c.settle_after,
            settled_at=c.settled_at,
            hold_reason=holds.get(c.pk),
            line_refunded_share=share,
            reassigned=c.generation < generations.get(c.order_id, c.generation),
        )
        found[c.pk] = explain(facts)
    return found


# --- the team, as its upline may see it ----------------------------------------------------------------


def team_members(*, distributor: Distributor, level: int) -> QuerySet[Distributor]:
    """Approved members ``level`` (1 or 2) steps below, in path order (keyset pages), only the columns
    the center shows (``domain.center``: masked name, joined day, level)."""
    if level not in TEAM_LEVELS:
        raise ValueError(level)
    return (
        Distributor.objects.filter(
            path__startswith=distributor.path, depth=distributor.depth + level, status__in=_MEMBERS
        )
        .only("pk", "path", "depth", "display_name", "approved_at", "created_at")
        .order_by("path")
    )


def team_counts(*, distributor: Distributor) -> dict[int, int]:
    """Approved members at levels 1 and 2 (two index ranges of (depth, path), not the whole subtree)."""
    rows = (
        Distributor.objects.filter(
            path__startswith=distributor.path,
            depth__in=[distributor.depth + level for level in TEAM_LEVELS],
            status__in=_MEMBERS,
        )
        .values("depth")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(TEAM_LEVELS, 0)
    counts.update({row["depth"] - distributor.depth: row["n"] for row in rows})
    return counts


# --- withdrawals ---------------------------------------------------------------------------------------


def withdrawn_today(*, distributor: Distributor, currency: str, now: datetime | None = None) -> Decimal:
    """What counts against today's limit, across every channel of the wallet (the request's own rule)."""
    local = timezone.localtime(now or timezone.now())
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Withdrawal.objects.filter(
            distributor=distributor,
            currency=currency,
            requested_at__gte=today,
            status__in=COUNTED_WITHDRAWALS,
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )


def withdrawal_of_owner(*, distributor: Distributor, withdrawal_id: int) -> Withdrawal | None:
    return Withdrawal.objects.filter(pk=withdrawal_id, distributor=distributor).first()
