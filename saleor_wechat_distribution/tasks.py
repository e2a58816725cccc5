"""Celery tasks: thin wrappers over services (HackSoftware's styleguide), one task per service call, with
keyword arguments. ``shared_task`` binds them to the host's Celery app (Saleor's, or the sandbox's); their
names are in ``task_names.py``; the previous release's names are forwarding shims (``deprecated_tasks.py``).
"""

from __future__ import annotations

import logging
import random
from datetime import datetime
from decimal import Decimal
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from . import task_names as names
from .domain.coupons import CouponTemporaryError
from .domain.payouts import PayoutTemporaryError
from .models import OrderAttribution
from .ports import WeChatApiError, order_from_payload
from .services import bindings as binding_services
from .services import commissions as commission_services
from .services import disputes as dispute_services
from .services import referrals as referral_services
from .services.commissions import commissions_settle_due
from .services.coupons.card_pack import coupon_withdraw
from .services.coupons.deactivation import coupon_voucher_deactivate
from .services.coupons.reconcile import coupon_reconcile
from .services.coupons.redemption import coupon_order_cancelled, coupon_order_use_give_up, coupon_order_used
from .services.coupons.stock_sync import coupon_sync_give_up, coupon_sync_voucher
from .services.coupons.voucher_codes import coupon_voucher_codes_deleted
from .services.identities import identity_profile_refresh
from .services.inbound_event_retention import inbound_events_prune
from .services.miniprogram.subscriptions import SubscribeTemporaryError, subscribe_send
from .services.network_import.jobs import distributor_import_job_run
from .services.notifications import (
    NotificationTemporaryError,
    notification_send,
    notify_commissions_created,
    notify_commissions_settled,
)
from .services.official_account_tokens import official_accounts_tokens_refresh
from .services.official_accounts import official_account_authorized_notice
from .services.payouts import withdrawal_reconcile, withdrawal_send, withdrawals_resume

logger = logging.getLogger(__name__)


@shared_task(
    name=names.WITHDRAWAL_SEND,
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
    name=names.WITHDRAWAL_RECONCILE,
    autoretry_for=(PayoutTemporaryError,),
    retry_backoff=60,
    max_retries=6,
)
def withdrawal_reconcile_task(withdrawal_id: int) -> str:
    return withdrawal_reconcile(withdrawal_id=withdrawal_id).status


@shared_task(name=names.COMMISSIONS_SETTLE_DUE)
def commissions_settle_due_task() -> int:
    """Periodic (Celery beat, e.g. hourly): settle what the after-sales window released."""
    now = timezone.now()
    settled = commissions_settle_due(now=now)
    notify_commissions_settled(settled_at=now)
    logger.info("settled %d commissions", settled)
    return settled


@shared_task(name=names.INBOUND_EVENTS_PRUNE)
def inbound_events_prune_task() -> dict[str, int]:
    """Periodic (Celery beat, hourly; App mode: once in each instance's schema): processed inbound events
    older than the retention window deleted in batches; old events still to apply counted and logged."""
    result = inbound_events_prune()
    return {
        "deleted": result.deleted,
        "more": int(result.more),
        "unapplied": sum(group.count for group in result.unapplied),
        "failed": sum(group.failed for group in result.unapplied),
    }


# --- order events: one task per service call, keyword arguments; every service is idempotent, so the
# retries (a database that went away) are safe ------------------------------------------------------------

_DB_RETRY: dict[str, Any] = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 8}


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@shared_task(name=names.ORDER_PLACED, **_DB_RETRY)
def order_placed_task(*, order: dict) -> None:
    commission_services.order_placed(order=order_from_payload(order))


@shared_task(name=names.ORDER_PAID, **_DB_RETRY)
def order_paid_task(*, order: dict, paid_at: str | None = None) -> None:
    commission_services.order_paid(order=order_from_payload(order), paid_at=_when(paid_at))


@shared_task(name=names.ORDER_FULFILLED, **_DB_RETRY)
def order_fulfilled_task(*, order_id: str, fulfilled_at: str | None = None) -> None:
    commission_services.order_fulfilled(order_id=order_id, fulfilled_at=_when(fulfilled_at))


@shared_task(name=names.ORDER_CANCELLED, **_DB_RETRY)
def order_cancelled_task(*, order_id: str) -> None:
    commission_services.order_cancelled(order_id=order_id)


