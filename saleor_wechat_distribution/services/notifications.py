"""Template messages to distributors (new commission, commission available, withdrawal paid).

Sent through the storefront's own account when it is a certified service account (only those may send
template messages), else through the brand's; one row per idempotency key, sent by Celery with retries,
skipped cleanly when there is no account, no template configured, or no follower identity for the
distributor. ``TEMPLATESENDJOBFINISH`` callbacks record the delivery result.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from .. import task_names
from ..conf import get_official_account_gateway
from ..domain.money import format_money
from ..domain.notifications import NotificationKind
from ..jobs import enqueue
from ..models import (
    Commission,
    Distributor,
    OfficialAccount,
    OrderAttribution,
    TemplateNotification,
    WeChatIdentity,
    Withdrawal,
)
from ..ports import WeChatApiError
from ..selectors.storefronts import brand_storefront
from .official_accounts import account_credentials

logger = logging.getLogger(__name__)

KINDS = frozenset(NotificationKind)
#: errcodes after which a retry cannot help (user unfollowed, template missing, bad openid...)
PERMANENT_ERRCODES = frozenset({40003, 40037, 43004, 43101, 47003, 40036})
#: TEMPLATESENDJOBFINISH Status -> ours
FINISH_STATUS = {
    "success": TemplateNotification.Status.DELIVERED,
    "failed:user block": TemplateNotification.Status.USER_BLOCKED,
    "failed: system failed": TemplateNotification.Status.SYSTEM_FAILED,
    "failed:system failed": TemplateNotification.Status.SYSTEM_FAILED,
}


class NotificationTemporaryError(Exception):
    """WeChat could not take the message now (network, 5xx, -1 system busy): Celery retries."""


def notification_queue(
    *, distributor_id: int, kind: str, key: str, data: dict, url: str = "", channel: str | None = None
) -> TemplateNotification | None:
    """Record a notification once per ``key`` and queue its sending after commit."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    try:
        with transaction.atomic():
            notification = TemplateNotification.objects.create(
                key=key[:120], kind=kind, distributor_id=distributor_id, data=data, url=url[:500]
            )
    except IntegrityError:
        return None  # queued before
    enqueue(task_names.NOTIFICATION_SEND, notification.pk, channel or "")
    return notification


def _sending_account(distributor: Distributor, channel: str) -> OfficialAccount | None:
    storefront = getattr(distributor, "storefront", None)
    candidates = []
    if storefront is not None:
        candidates.append(storefront.official_account if hasattr(storefront, "official_account") else None)
        channel = channel or storefront.channel
    brand = brand_storefront(channel=channel) if channel else None
    if brand is not None:
        candidates.append(OfficialAccount.objects.filter(storefront=brand).first())
    for account in candidates:
        if (
            account is not None
            and account.status == OfficialAccount.Status.ACTIVE
            and account.is_certified_service_account
        ):
            return account
    return None


def _skip(notification: TemplateNotification, detail: str) -> TemplateNotification:
    notification.status = TemplateNotification.Status.SKIPPED
    notification.detail = detail[:255]
    notification.save(update_fields=["status", "detail", "updated_at"])
    logger.info("notification %s skipped: %s", notification.pk, detail)
    return notification


def notification_send(*, notification_id: int, channel: str = "") -> TemplateNotification | None:
    with transaction.atomic():
        notification = TemplateNotification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != TemplateNotification.Status.QUEUED:
            return notification
        distributor = Distributor.objects.select_related("storefront").get(pk=notification.distributor_id)
        account = _sending_account(distributor, channel)
        if account is None:
            return _skip(notification, "no certified service account")
        template_id = str((account.template_ids or {}).get(notification.kind) or "")
        if not template_id:
            return _skip(notification, f"no template for {notification.kind} on {account.app_id}")
        identity = (
            WeChatIdentity.objects.filter(app_id=account.app_id, user_id=distributor.user_id)
            .order_by("-subscribed", "-updated_at")
            .first()
        )
        if identity is None:
            return _skip(notification, f"the distributor has no identity on {account.app_id}")
        notification.app_id, notification.openid, notification.template_id = (
            account.app_id, identity.openid, template_id,
        )  # fmt: skip
        try:
            msgid = get_official_account_gateway().send_template(
                account_credentials(account),
                openid=identity.openid,
                template_id=template_id,
                data=notification.data,
                url=notification.url,
            )
        except WeChatApiError as error:
            if error.errcode in PERMANENT_ERRCODES:
                notification.status = TemplateNotification.Status.FAILED
                notification.detail = f"errcode {error.errcode}"
                notification.save()
                return notification
            raise NotificationTemporaryError(str(error)) from None
        notification.status = TemplateNotification.Status.SENT
        notification.msgid = msgid
        notification.save()
    return notification


