"""Reads of disputes and of why a commission is held."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

from ..db.rows import placeholders
from ..domain.holds import HOLD_PRECEDENCE
from ..models import Commission, OrderDispute, OrderHold

#: the reason a distributor sees first when several cases hold one order
_PRECEDENCE = HOLD_PRECEDENCE
_HELD_STATUSES = (Commission.Status.PENDING, Commission.Status.FROZEN, Commission.Status.AVAILABLE)


def disputes_list(*, status: str | None = None, order_id: str | None = None) -> QuerySet[OrderDispute]:
    qs = OrderDispute.objects.all()
    if status:
        qs = qs.filter(status=status)
    if order_id:
        qs = qs.filter(order_id=order_id)
    return qs


def order_hold_reasons(*, order_ids: Iterable[str]) -> dict[str, str]:
    """order id -> why its commissions are held ("dispute" before "refund_requested"); absent: not held."""
    wanted = sorted(set(order_ids))
    if not wanted:
        return {}
    reasons: dict[str, set[str]] = {}
    # a plain statement: read for every page of commissions (the center's home page included)
    connection = connections[DEFAULT_DB_ALIAS]
    table = connection.ops.quote_name(OrderHold._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT order_id, reason FROM {table}"  # noqa: S608 - names and placeholders only
            f" WHERE order_id IN ({placeholders(wanted)}) AND closed_at IS NULL",
            wanted,
        )
        rows = cursor.fetchall()
    for order_id, reason in rows:
        reasons.setdefault(order_id, set()).add(reason)
    return {
        order_id: next((r for r in _PRECEDENCE if r in found), sorted(found)[0])
        for order_id, found in reasons.items()
    }


def commission_hold_reasons(*, commissions: Iterable[Commission]) -> dict[int, str]:
    """commission pk -> hold reason, for a page of commissions in one query (a dataloader's batch)."""
    live = [c for c in commissions if c.status in _HELD_STATUSES and c.amount > c.reversed_amount]
    by_order = order_hold_reasons(order_ids=[c.order_id for c in live])
    return {c.pk: by_order[c.order_id] for c in live if c.order_id in by_order}


def commission_hold_reason(*, commission: Commission) -> str | None:
    """Why this commission is held right now ("dispute", "refund_requested"), or None."""
    return commission_hold_reasons(commissions=[commission]).get(commission.pk)
