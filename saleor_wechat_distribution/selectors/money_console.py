"""Reads of the staff console's money page and order widget: commissions by filter, withdrawal totals,
and the per-order batches its dataloaders ask for (one query per batch, whatever the page size)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum

from ..domain.money import quantize
from ..models import (
    AttributionChange,
    Commission,
    Distributor,
    OrderAttribution,
    OrderDispute,
    OrderDisputeEvent,
    Withdrawal,
)

#: what the withdrawals tab of the money page counts: waiting for staff, on the way, failed
TOTALLED_WITHDRAWAL_STATUSES = (
    Withdrawal.Status.REQUESTED,
    Withdrawal.Status.APPROVED,
    Withdrawal.Status.PROCESSING,
    Withdrawal.Status.WAIT_USER_CONFIRM,
    Withdrawal.Status.FAILED,
)


@dataclass(frozen=True)
class CommissionFilter:
    status: str | None = None
    distributor: Distributor | None = None
    order_id: str | None = None
    created_from: datetime | None = None  # included
    created_to: datetime | None = None  # excluded


def staff_commissions(filters: CommissionFilter) -> QuerySet[Commission]:
    qs = Commission.objects.all()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.distributor is not None:
        qs = qs.filter(distributor=filters.distributor)
    if filters.order_id:
        qs = qs.filter(order_id=filters.order_id)
    if filters.created_from is not None:
        qs = qs.filter(created_at__gte=filters.created_from)
    if filters.created_to is not None:
        qs = qs.filter(created_at__lt=filters.created_to)
    return qs


@dataclass(frozen=True)
class WithdrawalTotal:
    status: str
    currency: str
    count: int
    amount: Decimal


def withdrawal_totals() -> list[WithdrawalTotal]:
    """How many withdrawals and how much money per status and currency (one grouped query)."""
    rows = (
        Withdrawal.objects.filter(status__in=TOTALLED_WITHDRAWAL_STATUSES)
        .values_list("status", "currency")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("status", "currency")
    )
    return [
        WithdrawalTotal(status=status, currency=currency, count=n, amount=quantize(total, currency))
        for status, currency, n, total in rows
    ]


def attributions_of_orders(order_ids: Iterable[str]) -> dict[str, OrderAttribution]:
    return {a.order_id: a for a in OrderAttribution.objects.filter(order_id__in=set(order_ids))}


def commissions_of_orders(order_ids: Iterable[str]) -> dict[str, list[Commission]]:
    """Every commission of each order (all generations: a reassignment's cancelled ones too)."""
    found: dict[str, list[Commission]] = {}
    rows = Commission.objects.filter(order_id__in=set(order_ids)).order_by("generation", "level", "pk")
    for commission in rows:
        found.setdefault(commission.order_id, []).append(commission)
    return found


def latest_disputes_of_orders(order_ids: Iterable[str]) -> dict[str, OrderDispute]:
    """The newest dispute of each order (an open one, or the last one resolved)."""
    found: dict[str, OrderDispute] = {}
    for dispute in OrderDispute.objects.filter(order_id__in=set(order_ids)).order_by("pk"):
        found[dispute.order_id] = dispute
    return found


def events_of_disputes(dispute_ids: Iterable[int]) -> dict[int, list[OrderDisputeEvent]]:
    found: dict[int, list[OrderDisputeEvent]] = {}
    for event in OrderDisputeEvent.objects.filter(dispute_id__in=set(dispute_ids)).order_by("pk"):
        found.setdefault(event.dispute_id, []).append(event)
    return found


def changes_of_attributions(attribution_ids: Iterable[int]) -> dict[int, list[AttributionChange]]:
    found: dict[int, list[AttributionChange]] = {}
    for change in AttributionChange.objects.filter(attribution_id__in=set(attribution_ids)).order_by("pk"):
        found.setdefault(change.attribution_id, []).append(change)
    return found


COMMISSION_EXPORT_COLUMNS = [
    "commission_id", "created_at", "order_id", "order_number", "line_id", "channel", "distributor_id",
    "referral_code", "distributor", "level", "status", "currency", "base", "rate", "fixed_amount", "amount",
    "reversed_amount", "net_amount", "paid_at", "settle_after", "settled_at",
]  # fmt: skip


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _amount(value: Decimal | None, currency: str) -> str:
    return "" if value is None else str(quantize(value, currency))


def commission_export_rows(filters: CommissionFilter, *, chunk_size: int = 5000) -> Iterator[list[object]]:
    """The filtered commissions, newest first, as CSV rows: amounts as decimal strings rounded to the
    currency's minor unit (never floats). One streamed query (the order number comes from the
    attribution in the same statement)."""
    numbers = OrderAttribution.objects.filter(order_id=OuterRef("order_id")).values("order_number")[:1]
    columns = (
        "pk", "created_at", "order_id", "order_number", "line_id", "channel", "distributor_id",
        "distributor__referral_code", "distributor__display_name", "level", "status", "currency", "base",
        "rate", "fixed_amount", "amount", "reversed_amount", "paid_at", "settle_after", "settled_at",
    )  # fmt: skip
    rows = staff_commissions(filters).order_by("-pk").annotate(order_number=Subquery(numbers))
    rows = rows.values_list(*columns)
    for row in rows.iterator(chunk_size=chunk_size):
        (pk, created, order_id, number, line_id, channel, distributor_id, code, name, level, status, currency,
         base, rate, fixed, amount, reversed_, paid, settle_after, settled) = row  # fmt: skip
        yield [
            pk, _when(created), order_id, number or "", line_id, channel, distributor_id, code, name, level,
            status, currency, _amount(base, currency), "" if rate is None else format(rate.normalize(), "f"),
            _amount(fixed, currency), _amount(amount, currency), _amount(reversed_, currency),
            _amount(amount - reversed_, currency), _when(paid), _when(settle_after), _when(settled),
        ]  # fmt: skip
