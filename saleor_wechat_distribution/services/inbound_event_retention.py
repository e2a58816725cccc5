"""Retention of the inbound event log (``InboundEvent``): processed events older than a window are deleted,
in small batches, by a periodic job (``inbound_events_prune``; task ``INBOUND_EVENTS_PRUNE``).

The window is the Django setting ``WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS`` (App mode: the environment
variable of that name), ``DEFAULT_RETENTION_DAYS`` when unset, never less than ``MIN_RETENTION_DAYS``. It is
one setting per deployment, not a per-channel program setting: the log is not per channel.

Why at least 14 days. While an event's row exists, a redelivery of it is acknowledged without doing
anything (its ``dedupe_key`` is unique); the window must outlast every redelivery a sender may still make:

- WeChat (Official Account and Open Platform callbacks) retries three times within about 15 seconds, and
  WeChat Pay (transfer and 商家券 notifications) for about 24 hours (15 s ... 6 h apart). Both sign every
  delivery anew, and our verification refuses a timestamp more than 300 s off (``wechat/callbacks.py``,
  ``notification_max_age``), so an old body cannot be replayed at all.
- Saleor (App mode's webhooks) retries a delivery five times, 10 s doubling (about 5 minutes:
  ``send_webhook_request_async``, ``retry_backoff=10``, ``max_retries=5`` in
  ``saleor/webhook/transport/asynchronous/transport.py``), but the delivery may wait in Saleor's queue for
  as long as its workers lag, and staff may retry a failed delivery by hand (``eventDeliveryRetry``) as long
  as Saleor keeps it: ``EVENT_PAYLOAD_DELETE_PERIOD``, 14 days by default. Saleor's signature (a JWS of
  the body) carries no time, so such a redelivery is accepted whenever it comes.

Past the window a redelivery is applied again, and that is safe for money: every effect is idempotent on
keys of its own (a commission per order line and level, a ledger entry per idempotency key, a refund per
refund id and line, a withdrawal's final state is final), which ``tests/app/test_event_retention_replay.py``
and ``tests/commissions/test_event_retention_replay.py`` prove on a replay after the row was deleted. The
window only saves the work (and the Saleor reads) of such a replay.

Kept whatever their age:

- events still to apply (``processed_at`` empty: failed, or never run): the next delivery or App mode's
  resume job applies them. Those older than the window are counted and logged (WARNING) on every run, so
  that staff see them; they never block the deletion of the others.
- ``InboundSource.VOUCHER_CODE_USE`` rows: not a delivery's log but the record that one use of a voucher
  code in WeChat was counted on the host (``VoucherCode.used`` in plugin mode, the code deleted in App
  mode); a few bytes each, one per redeemed coupon.

Each batch is two short statements (the oldest ``batch_size`` ids through the ``received_at`` index, then
``DELETE ... WHERE id IN (...)`` in autocommit): no long lock, no long transaction, however large the
backlog; a run stops after ``max_batches`` and the next run goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ..domain.inbound_events import InboundSource
from ..models import InboundEvent
from ..selectors.inbound_events import UnappliedEvents, inbound_events_unapplied_before

logger = logging.getLogger(__name__)

SETTING = "WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90
#: the longest a sender may still redeliver an event (module docstring): Saleor's default
#: ``EVENT_PAYLOAD_DELETE_PERIOD``, within which staff may retry a failed delivery by hand
MIN_RETENTION_DAYS = 14
BATCH_SIZE = 1000
MAX_BATCHES = 100
#: sources whose rows are dedupe records of their own, never deleted (module docstring)
KEPT_SOURCES = frozenset({InboundSource.VOUCHER_CODE_USE.value})


def retention_days_of(raw: object) -> tuple[int, str]:
    """The window (days) a configured value gives, and what is wrong with the value ("" when nothing)."""
    if raw is None or raw == "":
        return DEFAULT_RETENTION_DAYS, ""
    try:
        days = int(str(raw).strip())
    except ValueError:
        problem = f"{SETTING}={raw!r} is not a number of days: {DEFAULT_RETENTION_DAYS} used"
        return DEFAULT_RETENTION_DAYS, problem
    if days < MIN_RETENTION_DAYS:
        return MIN_RETENTION_DAYS, (
            f"{SETTING}={days} is shorter than a sender may redeliver an event: {MIN_RETENTION_DAYS} used"
        )
    return days, ""


def inbound_event_retention_days() -> int:
    """The configured window in days (``retention_days_of``; a bad value is logged and replaced)."""
    days, problem = retention_days_of(getattr(settings, SETTING, None))
    if problem:
        logger.warning("%s", problem)
    return days


@dataclass(frozen=True)
class PruneResult:
    #: events received before this moment were due
    cutoff: datetime
    deleted: int
    #: True when the run stopped after ``max_batches`` with more due (the next run goes on)
    more: bool
    #: per source, the events older than the window still to apply (kept)
    unapplied: list[UnappliedEvents] = field(default_factory=list)


def inbound_events_prune(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES
) -> PruneResult:
    """Delete processed events received more than the retention window ago, oldest first, ``batch_size``
    at a time; then count and log those older than the window still to apply (kept)."""
    days = inbound_event_retention_days()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    due = InboundEvent.objects.filter(received_at__lt=cutoff, processed_at__isnull=False).exclude(
        source__in=KEPT_SOURCES
    )
    deleted, more = 0, False
    for batch in range(max_batches):
        ids = list(due.order_by("received_at").values_list("pk", flat=True)[:batch_size])
        if ids:
            # processed_at again: a processed row never becomes unprocessed, but the filter costs nothing
            deleted += InboundEvent.objects.filter(pk__in=ids, processed_at__isnull=False).delete()[0]
        if len(ids) < batch_size:
            break
        more = batch == max_batches - 1
    if deleted:
        logger.info("deleted %d processed inbound events received before %s", deleted, cutoff.isoformat())
    if more:
        logger.info("more processed inbound events are due: the next run goes on")
    unapplied = inbound_events_unapplied_before(before=cutoff)
    for group in unapplied:
        logger.warning(
            "%d inbound events from %s older than %d days are not applied (%d failed, see their error): "
            "kept until applied",
            group.count, group.source, days, group.failed,
        )  # fmt: skip
    return PruneResult(cutoff=cutoff, deleted=deleted, more=more, unapplied=unapplied)