@shared_task(name=names.ORDER_REFUND_RECEIVED, **_DB_RETRY)
def order_refund_received_task(
    *, order: dict, refund_id: str, line_amounts: dict[str, str] | None = None, amount: str | None = None
) -> None:
    dispute_services.order_refund_received(
        order=order_from_payload(order),
        refund_id=refund_id,
        line_amounts={k: Decimal(v) for k, v in line_amounts.items()} if line_amounts is not None else None,
        amount=Decimal(amount) if amount is not None else None,
    )


@shared_task(name=names.ORDER_HOLD_OPEN, **_DB_RETRY)
def order_hold_open_task(*, order_id: str, reason: str, reference: str = "") -> None:
    commission_services.order_hold_open(order_id=order_id, reason=reason, reference=reference)


@shared_task(name=names.ORDER_HOLD_CLOSE, **_DB_RETRY)
def order_hold_close_task(*, order_id: str, reason: str, reference: str = "") -> None:
    commission_services.order_hold_close(order_id=order_id, reason=reason, reference=reference)


@shared_task(name=names.ORDER_DISPUTE_OPEN, **_DB_RETRY)
def order_dispute_open_task(*, order_id: str, reference: str, reason: str) -> None:
    dispute_services.order_dispute_open_by_host(order_id=order_id, reference=reference, reason=reason)


@shared_task(name=names.ORDER_DISPUTE_RESOLVE, **_DB_RETRY)
def order_dispute_resolve_task(
    *, order_id: str, reference: str, resolution: str, refund_id: str = "", amount: str | None = None
) -> None:
    dispute_services.order_dispute_resolve_by_host(
        order_id=order_id,
        reference=reference,
        resolution=resolution,
        refund_id=refund_id,
        amount=Decimal(amount) if amount else None,
    )


@shared_task(name=names.DISTRIBUTOR_IMPORT, acks_late=True)
def distributor_import_task(job_id: int) -> str:
    """One network import (a GraphQL upload); the job row says how it went."""
    return distributor_import_job_run(job_id=job_id)


@shared_task(name=names.WITHDRAWALS_RESUME)
def withdrawals_resume_task() -> int:
    """Periodic (Celery beat, e.g. every 10 minutes): unsent approved withdrawals, unanswered payouts."""
    return withdrawals_resume()


# --- coupons (商家券) -------------------------------------------------------------------------------


def _coupon_backoff(retries: int) -> float:
    """Exponential backoff with jitter: base, 2 x base, 4 x base, ... capped at an hour."""
    base = float(getattr(settings, "WECHAT_DISTRIBUTION_COUPON_RETRY_BACKOFF", 30))
    return min(3600.0, base * 2**retries) * (0.75 + random.random() / 2)  # noqa: S311 (jitter)


@shared_task(bind=True, name=names.COUPON_SYNC, max_retries=10)
def coupon_sync_task(self: Any, voucher_id: str) -> None:
    """Sync one voucher with WeChat Pay. Rate limits and temporary errors retry with exponential backoff;
    when the retries run out the stocks show ``failed`` (never a half-synced stock that looks healthy)."""
    try:
        coupon_sync_voucher(voucher_id=voucher_id)
    except (CouponTemporaryError, OperationalError) as error:
        if self.request.retries >= self.max_retries:
            coupon_sync_give_up(voucher_id=voucher_id, error=error)
            return
        raise self.retry(exc=error, countdown=_coupon_backoff(self.request.retries)) from error


def _coupon_retry(task: Any, error: Exception) -> Exception:
    return task.retry(exc=error, countdown=_coupon_backoff(task.request.retries))


# redemption both ways; every service is idempotent (request numbers derived from the event)


@shared_task(bind=True, name=names.COUPON_ORDER_USED, max_retries=10)
def coupon_order_used_task(self: Any, *, order_id: str, channel: str, voucher_code: str) -> None:
    """When the retries run out the code is marked as not consumed on WeChat's side (never silently)."""
    try:
        coupon_order_used(order_id=order_id, channel=channel, voucher_code=voucher_code)
    except (CouponTemporaryError, OperationalError) as error:
        if self.request.retries >= self.max_retries:
            coupon_order_use_give_up(
                order_id=order_id, channel=channel, voucher_code=voucher_code, error=error
            )
            return
        raise _coupon_retry(self, error) from error


@shared_task(bind=True, name=names.COUPON_ORDER_CANCELLED, max_retries=10)
def coupon_order_cancelled_task(self: Any, *, order_id: str) -> None:
    try:
        coupon_order_cancelled(order_id=order_id)
    except (CouponTemporaryError, OperationalError) as error:
        raise _coupon_retry(self, error) from error


