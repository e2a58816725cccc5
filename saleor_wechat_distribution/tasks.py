"""Celery tasks: thin wrappers over services (HackSoftware's styleguide). ``shared_task`` binds them to
the host's Celery app (Saleor's, or the sandbox's)."""

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
    now = timezone.now()
    settled = commissions_settle_due(now=now)
    notify_commissions_settled(settled_at=now)
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


# --- coupons (商家券) -------------------------------------------------------------------------------


def _coupon_backoff(retries: int) -> float:
    """Exponential backoff with jitter: base, 2 x base, 4 x base, ... capped at an hour."""
    base = float(getattr(settings, "WECHAT_DISTRIBUTION_COUPON_RETRY_BACKOFF", 30))
    return min(3600.0, base * 2**retries) * (0.75 + random.random() / 2)  # noqa: S311 (jitter)


@shared_task(bind=True, name="saleor_wechat_distribution.coupon_sync", max_retries=10)
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


@shared_task(bind=True, name="saleor_wechat_distribution.coupon_event", max_retries=10)
def coupon_event_task(self: Any, kind: str, *args: Any) -> None:
    """Redemption both ways; every service is idempotent (request numbers derived from the event)."""
    try:
        match kind:
            case "order_used":
                order_id, channel, code = args
                coupon_order_used(order_id=order_id, channel=channel, voucher_code=code)
            case "order_cancelled":
                coupon_order_cancelled(order_id=args[0])
            case "voucher_deleted":
                coupon_voucher_deactivate(voucher_id=args[0], deleted=True)
            case "codes_deleted":
                coupon_voucher_codes_deleted(voucher_id=args[0], codes=args[1])
            case "withdraw":
                coupon_withdraw(coupon_id=int(args[0]))
            case _:
                logger.error("unknown coupon event %r", kind)
    except (CouponTemporaryError, OperationalError) as error:
        if kind == "order_used" and self.request.retries >= self.max_retries:
            order_id, channel, code = args
            coupon_order_use_give_up(order_id=order_id, channel=channel, voucher_code=code, error=error)
            return
        raise self.retry(exc=error, countdown=_coupon_backoff(self.request.retries)) from error


@shared_task(name="saleor_wechat_distribution.coupons_reconcile", autoretry_for=(CouponTemporaryError,),
             retry_backoff=60, max_retries=3)  # fmt: skip
def coupons_reconcile_task() -> int:
    """Periodic (Celery beat, e.g. every 15 minutes): coupons redeemed in stores -> voucher codes used."""
    return coupon_reconcile()


# --- WeChat Official Accounts ------------------------------------------------------------------------


@shared_task(
    name="saleor_wechat_distribution.wechat_identity_refresh",
    autoretry_for=(WeChatApiError,),
    retry_backoff=30,
    max_retries=3,
)
def wechat_identity_refresh_task(app_id: str, openid: str) -> bool:
    """After a follow: ``user/info`` for the unionid, and the QR scene when the event lost it."""
    return identity_profile_refresh(app_id=app_id, openid=openid)


@shared_task(
    name="saleor_wechat_distribution.wechat_account_authorized", max_retries=3, default_retry_delay=30
)
def wechat_account_authorized_task(app_id: str, authorization_code: str) -> bool:
    return (
        official_account_authorized_notice(app_id=app_id, authorization_code=authorization_code) is not None
    )


@shared_task(name="saleor_wechat_distribution.wechat_authorizer_tokens_refresh")
def wechat_authorizer_tokens_refresh_task() -> dict[str, int]:
    """Periodic (Celery beat, every 10 minutes): renew Open Platform authorizer access tokens before they
    expire; an account that withdrew its authorization is marked unauthorized."""
    counts = official_accounts_tokens_refresh()
    logger.info("authorizer tokens: %s", counts)
    return counts


@shared_task(
    name="saleor_wechat_distribution.notification_send",
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


@shared_task(name="saleor_wechat_distribution.commissions_notify")
def commissions_notify_task(order_id: str) -> int:
    """Queue the "new commission" template messages of an order's current commissions (idempotent)."""
    attribution = OrderAttribution.objects.filter(order_id=order_id).first()
    return notify_commissions_created(attribution=attribution) if attribution is not None else 0


@shared_task(
    name="saleor_wechat_distribution.customer_event",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=8,
)
def customer_event_task(kind: str, *args: object) -> None:
    match kind:
        case "referral_seen":
            channel, user_id, code = args
            referral_services.referral_touch_by_code(channel=channel, user_id=user_id, code=code)
        case "deleted":
            binding_services.customer_bindings_forget(user_id=args[0])
        case _:
            logger.error("unknown customer event %r", kind)


@shared_task(
    name="saleor_wechat_distribution.subscribe_message_send",
    autoretry_for=(SubscribeTemporaryError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=6,
)
def subscribe_message_send_task(message_id: int) -> str:
    """A Mini Program subscribe message to a distributor; retried with backoff when WeChat is busy."""
    message = subscribe_send(message_id=message_id)
    return message.status if message is not None else "missing"
