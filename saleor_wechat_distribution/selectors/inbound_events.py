"""Reads over the inbound event log (``models.InboundEvent``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from ..models import InboundEvent


@dataclass(frozen=True)
class UnappliedEvents:
    """Events received before a moment and never applied, of one source."""

    source: str
    #: every one of them
    count: int
    #: those whose last delivery failed (``error`` set); the others never ran (a queue that lost them)
    failed: int


def inbound_events_unapplied_before(*, before: datetime) -> list[UnappliedEvents]:
    """Per source, the events received before ``before`` that are still to be applied (partial index
    ``wd_inbound_unprocessed``: there are few of them, however large the log)."""
    rows = (
        InboundEvent.objects.filter(processed_at__isnull=True, received_at__lt=before)
        .values("source")
        .annotate(count=Count("pk"), failed=Count("pk", filter=~Q(error="")))
        .order_by("source")
    )
    return [UnappliedEvents(source=r["source"], count=r["count"], failed=r["failed"]) for r in rows]
