"""Reads of money: commissions, balances, withdrawals, attributed orders, distributor statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from ..models import Commission, Distributor, LedgerEntry, OrderAttribution, Withdrawal
from .distributors import distributor_team_level_counts

ZERO = Decimal(0)


@dataclass(frozen=True)
class Balance:
    currency: str
    available: Decimal  # the ledger's sum: may be negative (debt after a clawback)
    frozen: Decimal  # paid orders inside the after-sales window
    pending: Decimal  # placed, not paid yet
    withdrawing: Decimal  # held for withdrawals that are not finished


def balance_of(*, distributor: Distributor, currency: str) -> Balance:
    ledger = LedgerEntry.objects.filter(distributor=distributor, currency=currency).aggregate(s=Sum("amount"))
    net = F("amount") - F("reversed_amount")
    # the statuses in the WHERE too: the (distributor, status, ...) index reads only the open rows, not
    # a busy distributor's whole history
    open_ = Commission.objects.filter(
        distributor=distributor,
        currency=currency,
        status__in=[Commission.Status.FROZEN, Commission.Status.PENDING],
    ).aggregate(
        frozen=Sum(net, filter=Q(status=Commission.Status.FROZEN)),
        pending=Sum(net, filter=Q(status=Commission.Status.PENDING)),
    )
    withdrawing = Withdrawal.objects.filter(
        distributor=distributor,
        currency=currency,
        status__in=[
            Withdrawal.Status.REQUESTED,
            Withdrawal.Status.APPROVED,
            Withdrawal.Status.PROCESSING,
            Withdrawal.Status.WAIT_USER_CONFIRM,
        ],
    ).aggregate(s=Sum("amount"))
    return Balance(
        currency=currency,
        available=ledger["s"] or ZERO,
        frozen=open_["frozen"] or ZERO,
        pending=open_["pending"] or ZERO,
        withdrawing=withdrawing["s"] or ZERO,
    )


def commissions_of(*, distributor: Distributor | None = None, status: str | None = None,
                   order_id: str | None = None) -> QuerySet[Commission]:  # fmt: skip
    qs = Commission.objects.all()
    if distributor is not None:
        qs = qs.filter(distributor=distributor)
    if status:
        qs = qs.filter(status=status)
    if order_id:
        qs = qs.filter(order_id=order_id)
    return qs


def withdrawals_of(
    *, distributor: Distributor | None = None, status: str | None = None
) -> QuerySet[Withdrawal]:
    qs = Withdrawal.objects.all()
    if distributor is not None:
        qs = qs.filter(distributor=distributor)
    if status:
        qs = qs.filter(status=status)
    return qs


def attributed_orders_of(*, distributor: Distributor) -> QuerySet[OrderAttribution]:
    return OrderAttribution.objects.filter(distributor=distributor)


@dataclass(frozen=True)
class DistributorStats:
    sales: Decimal
    orders: int
    commission: Decimal
    orders_by_source: dict[str, int]
    team_by_level: dict[int, int]


def distributor_stats(
    *, distributor: Distributor, start: datetime, end: datetime, channel: str
) -> DistributorStats:
    """Sales and commission of one channel (so of one currency) in [start, end), orders per attribution
    source, team size per level."""
    orders = OrderAttribution.objects.filter(
        distributor=distributor, channel=channel, decided_at__gte=start, decided_at__lt=end
    )
    by_source = dict(orders.values("source").annotate(n=Count("pk")).values_list("source", "n"))
    sales = orders.aggregate(s=Sum("net_total"))["s"] or ZERO
    commission = (
        Commission.objects.filter(
            distributor=distributor, channel=channel, created_at__gte=start, created_at__lt=end
        )
        .exclude(status=Commission.Status.CANCELLED)
        .aggregate(s=Sum(F("amount") - F("reversed_amount")))["s"]
        or ZERO
    )
    return DistributorStats(
        sales=sales,
        orders=sum(by_source.values()),
        commission=commission,
        orders_by_source=by_source,
        team_by_level=distributor_team_level_counts(distributor=distributor),
    )
