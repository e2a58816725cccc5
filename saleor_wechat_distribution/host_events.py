"""The interface a host (Saleor's plugin hooks, the sandbox's demo orders) reports order events through.

Each call only queues a Celery task on commit, so nothing here blocks a checkout; the tasks call the
services, which are idempotent (the same event twice, or two workers at once, change nothing more).
Errors are contained: a host hook must never fail because of us.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from . import jobs
from .ports import OrderSnapshot, order_to_payload

logger = logging.getLogger(__name__)


def _queue(kind: str, *args: object) -> None:
    try:
        jobs.enqueue("order_event", kind, *args)
    except Exception:
        logger.exception("could not queue %s order event", kind)


def order_created(order: OrderSnapshot) -> None:
    _queue("placed", order_to_payload(order))


def order_paid(order: OrderSnapshot, *, paid_at: datetime | None = None) -> None:
    _queue("paid", order_to_payload(order), paid_at.isoformat() if paid_at else None)


def order_fulfilled(order_id: str, *, fulfilled_at: datetime | None = None) -> None:
    _queue("fulfilled", order_id, fulfilled_at.isoformat() if fulfilled_at else None)


def order_cancelled(order_id: str) -> None:
    _queue("cancelled", order_id)


def order_refunded(
    order: OrderSnapshot,
    *,
    refund_id: str,
    line_amounts: Mapping[str, Decimal] | None = None,
    amount: Decimal | None = None,
) -> None:
    lines = {k: str(v) for k, v in line_amounts.items()} if line_amounts is not None else None
    _queue("refunded", order_to_payload(order), refund_id, lines, str(amount) if amount is not None else None)


def order_refund_requested(order_id: str, *, reference: str) -> None:
    _queue("hold_open", order_id, "refund_requested", reference)


def order_refund_request_closed(order_id: str, *, reference: str) -> None:
    _queue("hold_close", order_id, "refund_requested", reference)


def order_dispute_opened(order_id: str, *, reference: str, reason: str) -> None:
    """An after-sales case (dispute) opened in the host: the order's commissions are held meanwhile."""
    _queue("dispute_open", order_id, reference, reason)


def order_dispute_resolved(
    order_id: str, *, reference: str, resolution: str, refund_id: str = "", amount: Decimal | None = None
) -> None:
    """The host closed the case: ``release`` the commissions, or ``reverse`` them with ``refund_id``."""
    _queue("dispute_resolve", order_id, reference, resolution, refund_id, str(amount) if amount else None)