def notification_job_finished(*, app_id: str, msgid: int, status: str) -> bool:
    """``TEMPLATESENDJOBFINISH``: record the delivery result of a message we sent."""
    new_status = FINISH_STATUS.get(status.strip().lower(), TemplateNotification.Status.SYSTEM_FAILED)
    return bool(
        TemplateNotification.objects.filter(app_id=app_id, msgid=msgid).update(
            status=new_status, detail=status[:255]
        )
    )


def notification_job_known(*, app_id: str, msgid: int) -> bool:
    return TemplateNotification.objects.filter(app_id=app_id, msgid=msgid).exists()


# --- what the commission lifecycle tells distributors -------------------------------------------------
# Template data uses the classic keys (first, keyword1..3, remark): configure templates with those fields.


def _configured(kind: str) -> bool:
    """Cheap guard: nothing is recorded while no account has a template for ``kind``."""
    return OfficialAccount.objects.filter(
        status=OfficialAccount.Status.ACTIVE, template_ids__has_key=kind
    ).exists()


def _data(**values: str) -> dict:
    return {key: {"value": value} for key, value in values.items()}


def notify_commissions_created(*, attribution: OrderAttribution) -> int:
    """One "new commission" message per beneficiary of the attribution's current generation."""
    if not _configured(NotificationKind.COMMISSION_NEW):
        return 0
    totals: dict[int, Decimal] = {}
    for commission in Commission.objects.filter(
        order_id=attribution.order_id, generation=attribution.generation
    ):
        totals[commission.distributor_id] = (
            totals.get(commission.distributor_id, Decimal(0)) + commission.amount
        )
    queued = 0
    for distributor_id, amount in totals.items():
        queued += bool(
            notification_queue(
                distributor_id=distributor_id,
                kind=NotificationKind.COMMISSION_NEW,
                key=f"{NotificationKind.COMMISSION_NEW}:{attribution.order_id}:{attribution.generation}:{distributor_id}",
                data=_data(
                    first="新佣金 New commission",
                    keyword1=attribution.order_number or attribution.order_id,
                    keyword2=format_money(amount, attribution.currency),
                    remark="订单完成售后期后可提现",
                ),
                channel=attribution.channel,
            )
        )
    return queued


def notify_commissions_settled(*, settled_at: datetime) -> int:
    """ "Commission available" for the commissions one settlement run made available."""
    if not _configured(NotificationKind.COMMISSION_AVAILABLE):
        return 0
    queued = 0
    for commission in Commission.objects.filter(status=Commission.Status.AVAILABLE, settled_at=settled_at):
        queued += bool(
            notification_queue(
                distributor_id=commission.distributor_id,
                kind=NotificationKind.COMMISSION_AVAILABLE,
                key=f"{NotificationKind.COMMISSION_AVAILABLE}:{commission.pk}",
                data=_data(
                    first="佣金已可提现 Commission available",
                    keyword1=commission.order_id,
                    keyword2=format_money(
                        commission.amount - commission.reversed_amount, commission.currency
                    ),
                ),
                channel=commission.channel,
            )
        )
    return queued


def notify_withdrawal_paid(*, withdrawal: Withdrawal) -> bool:
    if not _configured(NotificationKind.WITHDRAWAL_PAID):
        return False
    return bool(
        notification_queue(
            distributor_id=withdrawal.distributor_id,
            kind=NotificationKind.WITHDRAWAL_PAID,
            key=f"{NotificationKind.WITHDRAWAL_PAID}:{withdrawal.pk}",
            data=_data(
                first="提现已到账 Withdrawal paid",
                keyword1=format_money(withdrawal.amount, withdrawal.currency),
                keyword2=withdrawal.out_bill_no,
            ),
            channel=withdrawal.channel,
        )
    )
