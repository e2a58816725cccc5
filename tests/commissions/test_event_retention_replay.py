"""A WeChat Pay transfer notification delivered again after the retention job deleted the logged one
returns no money twice: a withdrawal's final state is final (``withdrawal_apply_result``), the event log
is not what guards it. (An old notification itself cannot come back: WeChat Pay signs each delivery
anew and a timestamp more than 300 s off is refused; what can come is a new delivery for the same bill.)"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution.models import InboundEvent, LedgerEntry, WeChatIdentity
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.services.inbound_event_retention import inbound_events_prune
from saleor_wechat_distribution.services.ledger import ledger_append, ledger_balance
from saleor_wechat_distribution.services.withdrawals import withdrawal_approve, withdrawal_request

from .test_withdrawal_payouts import OPENID, notify, world  # noqa: F401 - the fake WeChat Pay fixture

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_cancelled_transfer_notified_again_after_retention_returns_the_money_once(
    world, chain, settings, django_capture_on_commit_callbacks  # noqa: F811 - the imported fixture
):
    _, _, b = chain
    WeChatIdentity.objects.create(app_id=world.merchant.appid, openid=OPENID, user_id=b.user_id)
    ledger_append(distributor_id=b.pk, currency="CNY", amount=D("100.00"), kind="adjustment", key="seed")
    withdrawal = withdrawal_request(
        principal=Principal(user_id=b.user_id), amount=D("40.00"), channel="default-channel"
    )
    with django_capture_on_commit_callbacks(execute=True):
        withdrawal_approve(actor=SYSTEM, withdrawal_id=withdrawal.pk)
    world.user_never_confirms(withdrawal.out_bill_no)
    assert notify(world, withdrawal.out_bill_no) == 204
    withdrawal.refresh_from_db()
    assert withdrawal.status == "cancelled"
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("100.00")

    settings.WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS = 30
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(days=31))
    assert inbound_events_prune().deleted == 1 and not InboundEvent.objects.exists()

    assert notify(world, withdrawal.out_bill_no) == 204  # logged anew, applied: a final state stays
    assert InboundEvent.objects.filter(source="wechatpay.transfer", processed_at__isnull=False).count() == 1
    withdrawal.refresh_from_db()
    assert withdrawal.status == "cancelled"
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("100.00")
    assert LedgerEntry.objects.filter(kind="withdrawal_returned").count() == 1
