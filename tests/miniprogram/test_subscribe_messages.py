"""Subscribe messages (订阅消息) from the Mini Program, only where the distributor accepted them: the
answers of wx.requestSubscribeMessage are recorded, each "accept" allows one message, Celery (eager here)
sends it through wechatpy to the fake WeChat, which itself refuses a message without acceptance (43101)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saleor_wechat_distribution.domain.payouts import PayoutResult, PayoutState
from saleor_wechat_distribution.models import (
    CommissionRule,
    SubscribeAcceptance,
    SubscribeMessage,
    TemplateNotification,
    WeChatIdentity,
    Withdrawal,
)
from saleor_wechat_distribution.services.commissions import order_placed
from saleor_wechat_distribution.services.miniprogram.subscriptions import subscribe_send
from saleor_wechat_distribution.services.payouts import withdrawal_apply_result
from saleor_wechat_distribution.testing import orders

from .conftest import CHANNEL, MINI_APP

RECORD = """
mutation($answers: [SubscribeAnswerInput!]!) {
  miniProgramSubscriptionsRecord(channel: "default-channel", answers: $answers) {
    accepted errors { field code message }
  }
}"""
OWNER_OPENID = "mini-owner"


@pytest.fixture
def owner_in_mini(shop, mp, mini):
    CommissionRule.objects.create(channel=CHANNEL, level=1, rate=Decimal("10"))
    mp.wx_login(MINI_APP, OWNER_OPENID)  # a user of the Mini Program in the fake WeChat
    WeChatIdentity.objects.create(app_id=MINI_APP, openid=OWNER_OPENID, user_id=shop.distributor.user_id)
    return shop


def accept(gql, shop, mp, *answers: tuple[str, str]) -> dict:
    for template_id, answer in answers:
        if answer == "accept":
            mp.subscribe_accept(MINI_APP, OWNER_OPENID, template_id)
    variables = {"answers": [{"templateId": t, "answer": a} for t, a in answers]}
    return gql(RECORD, variables, shop.owner)["data"]["miniProgramSubscriptionsRecord"]


def place(shop, django_capture_on_commit_callbacks, order_id: str = "order-1") -> None:
    with django_capture_on_commit_callbacks(execute=True):
        order_placed(
            order=orders.order(orders.line("100.00"), ref=shop.distributor.referral_code, order_id=order_id)
        )


def test_an_accepted_kind_is_sent_once_per_acceptance(
    gql, owner_in_mini, mp, django_capture_on_commit_callbacks
):
    shop = owner_in_mini
    answer = accept(gql, shop, mp, ("TPL-NEW", "accept"), ("TPL-PAID", "reject"))
    assert answer == {"accepted": 1, "errors": []}
    place(shop, django_capture_on_commit_callbacks)
    (sent,) = mp.subscribe_sent
    assert (sent.app_id, sent.openid, sent.template_id, sent.page) == (
        MINI_APP, OWNER_OPENID, "TPL-NEW", "pages/wallet/index",
    )  # fmt: skip
    assert sent.data["amount2"] == {"value": "10.00元"} and set(sent.data) == {
        "character_string1", "amount2", "time3",
    }  # fmt: skip
    message = SubscribeMessage.objects.get()
    assert message.status == "sent" and message.acceptance.used_at is not None
    # the acceptance is used up: the next order queues nothing (and WeChat would refuse it anyway)
    place(shop, django_capture_on_commit_callbacks, order_id="order-2")
    assert len(mp.subscribe_sent) == 1 and SubscribeMessage.objects.count() == 1
    # template messages of the Official Account are not involved (none configured here)
    assert not TemplateNotification.objects.exists()


def test_nothing_is_queued_without_acceptance(gql, owner_in_mini, mp, django_capture_on_commit_callbacks):
    place(owner_in_mini, django_capture_on_commit_callbacks)
    assert mp.subscribe_sent == [] and not SubscribeMessage.objects.exists()


def test_withdrawal_paid_is_sent_where_accepted(gql, owner_in_mini, mp, django_capture_on_commit_callbacks):
    shop = owner_in_mini
    accept(gql, shop, mp, ("TPL-PAID", "accept"))
    Withdrawal.objects.create(
        distributor=shop.distributor, channel=CHANNEL, currency="CNY", amount=Decimal("88.50"),
        out_bill_no="W000000000001", status=Withdrawal.Status.PROCESSING,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # a replayed notification sends nothing more
            withdrawal_apply_result(
                result=PayoutResult(out_bill_no="W000000000001", state=PayoutState.SUCCESS)
            )
    (sent,) = mp.subscribe_sent
    assert sent.data == {"amount1": {"value": "88.50元"}, "character_string2": {"value": "W000000000001"}}


def test_wechats_refusal_without_acceptance_is_recorded_as_failed(
    gql, owner_in_mini, mp, django_capture_on_commit_callbacks
):
    """Our record says accepted, WeChat has none (the user's acceptance was used elsewhere): 43101 is a
    final failure and our acceptance is spent, not retried."""
    shop = owner_in_mini
    gql(RECORD, {"answers": [{"templateId": "TPL-NEW", "answer": "accept"}]}, shop.owner)
    place(shop, django_capture_on_commit_callbacks)
    message = SubscribeMessage.objects.get()
    assert (message.status, message.detail) == ("failed", "errcode 43101")
    assert SubscribeAcceptance.objects.get().used_at is not None
    assert subscribe_send(message_id=message.pk).status == "failed"  # not sent twice


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ([{"templateId": "TPL-OTHER", "answer": "accept"}], "NOT_FOUND"),
        ([{"templateId": "TPL-NEW", "answer": "maybe"}], "INVALID"),
        ([{"templateId": "TPL-NEW", "answer": "accept"}] * 4, "INVALID"),
    ],
)
def test_bad_answers_are_refused(gql, owner_in_mini, answers, code):
    answer = gql(RECORD, {"answers": answers}, owner_in_mini.owner)["data"]["miniProgramSubscriptionsRecord"]
    assert answer["errors"][0]["code"] == code and not SubscribeAcceptance.objects.exists()


def test_answers_need_a_mini_program_identity(gql, shop, mp, mini):
    answer = gql(RECORD, {"answers": [{"templateId": "TPL-NEW", "answer": "accept"}]}, shop.owner)
    assert answer["data"]["miniProgramSubscriptionsRecord"]["errors"][0]["code"] == "REQUIRED"


def test_a_busy_wechat_is_retried_by_celery_and_the_message_sent_once(gql, owner_in_mini, mp, monkeypatch):
    from celery import current_app

    from saleor_wechat_distribution.services.miniprogram.subscriptions import subscribe_queue
    from saleor_wechat_distribution.tasks import subscribe_message_send_task

    # run as a worker would: a retry is a new attempt, not an exception thrown at the caller
    monkeypatch.setitem(current_app.conf, "task_eager_propagates", False)

    shop = owner_in_mini
    accept(gql, shop, mp, ("TPL-AVAILABLE", "accept"))
    message = subscribe_queue(
        distributor_id=shop.distributor.pk, kind="commission_available", key="k1",
        values={"amount": "1.00元"}, channel=CHANNEL,
    )  # fmt: skip
    mp.busy_subscribe_sends = 2
    send = {"message_id": message.pk}
    result = subscribe_message_send_task.apply(kwargs=send)  # eager: retries run at once
    assert result.get() == "sent"
    assert mp.calls["wxa.subscribe_send"] == 3 and len(mp.subscribe_sent) == 1
    assert subscribe_message_send_task.apply(kwargs=send).get() == "sent"  # replayed: not resent
    assert mp.calls["wxa.subscribe_send"] == 3
