"""A voucher code of a linked legacy 卡券 card used in a Saleor order is consumed in WeChat
(``card/code/consume`` through wechatpy's WeChatCard against the fake Official Account API); retried in
Celery, idempotent; a cancelled order cannot give a consumed card back, and says so."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution import host_events
from saleor_wechat_distribution.models import IssuedCoupon
from saleor_wechat_distribution.services.coupons.redemption import coupon_order_cancelled, coupon_order_used
from saleor_wechat_distribution.testing.orders import line, order

from .conftest import CHANNEL


@pytest.fixture
def eager_retries():
    """Eager Celery runs a task's retries in place (countdowns skipped) when errors do not propagate."""
    from celery import current_app

    saved = current_app.conf.task_eager_propagates
    current_app.conf.task_eager_propagates = False
    yield
    current_app.conf.task_eager_propagates = saved


def consumes(mp) -> int:
    return mp.calls["card.code.consume"]


def test_a_linked_card_code_used_in_an_order_is_consumed_once(card, mp):
    # no user_get_card ever named the holder: the link registered the voucher's codes as the card's
    coupon = coupon_order_used(order_id="O-1", channel=CHANNEL, voucher_code="LC-0001")
    assert (coupon.state, coupon.order_id, coupon.note) == ("used", "O-1", "")
    assert card.codes["LC-0001"] == "CONSUMED" and card.codes["LC-0002"] == "NORMAL"
    coupon_order_used(order_id="O-1", channel=CHANNEL, voucher_code="LC-0001")  # a replayed event
    assert consumes(mp) == 1


def test_busy_wechat_is_retried_by_the_celery_task(
    card, mp, eager_retries, django_capture_on_commit_callbacks
):
    mp.busy_card_consumes = 2  # errcode -1 twice
    placed = order(line("150.00"), voucher_code="LC-0002")
    with django_capture_on_commit_callbacks(execute=True):
        host_events.order_created(placed)
    assert card.codes["LC-0002"] == "CONSUMED" and consumes(mp) == 3
    assert IssuedCoupon.objects.get(code="LC-0002").order_id == placed.order_id


def test_a_lost_answer_is_consumed_for_this_order(card, mp):
    card.codes["LC-0003"] = "CONSUMED"  # the first attempt reached WeChat; its answer did not come back
    coupon = coupon_order_used(order_id="O-3", channel=CHANNEL, voucher_code="LC-0003")
    assert (coupon.state, coupon.order_id) == ("used", "O-3")


def test_a_card_wechat_refuses_records_why(card, mp):
    card.codes["LC-0001"] = "DELETE"  # the user deleted it from the card pack
    coupon = coupon_order_used(order_id="O-4", channel=CHANNEL, voucher_code="LC-0001")
    assert coupon.state == "issued" and coupon.note.startswith("CARD_CONSUME_REFUSED: errcode 40127")


def test_retries_running_out_are_recorded(card, mp, eager_retries, django_capture_on_commit_callbacks):
    mp.busy_card_consumes = 100
    placed = order(line("150.00"), voucher_code="LC-0001")
    with django_capture_on_commit_callbacks(execute=True):
        host_events.order_created(placed)
    coupon = IssuedCoupon.objects.get(code="LC-0001")
    assert coupon.state == "issued" and coupon.note.startswith("USE_FAILED: order " + placed.order_id)
    assert consumes(mp) == 11  # the first try and ten retries


def test_a_cancelled_order_cannot_give_a_consumed_card_back(card, mp):
    coupon_order_used(order_id="O-5", channel=CHANNEL, voucher_code="LC-0002")
    assert coupon_order_cancelled(order_id="O-5") == 0
    coupon = IssuedCoupon.objects.get(code="LC-0002")
    assert coupon.state == "used" and coupon.note.startswith("CARD_NOT_RETURNABLE: order O-5")
    assert card.codes["LC-0002"] == "CONSUMED"
