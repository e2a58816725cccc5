"""Subscribe messages (订阅消息) from the Mini Program, for the three kinds template messages carry on
Official Accounts (new commission, commission available, withdrawal paid).

A Mini Program may message a user only after the user accepted a template in ``wx.requestSubscribeMessage``
(one message per acceptance). The Mini Program reports the answers (``miniProgramSubscriptionsRecord``);
each "accept" is kept (``SubscribeAcceptance``). A notification is queued only for a distributor holding
an unused acceptance of its kind, sent by Celery, and uses that acceptance up. Template messages on
Official Accounts (``notifications.py``) are unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ... import task_names
from ...conf import get_mini_program_gateway, mini_program_settings
from ...domain.errors import DistributionError
from ...domain.miniprogram import SUBSCRIBE_ACCEPT, SUBSCRIBE_ANSWERS
from ...domain.miniprogram import MiniProgramErrorCode as Code
from ...domain.money import format_money
from ...jobs import enqueue
from ...miniprogram_settings import MiniProgramSettingsError
from ...models import (
    Commission,
    Distributor,
    OrderAttribution,
    SubscribeAcceptance,
    SubscribeMessage,
    WeChatIdentity,
    Withdrawal,
)
from ...ports import Principal, WeChatApiError, WeChatUnreachable
from ...ports_miniprogram import MiniProgramSettings
from .common import settings_required

logger = logging.getLogger(__name__)
#: wx.requestSubscribeMessage takes at most 3 template ids per call
MAX_ANSWERS = 3
#: errcodes after which a retry cannot help: openid, template, data, no acceptance left
PERMANENT_ERRCODES = frozenset({40003, 40037, 43101, 47003})


class SubscribeTemporaryError(Exception):
    """WeChat could not take the message now: Celery retries."""


def subscriptions_record(
    *, principal: Principal, channel: str, answers: Sequence[tuple[str, str]]
) -> list[SubscribeAcceptance]:
    """Keep the caller's "accept" answers (template id, answer) of one ``wx.requestSubscribeMessage``."""
    settings = settings_required(channel)
    if not principal.is_authenticated or principal.user_id is None:
        raise DistributionError(Code.REQUIRED, _("Sign in first."))
    if not answers or len(answers) > MAX_ANSWERS:
        raise DistributionError(Code.INVALID, _("Give one to three answers."), field="answers")
    kinds = {t.template_id: kind for kind, t in settings.subscribe_templates.items()}
    for template_id, answer in answers:
        if template_id not in kinds:
            raise DistributionError(
                Code.NOT_FOUND, _("This template is not one of the shop's messages."), field="answers"
            )
        if answer not in SUBSCRIBE_ANSWERS:
            raise DistributionError(Code.INVALID, _("Unknown answer."), field="answers")
    identity = (
        WeChatIdentity.objects.filter(app_id=settings.app_id, user_id=principal.user_id)
        .order_by("-pk")
        .first()
    )
    if identity is None:
        raise DistributionError(Code.REQUIRED, _("Sign in from the Mini Program first."))
    return [
        SubscribeAcceptance.objects.create(
            app_id=settings.app_id,
            openid=identity.openid,
            user_id=principal.user_id,
            kind=kinds[template_id],
            template_id=template_id,
        )
        for template_id, answer in answers
        if answer == SUBSCRIBE_ACCEPT
    ]


def _unused(
    *, user_id: int | None, kind: str, settings: MiniProgramSettings
) -> QuerySet[SubscribeAcceptance]:
    template = settings.subscribe_templates.get(kind)
    return SubscribeAcceptance.objects.filter(
        user_id=user_id,
        kind=kind,
        app_id=settings.app_id,
        template_id=template.template_id if template else "",
        used_at__isnull=True,
    )


def _settings(channel: str) -> MiniProgramSettings | None:
    try:
        return mini_program_settings(channel) if channel else None
    except MiniProgramSettingsError:
        return None


def subscribe_queue(
    *, distributor_id: int, kind: str, key: str, values: dict[str, str], channel: str
) -> SubscribeMessage | None:
    """Queue a message once per ``key``, only where the distributor accepted one of this kind."""
    settings = _settings(channel)
    if settings is None or kind not in settings.subscribe_templates:
        return None
    user_id = Distributor.objects.filter(pk=distributor_id).values_list("user_id", flat=True).first()
    if not _unused(user_id=user_id, kind=kind, settings=settings).exists():
        return None
    try:
        with transaction.atomic():
            message = SubscribeMessage.objects.create(
                key=key[:120], kind=kind, distributor_id=distributor_id, channel=channel, values=values
            )
    except IntegrityError:
        return None
    enqueue(task_names.SUBSCRIBE_MESSAGE_SEND, message_id=message.pk)
    return message


