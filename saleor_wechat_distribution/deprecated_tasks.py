"""Deprecated task names, kept registered for one release so that messages queued under them by the
previous release (a running deployment's broker, a worker upgraded before the web process) are not lost.
Each one only forwards its ``kind`` + positional arguments to the task that now does that one thing
(``tasks.py``), with keyword arguments. To be removed in the release after next.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from . import task_names as names
from . import tasks

logger = logging.getLogger(__name__)


def forward(shim: Any, task: Any, **kwargs: Any) -> None:
    """Queue ``task`` with ``kwargs`` on the queue the shim's message came from (a worker consumes it)."""
    queue = (shim.request.delivery_info or {}).get("routing_key")
    task.apply_async(kwargs=kwargs, **({"queue": queue} if queue else {}))


@shared_task(bind=True, name=names.DEPRECATED_ORDER_EVENT)
def order_event_task(self: Any, kind: str, *args: Any) -> None:
    """Deprecated: ``order_placed``, ``order_paid``, ... (one task each)."""
    match kind:
        case "placed":
            forward(self, tasks.order_placed_task, order=args[0])
        case "paid":
            forward(self, tasks.order_paid_task, order=args[0], paid_at=args[1])
        case "fulfilled":
            forward(self, tasks.order_fulfilled_task, order_id=args[0], fulfilled_at=args[1])
        case "cancelled":
            forward(self, tasks.order_cancelled_task, order_id=args[0])
        case "refunded":
            order, refund_id, lines, amount = args
            forward(
                self, tasks.order_refund_received_task,
                order=order, refund_id=refund_id, line_amounts=lines, amount=amount,
            )  # fmt: skip
        case "hold_open":
            forward(self, tasks.order_hold_open_task, order_id=args[0], reason=args[1], reference=args[2])
        case "hold_close":
            forward(self, tasks.order_hold_close_task, order_id=args[0], reason=args[1], reference=args[2])
        case "dispute_open":
            forward(self, tasks.order_dispute_open_task, order_id=args[0], reference=args[1], reason=args[2])
        case "dispute_resolve":
            order_id, reference, resolution, refund_id, amount = args
            forward(
                self, tasks.order_dispute_resolve_task,
                order_id=order_id, reference=reference, resolution=resolution, refund_id=refund_id,
                amount=amount,
            )  # fmt: skip
        case _:
            logger.error("unknown order event %r", kind)


@shared_task(bind=True, name=names.DEPRECATED_COUPON_EVENT)
def coupon_event_task(self: Any, kind: str, *args: Any) -> None:
    """Deprecated: ``coupon_order_used``, ``coupon_order_cancelled``, ... (one task each)."""
    match kind:
        case "order_used":
            order_id, channel, code = args
            forward(self, tasks.coupon_order_used_task, order_id=order_id, channel=channel, voucher_code=code)
        case "order_cancelled":
            forward(self, tasks.coupon_order_cancelled_task, order_id=args[0])
        case "voucher_deleted":
            forward(self, tasks.coupon_voucher_deleted_task, voucher_id=args[0])
        case "codes_deleted":
            forward(self, tasks.coupon_codes_deleted_task, voucher_id=args[0], codes=args[1])
        case "withdraw":
            forward(self, tasks.coupon_withdraw_task, coupon_id=int(args[0]))
        case _:
            logger.error("unknown coupon event %r", kind)


@shared_task(bind=True, name=names.DEPRECATED_CUSTOMER_EVENT)
def customer_event_task(self: Any, kind: str, *args: Any) -> None:
    """Deprecated: ``referral_touch``, ``customer_bindings_forget``."""
    match kind:
        case "referral_seen":
            channel, user_id, code = args
            forward(self, tasks.referral_touch_task, channel=channel, user_id=user_id, code=code)
        case "deleted":
            forward(self, tasks.customer_bindings_forget_task, user_id=args[0])
        case _:
            logger.error("unknown customer event %r", kind)