@shared_task(bind=True, name=names.COUPON_VOUCHER_DELETED, max_retries=10)
def coupon_voucher_deleted_task(self: Any, *, voucher_id: str) -> None:
    try:
        coupon_voucher_deactivate(voucher_id=voucher_id, deleted=True)
    except (CouponTemporaryError, OperationalError) as error:
        raise _coupon_retry(self, error) from error


@shared_task(bind=True, name=names.COUPON_CODES_DELETED, max_retries=10)
def coupon_codes_deleted_task(self: Any, *, voucher_id: str, codes: list[str]) -> None:
    try:
        coupon_voucher_codes_deleted(voucher_id=voucher_id, codes=codes)
    except (CouponTemporaryError, OperationalError) as error:
        raise _coupon_retry(self, error) from error


@shared_task(bind=True, name=names.COUPON_WITHDRAW, max_retries=10)
def coupon_withdraw_task(self: Any, *, coupon_id: int) -> None:
    try:
        coupon_withdraw(coupon_id=int(coupon_id))
    except (CouponTemporaryError, OperationalError) as error:
        raise _coupon_retry(self, error) from error


@shared_task(name=names.COUPONS_RECONCILE, autoretry_for=(CouponTemporaryError,),
             retry_backoff=60, max_retries=3)  # fmt: skip
def coupons_reconcile_task() -> int:
    """Periodic (Celery beat, e.g. every 15 minutes): coupons redeemed in stores -> voucher codes used."""
    return coupon_reconcile()


# --- WeChat Official Accounts ------------------------------------------------------------------------


@shared_task(
    name=names.WECHAT_IDENTITY_REFRESH,
    autoretry_for=(WeChatApiError,),
    retry_backoff=30,
    max_retries=3,
)
def wechat_identity_refresh_task(app_id: str, openid: str) -> bool:
    """After a follow: ``user/info`` for the unionid, and the QR scene when the event lost it."""
    return identity_profile_refresh(app_id=app_id, openid=openid)


@shared_task(name=names.WECHAT_ACCOUNT_AUTHORIZED, max_retries=3, default_retry_delay=30)
def wechat_account_authorized_task(app_id: str, authorization_code: str) -> bool:
    return (
        official_account_authorized_notice(app_id=app_id, authorization_code=authorization_code) is not None
    )


@shared_task(name=names.WECHAT_AUTHORIZER_TOKENS_REFRESH)
def wechat_authorizer_tokens_refresh_task() -> dict[str, int]:
    """Periodic (Celery beat, every 10 minutes): renew Open Platform authorizer access tokens before they
    expire; an account that withdrew its authorization is marked unauthorized."""
    counts = official_accounts_tokens_refresh()
    logger.info("authorizer tokens: %s", counts)
    return counts


@shared_task(
    name=names.NOTIFICATION_SEND,
    autoretry_for=(NotificationTemporaryError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=6,
)
def notification_send_task(notification_id: int, channel: str = "") -> str:
    """A template message to a distributor; retried with backoff when WeChat is busy or unreachable."""
    notification = notification_send(notification_id=notification_id, channel=channel)
    return notification.status if notification is not None else "missing"


@shared_task(name=names.COMMISSIONS_NOTIFY)
def commissions_notify_task(order_id: str) -> int:
    """Queue the "new commission" template messages of an order's current commissions (idempotent)."""
    attribution = OrderAttribution.objects.filter(order_id=order_id).first()
    return notify_commissions_created(attribution=attribution) if attribution is not None else 0


# --- customers ----------------------------------------------------------------------------------------


@shared_task(name=names.REFERRAL_TOUCH, **_DB_RETRY)
def referral_touch_task(*, channel: str, user_id: int, code: str) -> None:
    referral_services.referral_touch_by_code(channel=channel, user_id=user_id, code=code)


@shared_task(name=names.CUSTOMER_BINDINGS_FORGET, **_DB_RETRY)
def customer_bindings_forget_task(*, user_id: int) -> None:
    binding_services.customer_bindings_forget(user_id=user_id)


# --- Mini Programs ------------------------------------------------------------------------------------


@shared_task(
    name=names.SUBSCRIBE_MESSAGE_SEND,
    autoretry_for=(SubscribeTemporaryError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=6,
)
def subscribe_message_send_task(*, message_id: int) -> str:
    """A Mini Program subscribe message to a distributor; retried with backoff when WeChat is busy."""
    message = subscribe_send(message_id=message_id)
    return message.status if message is not None else "missing"