def _finish(message: SubscribeMessage, status: str, detail: str = "") -> SubscribeMessage:
    message.status, message.detail = status, detail[:255]
    message.save(update_fields=["status", "detail", "acceptance", "updated_at"])
    return message


def subscribe_send(*, message_id: int) -> SubscribeMessage | None:
    S = SubscribeMessage.Status
    with transaction.atomic():
        message = SubscribeMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != S.QUEUED:
            return message
        settings = _settings(message.channel)
        template = settings.subscribe_templates.get(message.kind) if settings else None
        if settings is None or template is None:
            return _finish(message, S.SKIPPED, "no Mini Program template")
        user_id = (
            Distributor.objects.filter(pk=message.distributor_id).values_list("user_id", flat=True).first()
        )
        acceptance = (
            _unused(user_id=user_id, kind=message.kind, settings=settings)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .first()
        )
        if acceptance is None:
            return _finish(message, S.SKIPPED, "no acceptance left")
        data = {
            key: {"value": str(message.values.get(ours) or "")[:32]} for ours, key in template.fields.items()
        }
        try:
            get_mini_program_gateway().send_subscribe(
                settings, openid=acceptance.openid, template_id=template.template_id, data=data,
                page=template.page,
            )  # fmt: skip
        except WeChatUnreachable as error:
            raise SubscribeTemporaryError(str(error)) from None
        except WeChatApiError as error:
            if error.errcode not in PERMANENT_ERRCODES:
                raise SubscribeTemporaryError(str(error)) from None
            if error.errcode == 43101:  # WeChat holds no acceptance for it: ours is spent
                acceptance.used_at = timezone.now()
                acceptance.save(update_fields=["used_at"])
            return _finish(message, S.FAILED, f"errcode {error.errcode}")
        acceptance.used_at = timezone.now()
        acceptance.save(update_fields=["used_at"])
        message.acceptance = acceptance
        return _finish(message, S.SENT)


# --- what the commission lifecycle tells distributors (beside the template messages) ------------------


def _amount(amount: Decimal, currency: str) -> str:
    return f"{amount:.2f}元" if currency == "CNY" else format_money(amount, currency)


def _time(at: datetime | None) -> str:
    return timezone.localtime(at or timezone.now()).strftime("%Y-%m-%d %H:%M")


def subscribe_commissions_created(*, attribution: OrderAttribution) -> int:
    totals: dict[int, Decimal] = {}
    for commission in Commission.objects.filter(
        order_id=attribution.order_id, generation=attribution.generation
    ):
        totals[commission.distributor_id] = (
            totals.get(commission.distributor_id, Decimal(0)) + commission.amount
        )
    return sum(
        bool(
            subscribe_queue(
                distributor_id=distributor_id,
                kind="commission_new",
                key=f"mp:commission_new:{attribution.order_id}:{attribution.generation}:{distributor_id}",
                values={
                    "order": attribution.order_number or attribution.order_id,
                    "amount": _amount(amount, attribution.currency),
                    "time": _time(None),
                    "note": "售后期后可提现",
                },
                channel=attribution.channel,
            )
        )
        for distributor_id, amount in totals.items()
    )


def subscribe_commissions_settled(*, settled_at: datetime) -> int:
    queued = 0
    for commission in Commission.objects.filter(status=Commission.Status.AVAILABLE, settled_at=settled_at):
        queued += bool(
            subscribe_queue(
                distributor_id=commission.distributor_id,
                kind="commission_available",
                key=f"mp:commission_available:{commission.pk}",
                values={
                    "order": commission.order_id,
                    "amount": _amount(commission.amount - commission.reversed_amount, commission.currency),
                    "time": _time(settled_at),
                    "note": "佣金已可提现",
                },
                channel=commission.channel,
            )
        )
    return queued


def subscribe_withdrawal_paid(*, withdrawal: Withdrawal) -> bool:
    return bool(
        subscribe_queue(
            distributor_id=withdrawal.distributor_id,
            kind="withdrawal_paid",
            key=f"mp:withdrawal_paid:{withdrawal.pk}",
            values={
                "order": withdrawal.out_bill_no,
                "amount": _amount(withdrawal.amount, withdrawal.currency),
                "time": _time(None),
                "note": "提现已到账",
            },
            channel=withdrawal.channel,
        )
    )
