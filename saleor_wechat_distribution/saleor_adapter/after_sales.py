"""Saleor's after-sales cases -> the core's disputes (issue 7 §3): while a case is open the order's
commissions are held (not settled, not withdrawable); the refund that closes it reverses them, a case
closed without a refund releases them.

Saleor 3.24 calls no plugin hook when a refund is granted (``orderGrantRefundCreate`` /
``orderGrantRefundUpdate``), when a refund request fails, or when products are returned without a refund
(``orderFulfillmentReturnProducts`` fires only ``order_updated``, which also fires in every
``checkoutComplete``). The adapter therefore listens to the model signals of ``OrderGrantedRefund`` and
``Fulfillment`` (cheap: one check and an on-commit hand-off, nothing on the checkout path) and a Celery task
reads Saleor's record as it is then:

============================================  =========================================================
Saleor                                        dispute (reference ``saleor-granted-refund:<pk>`` /
                                              ``saleor-return:<pk>``, opened by the system)
============================================  =========================================================
granted refund, not refunded yet (status      open, reason "refund granted: <Saleor's reason>"
NONE or PENDING: requested from the payment
app)
granted refund refunded (REFUND_SUCCESS)      resolved by the refund itself (``order_refunded`` ->
                                              the core reverses the refunded lines' commissions)
granted refund whose refund failed (FAILURE)  resolved, released
or deleted
products returned without a refund            open, reason "products returned: <Saleor's reason>";
(fulfillment RETURNED)                        the refund that follows resolves it
============================================  =========================================================

Reading the record when the task runs (not the signal's snapshot) makes late or repeated deliveries
harmless: a granted refund already refunded or failed never opens a case. The record is read under the
core's order-case lock (``host_events.order_case_sync``), which the refund event also takes: Saleor
records a refund before its event is sent, so a case is never opened after the refund that closed it, even
when the two tasks run on different workers at the same moment.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models.signals import post_delete, post_save
from saleor.order import FulfillmentStatus, OrderGrantedRefundStatus
from saleor.order.models import Fulfillment, Order, OrderGrantedRefund
from saleor.payment import TransactionEventType, TransactionKind
from saleor.payment.models import Transaction, TransactionEvent

from .. import host_events, jobs, task_names
from ..domain.after_sales import GRANTED, REASON_MAX, RETURN, case_reason, case_reference
from .snapshots import global_id

logger = logging.getLogger(__name__)
__all__ = ["GRANTED", "REASON_MAX", "RETURN", "connect", "reference", "sync_case"]
_OPEN_STATUSES = (OrderGrantedRefundStatus.NONE, OrderGrantedRefundStatus.PENDING)


def reference(kind: str, pk: Any) -> str:
    """The dispute's reference (``domain/after_sales``: App mode names the same case the same way)."""
    return case_reference(kind, pk)


_reason = case_reason


# --- signals (inside Saleor's request: only an on-commit hand-off) ------------------------------------


def _hand_off(kind: str, pk: Any, order_pk: Any) -> None:
    """One task per save, after commit (none after a rollback). Several saves in one transaction queue
    several tasks: each reads the record as it is then, so the later ones change nothing."""
    jobs.enqueue(task_names.SALEOR_AFTER_SALES, kind=kind, pk=str(pk), order_pk=str(order_pk))  # on commit


def _granted_saved(sender: Any, instance: Any, **_: Any) -> None:
    try:
        _hand_off(GRANTED, instance.pk, instance.order_id)
    except Exception:
        logger.exception("granted refund %s not handed on", getattr(instance, "pk", None))


def _fulfillment_saved(sender: Any, instance: Any, created: bool = False, **_: Any) -> None:
    try:
        if created and instance.status == FulfillmentStatus.RETURNED:
            _hand_off(RETURN, instance.pk, instance.order_id)
    except Exception:
        logger.exception("returned fulfillment %s not handed on", getattr(instance, "pk", None))


def connect() -> None:
    uid = "wechat_distribution_after_sales"
    post_save.connect(_granted_saved, sender=OrderGrantedRefund, weak=False, dispatch_uid=f"{uid}_granted")
    post_delete.connect(
        _granted_saved, sender=OrderGrantedRefund, weak=False, dispatch_uid=f"{uid}_granted_deleted"
    )
    post_save.connect(_fulfillment_saved, sender=Fulfillment, weak=False, dispatch_uid=f"{uid}_returned")


# --- the task's work (off the request) ----------------------------------------------------------------


def _refunded_since(order_pk: Any, since: Any) -> bool:
    return (
        TransactionEvent.objects.filter(
            transaction__order_id=order_pk, type=TransactionEventType.REFUND_SUCCESS, created_at__gte=since
        ).exists()
        or Transaction.objects.filter(
            payment__order_id=order_pk, kind=TransactionKind.REFUND, is_success=True, created_at__gte=since
        ).exists()
    )


def _granted_state(pk: str) -> str | None:
    granted = OrderGrantedRefund.objects.filter(pk=pk).first()
    if granted is None or granted.status == OrderGrantedRefundStatus.FAILURE:
        return "released"
    if granted.status in _OPEN_STATUSES:
        return "open"
    return None  # SUCCESS: the refund's own event (order_refunded) resolves the case with its lines


def _return_state(pk: str, order_pk: str) -> str | None:
    returned = Fulfillment.objects.filter(pk=pk, status=FulfillmentStatus.RETURNED).first()
    if returned is not None and not _refunded_since(order_pk, returned.created_at):
        return "open"
    return None


def sync_case(kind: str, pk: str, order_pk: str, *, active: Any) -> None:
    """Bring the order's dispute in line with Saleor's record. ``active(channel_slug)`` says whether the
    plugin works in the order's channel (nothing is done elsewhere). The record is read under the core's
    order-case lock (``host_events.order_case_sync``), which the refund event also takes."""
    ref = reference(kind, pk)
    channel = Order.objects.filter(pk=order_pk).values_list("channel__slug", flat=True).first()
    if channel is not None and not active(channel):
        return
    order_id = global_id("Order", order_pk)
    if kind == GRANTED:
        granted = OrderGrantedRefund.objects.filter(pk=pk).first()
        reason = _reason("refund granted", granted.reason if granted else None)
        host_events.order_case_sync(order_id, reference=ref, reason=reason, state=lambda: _granted_state(pk))
    elif kind == RETURN:
        returned = Fulfillment.objects.filter(pk=pk).first()
        reason = _reason("products returned", returned.reason if returned else None)
        host_events.order_case_sync(
            order_id, reference=ref, reason=reason, state=lambda: _return_state(pk, order_pk)
        )
    else:
        logger.error("unknown after-sales case %r", kind)
