"""Celery tasks: thin wrappers over services (HackSoftware's styleguide). ``shared_task`` binds them to
the host's Celery app (Saleor's, or the sandbox's)."""

from __future__ import annotations

import logging

from celery import shared_task

from .services.commissions import commissions_settle_due
from .services.withdrawals import withdrawal_reconcile, withdrawal_send
from .wechat.payouts_errors import PayoutTemporaryError

logger = logging.getLogger(__name__)


@shared_task(
    name="saleor_wechat_distribution.withdrawal_send",
    autoretry_for=(PayoutTemporaryError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=12,
)
def withdrawal_send_task(withdrawal_id: int) -> str:
    """Retries with exponential backoff on temporary WeChat Pay errors; the out_bill_no never changes."""
    return withdrawal_send(withdrawal_id=withdrawal_id).status


@shared_task(name="saleor_wechat_distribution.withdrawal_reconcile")
def withdrawal_reconcile_task(withdrawal_id: int) -> str:
    return withdrawal_reconcile(withdrawal_id=withdrawal_id).status


@shared_task(name="saleor_wechat_distribution.commissions_settle_due")
def commissions_settle_due_task() -> int:
    """Periodic (Celery beat, e.g. hourly): settle what the after-sales window released."""
    settled = commissions_settle_due()
    logger.info("settled %d commissions", settled)
    return settled
