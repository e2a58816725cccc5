"""App mode's Celery tasks: a verified webhook was stored (``webhooks.py``) and queued its event's row id;
here the event's object is read through Saleor's API and handed to ONE core service. Services are
idempotent (order id, refund id, line and level are unique keys), so Saleor's retries, duplicate
deliveries and our own retries count once. Saleor unreachable: retried with backoff; the row keeps its
error until a run succeeds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .. import host_events, jobs
from .. import task_names as names
from ..models import InboundEvent, SaleorAppInstallation, WeChatIdentity
from ..ports import OrderSnapshot
from ..services import bindings as binding_services
from ..services import commissions as commission_services
from ..services import disputes as dispute_services
from ..services.inbound_events import inbound_event_apply_once
from . import after_sales, orders
from .instances import installation_for
from .saleor_api import SaleorClient, SaleorUnavailable

SOURCE_PREFIX = "saleor:"

logger = logging.getLogger(__name__)
_RETRY: dict[str, Any] = {
    "autoretry_for": (OperationalError, SaleorUnavailable),
    "retry_backoff": 10,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 10,
}


#: what a task does with a stored event: read Saleor (``work``), then return the write (``apply``), which
#: ``inbound_event_apply_once`` runs in the transaction that marks the event processed
Effect = Callable[[], object]


def _nothing() -> None:
    return None


def _handle(event_pk: int, work: Callable[[SaleorClient, dict[str, Any]], Effect]) -> None:
    """Read first (Saleor over HTTP, outside any transaction), then apply the write once for the event's
    key (``services/inbound_events``): a failure rolls the write back and notes the error on the row, a
    concurrent or repeated run of the same event finds it processed."""
    event = InboundEvent.objects.filter(pk=event_pk).first()
    if event is None or event.processed_at is not None:
        return
    installation = installation_for(event.headers.get("api_url"))
    if installation is None:  # uninstalled or no longer allowed since: nothing to read with
        InboundEvent.objects.filter(pk=event_pk).update(error="The App is no longer installed or allowed.")
        return
    try:
        # Saleor sends the ``event`` field's value itself (``subscription { event { ... } }``)
        payload = json.loads(event.body)
        effect = work(SaleorClient.of(installation), payload if isinstance(payload, dict) else {})
    except Exception as error:
        InboundEvent.objects.filter(pk=event_pk).update(error=f"{type(error).__name__}: {error}"[:255])
        raise
    inbound_event_apply_once(
        source=event.source, key=event.dedupe_key, body=event.body, headers=event.headers, apply=effect
    )


def _snapshot(order: dict[str, Any]) -> OrderSnapshot:
    """The order's snapshot with the customer's WeChat identities linked in the core's identity model."""
    user_pk = orders.user_pk(order)
    linked: list[tuple[str, str]] = []
    if user_pk:
        linked = list(
            WeChatIdentity.objects.filter(user_id=user_pk).order_by("pk").values_list("app_id", "openid")[:20]
        )
    return orders.order_snapshot(order, linked)


def _order_id(payload: dict[str, Any]) -> str | None:
    return (payload.get("order") or {}).get("id")


def _with_order(event_pk: int, then: Callable[[dict[str, Any]], object]) -> None:
    def work(client: SaleorClient, payload: dict[str, Any]) -> Effect:
        order_id = _order_id(payload)
        order = orders.order_fetch(client, order_id) if order_id else None
        if order is None:
            logger.warning("order %s is not in Saleor (event %s)", order_id, event_pk)
            return _nothing
        return lambda: then(order)

    _handle(event_pk, work)


@shared_task(name=names.APP_ORDER_CREATED, **_RETRY)
def app_order_created_task(event_pk: int) -> None:
    def then(order: dict[str, Any]) -> None:
        snapshot = _snapshot(order)
        commission_services.order_placed(order=snapshot)
        if snapshot.voucher_code:  # the WeChat coupon of the code: its own task (it calls WeChat Pay)
            host_events.coupon_order_used(snapshot)

    _with_order(event_pk, then)


@shared_task(name=names.APP_ORDER_PAID, **_RETRY)
def app_order_paid_task(event_pk: int) -> None:
    """A paid order -> its commission rows."""
    _with_order(event_pk, lambda order: commission_services.order_paid(order=_snapshot(order)))


@shared_task(name=names.APP_ORDER_FULFILLED, **_RETRY)
def app_order_fulfilled_task(event_pk: int) -> None:
    _with_order(
        event_pk,
        lambda order: commission_services.order_fulfilled(
            order_id=order["id"], fulfilled_at=orders.first_fulfilled_at(order) or timezone.now()
        ),
    )


