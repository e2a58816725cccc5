"""The adapter's Celery tasks: the hooks queue only Saleor ids, on commit; here, off the customer's
request, the Saleor objects are read, turned into DTOs and handed to ONE core service (a paid order:
``saleor_order_paid`` -> ``services.commissions.order_paid``, the commission rows). Every service is
idempotent, so the retries (a database that went away) are safe. The names are in ``task_names``; the
previous release's ``saleor_order_event`` / ``saleor_checkout_event`` stay registered as forwarding shims.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import OperationalError
from django.db.models import Min
from django.utils import timezone
from saleor.checkout.models import Checkout
from saleor.order.models import Order

from .. import host_events
from .. import task_names as names
from ..deprecated_tasks import forward
from ..domain.referrals import REF_METADATA_KEY
from ..models import WeChatIdentity
from ..ports import OrderSnapshot
from ..services import commissions as commission_services
from ..services import disputes as dispute_services
from ..services import referrals as referral_services
from . import after_sales
from .refunds import refunds_of
from .snapshots import global_id, order_snapshot

logger = logging.getLogger(__name__)
_RETRY: dict[str, Any] = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 8}


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


def _order_with_lines(order_pk: str) -> tuple[Order, OrderSnapshot] | None:
    order = _order(order_pk)
    return (order, _snapshot(order, _lines(order))) if order is not None else None


@shared_task(name=names.SALEOR_ORDER_CREATED, **_RETRY)
def saleor_order_created_task(*, order_pk: str) -> None:
    found = _order_with_lines(order_pk)
    if found is not None:
        commission_services.order_placed(order=found[1])
        if found[1].voucher_code:  # the WeChat coupon of the code: its own task (it calls WeChat Pay)
            host_events.coupon_order_used(found[1])


@shared_task(name=names.SALEOR_ORDER_PAID, **_RETRY)
def saleor_order_paid_task(*, order_pk: str) -> None:
    """A paid order -> its commission rows: one task, one service call."""
    found = _order_with_lines(order_pk)
    if found is not None:
        commission_services.order_paid(order=found[1])


@shared_task(name=names.SALEOR_ORDER_CREATED_PAID, **_RETRY)
def saleor_order_created_paid_task(*, order_pk: str) -> None:
    """One message from ``checkoutComplete`` of a paid checkout: placed, then paid, in this order."""
    found = _order_with_lines(order_pk)
    if found is not None:
        commission_services.order_placed_paid(order=found[1])
        if found[1].voucher_code:
            host_events.coupon_order_used(found[1])


@shared_task(name=names.SALEOR_ORDER_FULFILLED, **_RETRY)
def saleor_order_fulfilled_task(*, order_pk: str) -> None:
    order = _order(order_pk)
    if order is not None:
        first = order.fulfillments.aggregate(first=Min("created_at"))["first"]
        commission_services.order_fulfilled(
            order_id=global_id("Order", order.pk), fulfilled_at=first or timezone.now()
        )


@shared_task(name=names.SALEOR_ORDER_CANCELLED, **_RETRY)
def saleor_order_cancelled_task(*, order_pk: str) -> None:
    order = _order(order_pk)
    if order is not None:
        order_id = global_id("Order", order.pk)
        commission_services.order_cancelled(order_id=order_id)
        host_events.coupon_order_cancelled(order_id)  # the coupon of a used code: its own task


@shared_task(name=names.SALEOR_ORDER_REFUNDED, **_RETRY)
def saleor_order_refunded_task(*, order_pk: str) -> None:
    """Each of the order's refunds (the service ignores those it has seen: the refund id is the key)."""
    found = _order_with_lines(order_pk)
    if found is None:
        return
    order, snapshot = found
    for refund in refunds_of(order):
        dispute_services.order_refund_received(
            order=snapshot, refund_id=refund.refund_id, line_amounts=refund.line_amounts, amount=refund.amount
        )


@shared_task(bind=True, name=names.DEPRECATED_SALEOR_ORDER_EVENT)
def saleor_order_event_task(self: Any, kind: str, order_pk: str) -> None:
    """Deprecated (one release): messages of the previous release, forwarded to the task of ``kind``."""
    name = names.SALEOR_ORDER_TASKS.get(kind)
    if name is None:
        logger.error("unknown Saleor order event %r", kind)
        return
    forward(self, self.app.tasks[name], order_pk=order_pk)


@shared_task(name=names.SALEOR_CHECKOUT_REFERRAL, **_RETRY)
def saleor_checkout_referral_task(*, checkout_token: str) -> None:
    """The referral code a signed-in customer's checkout carries in its metadata: a link touch."""
    checkout = Checkout.objects.select_related("channel").filter(token=checkout_token).first()
    if checkout is None or not checkout.user_id:
        return
    metadata = getattr(getattr(checkout, "metadata_storage", None), "metadata", None) or {}
    code = metadata.get(REF_METADATA_KEY)
    if isinstance(code, str) and code:
        referral_services.referral_touch_by_code(
            channel=checkout.channel.slug, user_id=checkout.user_id, code=code
        )


@shared_task(bind=True, name=names.DEPRECATED_SALEOR_CHECKOUT_EVENT)
def saleor_checkout_metadata_task(self: Any, checkout_token: str) -> None:
    """Deprecated (one release): forwarded to ``saleor_checkout_referral``."""
    forward(self, saleor_checkout_referral_task, checkout_token=checkout_token)


@shared_task(name=names.SALEOR_AFTER_SALES, **_RETRY)
def saleor_after_sales_task(kind: str, pk: str, order_pk: str) -> None:
    """A granted refund or a return changed: open or resolve the order's dispute (``after_sales.py``)."""
    from .wiring import channel_settings

    after_sales.sync_case(kind, pk, order_pk, active=lambda channel: channel_settings(channel) is not None)
