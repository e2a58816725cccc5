"""The adapter's Celery tasks: the hooks queue only Saleor ids, on commit; here the Saleor objects are
read and turned into DTOs, off the customer's request, and handed to the core's host event interface.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError
from django.db.models import Min
from django.utils import timezone
from saleor.checkout.models import Checkout
from saleor.order.models import Order
from saleor.payment import TransactionEventType, TransactionKind
from saleor.payment.models import Transaction, TransactionEvent

from .. import host_events
from ..domain.referrals import REF_METADATA_KEY
from ..models import WeChatIdentity
from ..ports import OrderSnapshot
from .snapshots import order_snapshot

logger = logging.getLogger(__name__)
TASK_PREFIX = "saleor_wechat_distribution.saleor_"


def _order(order_pk: str) -> Order | None:
    order = Order.objects.select_related("channel", "user").filter(pk=order_pk).first()
    if order is None:
        logger.warning("order %s is gone", order_pk)
    return order


def _lines(order: Order) -> list:
    return list(order.lines.select_related("variant__product").order_by("created_at", "pk"))


def _snapshot(order: Order, lines: list | tuple) -> OrderSnapshot:
    """The order's snapshot with the customer's WeChat identities linked in the core's identity model."""
    linked: list[tuple[str, str]] = []
    if order.user_id:
        linked = list(
            WeChatIdentity.objects.filter(user_id=order.user_id)
            .order_by("pk")
            .values_list("app_id", "openid")[:20]
        )
    return order_snapshot(order, lines, linked=linked)


def refunds_of(order: Order) -> list[tuple[str, object]]:
    """Every successful refund of the order as (stable id, amount): transaction-API refund events and
    legacy payment refunds. The ids make replays no-ops in the core."""
    refunds: list[tuple[str, object]] = [
        (f"saleor-transaction-event:{pk}", amount)
        for pk, amount in TransactionEvent.objects.filter(
            transaction__order_id=order.pk, type=TransactionEventType.REFUND_SUCCESS
        )
        .order_by("pk")
        .values_list("pk", "amount_value")
    ]
    refunds += [
        (f"saleor-payment-transaction:{pk}", amount)
        for pk, amount in Transaction.objects.filter(
            payment__order_id=order.pk, kind=TransactionKind.REFUND, is_success=True
        )
        .order_by("pk")
        .values_list("pk", "amount")
    ]
    return refunds


@shared_task(
    name=TASK_PREFIX + "order_event", autoretry_for=(OperationalError,), retry_backoff=5, max_retries=8
)
def saleor_order_event_task(kind: str, order_pk: str) -> None:
    order = _order(order_pk)
    if order is None:
        return
    match kind:
        case "created":
            host_events.order_created(_snapshot(order, _lines(order)))
        case "paid":
            host_events.order_paid(_snapshot(order, _lines(order)))
        case "fulfilled":
            first = order.fulfillments.aggregate(first=Min("created_at"))["first"]
            order_id = order_snapshot(order, ()).order_id
            host_events.order_fulfilled(order_id, fulfilled_at=first or timezone.now())
        case "cancelled":
            host_events.order_cancelled(order_snapshot(order, ()).order_id)
        case "refunded":
            snapshot = _snapshot(order, _lines(order))
            for refund_id, amount in refunds_of(order):
                host_events.order_refunded(snapshot, refund_id=refund_id, amount=amount)
        case _:
            logger.error("unknown Saleor order event %r", kind)


@shared_task(
    name=TASK_PREFIX + "checkout_event", autoretry_for=(OperationalError,), retry_backoff=5, max_retries=8
)
def saleor_checkout_metadata_task(checkout_token: str) -> None:
    checkout = Checkout.objects.select_related("channel").filter(token=checkout_token).first()
    if checkout is None or not checkout.user_id:
        return
    metadata = getattr(getattr(checkout, "metadata_storage", None), "metadata", None) or {}
    code = metadata.get(REF_METADATA_KEY)
    if isinstance(code, str) and code:
        host_events.referral_seen(channel=checkout.channel.slug, user_id=checkout.user_id, code=code)
