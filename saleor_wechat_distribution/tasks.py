"""Celery tasks: thin wrappers over services (HackSoftware's styleguide). ``shared_task`` binds them to
the host's Celery app (Saleor's, or the sandbox's)."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .domain.payouts import PayoutTemporaryError
from .ports import order_from_payload
from .services import commissions as commission_services
from .services import disputes as dispute_services
from .services.commissions import commissions_settle_due
from .services.network_import_jobs import distributor_import_job_run
from .services.withdrawals import withdrawal_reconcile, withdrawal_send, withdrawals_resume

logger = logging.getLogger(__name__)


@shared_task(
    name="saleor_wechat_distribution.withdrawal_send",
    autoretry_for=(PayoutTemporaryError,),
    retry_backoff=getattr(settings, "WECHAT_DISTRIBUTION_PAYOUT_RETRY_BACKOFF", 30),
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=12,
)
def withdrawal_send_task(withdrawal_id: int) -> str:
    """Retries with exponential backoff on temporary WeChat Pay errors; the out_bill_no never changes."""
    return withdrawal_send(withdrawal_id=withdrawal_id).status


@shared_task(
    name="saleor_wechat_distribution.withdrawal_reconcile",
    autoretry_for=(PayoutTemporaryError,),
    retry_backoff=60,
    max_retries=6,
)
def withdrawal_reconcile_task(withdrawal_id: int) -> str:
    return withdrawal_reconcile(withdrawal_id=withdrawal_id).status


@shared_task(name="saleor_wechat_distribution.commissions_settle_due")
def commissions_settle_due_task() -> int:
    """Periodic (Celery beat, e.g. hourly): settle what the after-sales window released."""
    settled = commissions_settle_due()
    logger.info("settled %d commissions", settled)
    return settled


@shared_task(
    name="saleor_wechat_distribution.order_event",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=8,
)
def order_event_task(kind: str, *args: object) -> None:
    """One order event from the host; every service it calls is idempotent, so retries are safe."""
    match kind:
        case "placed":
            commission_services.order_placed(order=order_from_payload(args[0]))
        case "paid":
            paid_at = datetime.fromisoformat(args[1]) if args[1] else None
            commission_services.order_paid(order=order_from_payload(args[0]), paid_at=paid_at)
        case "fulfilled":
            fulfilled_at = datetime.fromisoformat(args[1]) if args[1] else None
            commission_services.order_fulfilled(order_id=args[0], fulfilled_at=fulfilled_at)
        case "cancelled":
            commission_services.order_cancelled(order_id=args[0])
        case "refunded":
            payload, refund_id, lines, amount = args
            dispute_services.order_refund_received(
                order=order_from_payload(payload),
                refund_id=refund_id,
                line_amounts={k: Decimal(v) for k, v in lines.items()} if lines is not None else None,
                amount=Decimal(amount) if amount is not None else None,
            )
        case "hold_open":
            commission_services.order_hold_open(order_id=args[0], reason=args[1], reference=args[2])
        case "hold_close":
            commission_services.order_hold_close(order_id=args[0], reason=args[1], reference=args[2])
        case "dispute_open":
            dispute_services.order_dispute_open_by_host(order_id=args[0], reference=args[1], reason=args[2])
        case "dispute_resolve":
            order_id, reference, resolution, refund_id, amount = args
            dispute_services.order_dispute_resolve_by_host(
                order_id=order_id,
                reference=reference,
                resolution=resolution,
                refund_id=refund_id,
                amount=Decimal(amount) if amount else None,
            )
        case _:
            logger.error("unknown order event %r", kind)


@shared_task(name="saleor_wechat_distribution.distributor_import", acks_late=True)
def distributor_import_task(job_id: int) -> str:
    """One network import (a GraphQL upload); the job row says how it went."""
    return distributor_import_job_run(job_id=job_id)


@shared_task(name="saleor_wechat_distribution.withdrawals_resume")
def withdrawals_resume_task() -> int:
    """Periodic (Celery beat, e.g. every 10 minutes): unsent approved withdrawals, unanswered payouts."""
    return withdrawals_resume()