@shared_task(name=names.APP_ORDER_CANCELLED, **_RETRY)
def app_order_cancelled_task(event_pk: int) -> None:
    def then(order: dict[str, Any]) -> None:
        commission_services.order_cancelled(order_id=order["id"])
        host_events.coupon_order_cancelled(order["id"])

    _with_order(event_pk, then)


@shared_task(name=names.APP_ORDER_REFUNDED, **_RETRY)
def app_order_refunded_task(event_pk: int) -> None:
    """Each of the order's refunds (the service ignores those it has seen: the refund id is the key)."""

    def then(order: dict[str, Any]) -> None:
        snapshot = _snapshot(order)
        for refund in orders.refunds(order):
            dispute_services.order_refund_received(
                order=snapshot,
                refund_id=refund.refund_id,
                line_amounts=refund.line_amounts,
                amount=refund.amount,
            )

    _with_order(event_pk, then)


@shared_task(name=names.APP_CUSTOMER_DELETED, **_RETRY)
def app_customer_deleted_task(event_pk: int) -> None:
    def work(_client: SaleorClient, payload: dict[str, Any]) -> Effect:
        pk = orders.database_pk((payload.get("user") or {}).get("id"))
        if not (pk and pk.isdigit()):
            return _nothing
        return lambda: binding_services.customer_bindings_forget(user_id=int(pk))

    _handle(event_pk, work)


# --- vouchers: a deletion needs nothing from Saleor (the voucher is gone); the other voucher events are in
# ``voucher_tasks.py`` (imported at the end of this module, so the worker registers them) ---------------


def _voucher_pk(voucher: Any) -> str | None:
    """Coupon stocks are keyed by the voucher's database pk, as in plugin mode (``VoucherSource``)."""
    pk = orders.database_pk(voucher.get("id")) if isinstance(voucher, dict) else None
    return pk if pk and pk.isdigit() else None


@shared_task(name=names.APP_VOUCHER_DELETED, **_RETRY)
def app_voucher_deleted_task(event_pk: int) -> None:
    def work(_client: SaleorClient, payload: dict[str, Any]) -> Effect:
        voucher_id = _voucher_pk(payload.get("voucher"))
        return (lambda: host_events.voucher_deleted(voucher_id)) if voucher_id else _nothing

    _handle(event_pk, work)


# --- events whose task never ran ---------------------------------------------------------------------

#: an event younger than this may still be on its way through the queue
RESUME_AFTER = timedelta(minutes=5)
#: older than this, an event is left to staff (its row keeps the last error)
RESUME_WITHIN = timedelta(days=7)
RESUME_BATCH = 500


@shared_task(name=names.APP_EVENTS_RESUME)
def app_events_resume_task() -> int:
    """Periodic (beat, every 10 minutes): queue again the stored webhooks not processed yet. A webhook is
    answered once it is stored, so an event whose task could not be queued (the broker was down) or ran
    out of retries (Saleor unreachable for long) is only ever picked up here; tasks are idempotent."""
    from .subscriptions import BY_EVENT

    now = timezone.now()
    pending = InboundEvent.objects.filter(
        source__startswith=SOURCE_PREFIX, processed_at__isnull=True,
        received_at__lt=now - RESUME_AFTER, received_at__gte=now - RESUME_WITHIN,
    ).order_by("pk").values_list("pk", "headers")[:RESUME_BATCH]  # fmt: skip
    queued = 0
    for pk, headers in pending:
        subscription = BY_EVENT.get((headers or {}).get("event", ""))
        if subscription is not None:
            jobs.enqueue(subscription.task, pk)
            queued += 1
    return queued


# --- after-sales cases (granted refunds, returns) -> disputes (``after_sales.py``) -----------------------


@shared_task(name=names.APP_ORDER_UPDATED, **_RETRY)
def app_order_updated_task(event_pk: int) -> None:
    """ORDER_UPDATED (a return, a refund; never a grant, see ``after_sales.py``): the order's after-sales
    cases read again under its case lock, when it is ours and has one."""

    def work(client: SaleorClient, payload: dict[str, Any]) -> Effect:
        order = payload.get("order")
        if not isinstance(order, dict) or not after_sales.worth_reading([order]):
            return _nothing
        return lambda: after_sales.order_cases_sync(client, order["id"])

    _handle(event_pk, work)


@shared_task(name=names.APP_ORDERS_POLL)
def app_orders_poll_task() -> int:
    """Periodic (beat, every 5 minutes): the orders Saleor updated since the last run, for the granted
    refunds and failed refunds no webhook announces (``after_sales.orders_poll``)."""
    synced = 0
    for installation in SaleorAppInstallation.objects.order_by("pk"):
        if installation_for(installation.saleor_api_url) is not None:
            synced += after_sales.orders_poll(installation)
    return synced


from . import voucher_tasks  # noqa: E402, F401 - registers the voucher webhooks' tasks
