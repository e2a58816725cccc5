"""The interface a host without its own tasks (the sandbox's demo orders, tests) reports order, voucher and
customer events through. (Saleor's adapter queues its own tasks, which read Saleor and call the services
directly: ``saleor_adapter/tasks.py``; it uses this module for voucher and customer changes.)

Each call only queues ONE Celery task per service call (``task_names``), on commit, with the event as
keyword arguments, so nothing here blocks a checkout; the task calls the service, which is idempotent (the
same event twice, or two workers at once, change nothing more). Errors are contained: a host hook must
never fail because of us.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from . import jobs
from . import task_names as names
from .domain.holds import HoldReason
from .ports import OrderSnapshot, VoucherSnapshot, order_to_payload

logger = logging.getLogger(__name__)


def _queue(task: str, **kwargs: object) -> None:
    """Queue ``task`` (one service call) with keyword arguments; never raises into the host."""
    try:
        jobs.enqueue(task, **kwargs)
    except Exception:
        logger.exception("could not queue %s", task)


def order_created(order: OrderSnapshot) -> None:
    _queue(names.ORDER_PLACED, order=order_to_payload(order))
    if order.voucher_code:
        coupon_order_used(order)


def coupon_order_used(order: OrderSnapshot) -> None:
    """The order used a voucher code: its WeChat coupon is consumed too (a no-op without one)."""
    _queue(
        names.COUPON_ORDER_USED,
        order_id=order.order_id,
        channel=order.channel,
        voucher_code=order.voucher_code,
    )


def order_paid(order: OrderSnapshot, *, paid_at: datetime | None = None) -> None:
    _queue(names.ORDER_PAID, order=order_to_payload(order), paid_at=paid_at.isoformat() if paid_at else None)


def order_fulfilled(order_id: str, *, fulfilled_at: datetime | None = None) -> None:
    _queue(
        names.ORDER_FULFILLED,
        order_id=order_id,
        fulfilled_at=fulfilled_at.isoformat() if fulfilled_at else None,
    )


def order_cancelled(order_id: str) -> None:
    _queue(names.ORDER_CANCELLED, order_id=order_id)
    coupon_order_cancelled(order_id)


def coupon_order_cancelled(order_id: str) -> None:
    _queue(names.COUPON_ORDER_CANCELLED, order_id=order_id)


def order_refunded(
    order: OrderSnapshot,
    *,
    refund_id: str,
    line_amounts: Mapping[str, Decimal] | None = None,
    amount: Decimal | None = None,
) -> None:
    lines = {k: str(v) for k, v in line_amounts.items()} if line_amounts is not None else None
    _queue(
        names.ORDER_REFUND_RECEIVED,
        order=order_to_payload(order),
        refund_id=refund_id,
        line_amounts=lines,
        amount=str(amount) if amount is not None else None,
    )


def order_refund_requested(order_id: str, *, reference: str) -> None:
    _queue(names.ORDER_HOLD_OPEN, order_id=order_id, reason=HoldReason.REFUND_REQUESTED, reference=reference)


def order_refund_request_closed(order_id: str, *, reference: str) -> None:
    _queue(names.ORDER_HOLD_CLOSE, order_id=order_id, reason=HoldReason.REFUND_REQUESTED, reference=reference)


# --- vouchers -> WeChat Pay merchant coupons (商家券) -------------------------------------------------
# Events name the voucher (its id, or its VoucherSnapshot): the task reads it from the host's VoucherSource
# when it runs, so a retry or a late event always syncs the voucher as it is then, and no codes travel in
# Celery messages.


CODES_PER_MESSAGE = 1000


def _voucher_id(voucher: VoucherSnapshot | str) -> str:
    return voucher.voucher_id if isinstance(voucher, VoucherSnapshot) else str(voucher)


def voucher_created(voucher: VoucherSnapshot | str) -> None:
    _queue(names.COUPON_SYNC, voucher_id=_voucher_id(voucher))


def voucher_updated(voucher: VoucherSnapshot | str) -> None:
    """Also for a voucher deactivated (the sync sees it inactive and makes its coupons invalid)."""
    _queue(names.COUPON_SYNC, voucher_id=_voucher_id(voucher))


def voucher_deleted(voucher: VoucherSnapshot | str) -> None:
    _queue(names.COUPON_VOUCHER_DELETED, voucher_id=_voucher_id(voucher))


def voucher_codes_created(voucher: VoucherSnapshot | str) -> None:
    _queue(names.COUPON_SYNC, voucher_id=_voucher_id(voucher))


def voucher_codes_deleted(voucher: VoucherSnapshot | str, codes: Iterable[str]) -> None:
    """One task per 1,000 codes, so a big deletion never makes one huge message."""
    chunk: list[str] = []
    for code in codes:
        chunk.append(str(code))
        if len(chunk) == CODES_PER_MESSAGE:
            _queue(names.COUPON_CODES_DELETED, voucher_id=_voucher_id(voucher), codes=chunk)
            chunk = []
    if chunk:
        _queue(names.COUPON_CODES_DELETED, voucher_id=_voucher_id(voucher), codes=chunk)


def referral_seen(*, channel: str, user_id: int, code: str) -> None:
    """A signed-in customer carries a distributor's code (e.g. in checkout metadata): a link touch, which
    binds them when the channel's policy binds on first click."""
    _queue(names.REFERRAL_TOUCH, channel=channel, user_id=user_id, code=code)


def customer_deleted(*, user_id: int) -> None:
    """The host deleted a customer: their bindings go (attributions and commissions stay, as history)."""
    _queue(names.CUSTOMER_BINDINGS_FORGET, user_id=user_id)


def voucher_changed(*, kind: str, voucher_id: str, codes: Iterable[str] = ()) -> None:
    """One entry point for hosts that report voucher changes by kind (Saleor's adapter)."""
    if kind in ("created", "updated", "codes_created"):
        voucher_updated(voucher_id)
    elif kind == "deleted":
        voucher_deleted(voucher_id)
    elif kind == "codes_deleted":
        voucher_codes_deleted(voucher_id, codes)
    else:
        logger.error("unknown voucher change %r", kind)


def order_dispute_opened(order_id: str, *, reference: str, reason: str) -> None:
    """An after-sales case (dispute) opened in the host: the order's commissions are held meanwhile."""
    _queue(names.ORDER_DISPUTE_OPEN, order_id=order_id, reference=reference, reason=reason)


def order_case_sync(order_id: str, *, reference: str, reason: str, state: Callable[[], str | None]) -> None:
    """For a host whose after-sales record can be read again at any time, called from a background task
    (synchronous, unlike the queued events above): under the order's case lock, which the refund event
    also takes, ``state()`` reads the record (``"open"``, ``"released"`` or ``None``: the refund resolves
    it) and the dispute follows. Queued open/resolve events could run after the refund that closed the
    case, on another worker; this cannot."""
    from .services.disputes import order_case_sync as sync

    sync(order_id=order_id, reference=reference, reason=reason, state=state)


def order_dispute_resolved(
    order_id: str, *, reference: str, resolution: str, refund_id: str = "", amount: Decimal | None = None
) -> None:
    """The host closed the case: ``release`` the commissions, or ``reverse`` them with ``refund_id``."""
    _queue(
        names.ORDER_DISPUTE_RESOLVE,
        order_id=order_id,
        reference=reference,
        resolution=resolution,
        refund_id=refund_id,
        amount=str(amount) if amount else None,
    )
