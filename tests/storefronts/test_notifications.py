"""Template messages to distributors through Celery (eager here), the account choice, skips, retries, and
TEMPLATESENDJOBFINISH results."""

from __future__ import annotations

from decimal import Decimal

import pytest
from celery import current_app

from saleor_wechat_distribution.domain.payouts import PayoutResult, PayoutState
from saleor_wechat_distribution.models import CommissionRule, TemplateNotification, WeChatIdentity, Withdrawal
from saleor_wechat_distribution.services.commissions import order_placed
from saleor_wechat_distribution.services.notifications import notification_queue
from saleor_wechat_distribution.services.payouts import withdrawal_apply_result
from saleor_wechat_distribution.tasks import notification_send_task
from saleor_wechat_distribution.testing import orders

from .conftest import SHOP_APP
from .messages import callback, event_xml

OWNER_OPENID = "o-owner-on-shop"


@pytest.fixture
def configured(shop, mp):
    CommissionRule.objects.create(channel=shop.storefront.channel, level=1, rate=Decimal("10"))
    shop.account.template_ids = {"commission_new": "TPL-NEW", "withdrawal_paid": "TPL-PAID"}
    shop.account.save()
    shop.fake.templates |= {"TPL-NEW", "TPL-PAID"}
    mp.follow(SHOP_APP, OWNER_OPENID)
    WeChatIdentity.objects.create(
        app_id=SHOP_APP, openid=OWNER_OPENID, user_id=shop.distributor.user_id, subscribed=True
    )
    return shop


def test_new_commission_is_sent_and_its_delivery_recorded(
    client, configured, mp, django_capture_on_commit_callbacks
):
    shop = configured
    with django_capture_on_commit_callbacks(execute=True):
        order_placed(order=orders.order(orders.line("100.00"), ref=shop.distributor.referral_code))
    (sent,) = mp.sent
    assert (sent.app_id, sent.openid, sent.template_id) == (SHOP_APP, OWNER_OPENID, "TPL-NEW")
    assert sent.data["keyword2"]["value"] == "10.00 CNY"
    notification = TemplateNotification.objects.get()
    assert (notification.status, notification.msgid) == ("sent", sent.msgid)
    # placed again (a replayed hook): nothing new
    with django_capture_on_commit_callbacks(execute=True):
        order_placed(order=orders.order(orders.line("100.00"), ref=shop.distributor.referral_code,
                                        order_id=notification.key.split(":")[1]))  # fmt: skip
    assert len(mp.sent) == 1
    finish = event_xml(OWNER_OPENID, "TEMPLATESENDJOBFINISH", MsgID=str(sent.msgid), Status="success")
    query, body = callback(shop.fake, finish, safe=True)
    assert client.post(f"/wechat/{SHOP_APP}/?{query}", body, content_type="text/xml").content == b"success"
    notification.refresh_from_db()
    assert notification.status == "delivered"
    # a finish for a message we never sent writes nothing
    unknown = event_xml(OWNER_OPENID, "TEMPLATESENDJOBFINISH", MsgID="999999", Status="success")
    query, body = callback(shop.fake, unknown)
    client.post(f"/wechat/{SHOP_APP}/?{query}", body, content_type="text/xml")
    assert TemplateNotification.objects.get().status == "delivered"


def test_falls_back_to_the_brands_account_when_the_storefronts_is_not_certified(
    configured, mp, django_capture_on_commit_callbacks
):
    shop = configured
    shop.account.verify_type = -1  # not certified: may not send template messages
    shop.account.save()
    shop.brand_account.template_ids = {"commission_new": "TPL-BRAND"}
    shop.brand_account.save()
    shop.brand_fake.templates.add("TPL-BRAND")
    mp.follow(shop.brand_account.app_id, "o-owner-on-brand")
    WeChatIdentity.objects.create(
        app_id=shop.brand_account.app_id, openid="o-owner-on-brand", user_id=shop.distributor.user_id
    )
    with django_capture_on_commit_callbacks(execute=True):
        order_placed(order=orders.order(ref=shop.distributor.referral_code))
    assert [(s.app_id, s.openid, s.template_id) for s in mp.sent] == [
        (shop.brand_account.app_id, "o-owner-on-brand", "TPL-BRAND")
    ]


def test_nothing_is_recorded_when_no_template_is_configured(shop, mp, django_capture_on_commit_callbacks):
    CommissionRule.objects.create(channel=shop.storefront.channel, level=1, rate=Decimal("10"))
    with django_capture_on_commit_callbacks(execute=True):
        order_placed(order=orders.order(ref=shop.distributor.referral_code))
    assert not TemplateNotification.objects.exists() and mp.sent == []


def test_skipped_cleanly_without_an_identity(configured, mp, django_capture_on_commit_callbacks):
    WeChatIdentity.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        order_placed(order=orders.order(ref=configured.distributor.referral_code))
    notification = TemplateNotification.objects.get()
    assert notification.status == "skipped" and "identity" in notification.detail
    assert mp.sent == []


def test_busy_wechat_is_retried_and_a_permanent_refusal_is_not(configured, mp, monkeypatch):
    shop = configured
    # run as a worker would: a retry is a new attempt, not an exception thrown at the caller
    monkeypatch.setitem(current_app.conf, "task_eager_propagates", False)
    notification = notification_queue(
        distributor_id=shop.distributor.pk, kind="commission_new", key="k1", data={"first": {"value": "x"}}
    )
    mp.busy_template_sends = 2
    result = notification_send_task.apply(args=[notification.pk])  # eager: retries run at once
    assert result.get() == "sent"
    assert mp.calls["template.send"] == 3 and len(mp.sent) == 1
    mp.accounts[SHOP_APP].followers[OWNER_OPENID].subscribed = False
    second = notification_queue(distributor_id=shop.distributor.pk, kind="commission_new", key="k2", data={})
    assert notification_send_task.apply(args=[second.pk]).get() == "failed"
    assert mp.calls["template.send"] == 4
    second.refresh_from_db()
    assert second.detail == "errcode 43004"


def test_withdrawal_paid(configured, mp, django_capture_on_commit_callbacks):
    shop = configured
    withdrawal = Withdrawal.objects.create(
        distributor=shop.distributor, channel=shop.storefront.channel, currency="CNY",
        amount=Decimal("88.50"), out_bill_no="W000000000001", status=Withdrawal.Status.PROCESSING,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        withdrawal_apply_result(result=PayoutResult(out_bill_no="W000000000001", state=PayoutState.SUCCESS))
        withdrawal_apply_result(result=PayoutResult(out_bill_no="W000000000001", state=PayoutState.SUCCESS))
    assert [(s.template_id, s.data["keyword1"]["value"]) for s in mp.sent] == [("TPL-PAID", "88.50 CNY")]
    assert withdrawal.pk
