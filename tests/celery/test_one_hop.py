"""A paid order reaches its commission rows in one hop: one message, one task, one service call. And the
task names of the previous release still work (their messages may be waiting in a running broker)."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from celery import current_app
from celery.signals import task_prerun
from django.test import TestCase

from saleor_wechat_distribution import host_events, jobs, task_names
from saleor_wechat_distribution.models import ChannelProgram, Commission, CommissionRule
from saleor_wechat_distribution.ports import order_to_payload
from saleor_wechat_distribution.services import commissions as commission_services
from saleor_wechat_distribution.testing.factories import make_distributor
from saleor_wechat_distribution.testing.orders import line, order


@pytest.fixture
def seller(db):
    ChannelProgram.objects.create(channel="default-channel", commission_depth=1)
    CommissionRule.objects.create(channel="default-channel", level=1, rate=Decimal("10"))
    return make_distributor()


@pytest.fixture
def ran_tasks():
    """The names of the tasks run (eagerly, as the test settings do) while the test runs."""
    names: list[str] = []

    def record(task=None, **_: object) -> None:
        names.append(task.name)

    task_prerun.connect(record, weak=False, dispatch_uid="test-one-hop")
    yield names
    task_prerun.disconnect(dispatch_uid="test-one-hop")


@pytest.fixture
def order_paid_calls(monkeypatch):
    """Every call of ``services.commissions.order_paid`` (passed through to the real service)."""
    calls: list[str] = []
    real = commission_services.order_paid

    def spy(**kwargs):
        calls.append(kwargs["order"].order_id)
        return real(**kwargs)

    monkeypatch.setattr(commission_services, "order_paid", spy)
    return calls


def test_a_paid_order_is_one_task_calling_one_service(seller, ran_tasks, order_paid_calls):
    o = order(line("100.00"), ref=seller.referral_code)
    with TestCase.captureOnCommitCallbacks(execute=True):
        host_events.order_paid(o)
    # the service then queues the distributor's "new commission" message (a follow-up, not a hop)
    assert ran_tasks == [task_names.ORDER_PAID, task_names.COMMISSIONS_NOTIFY]
    assert order_paid_calls == [o.order_id]
    assert list(Commission.objects.filter(order_id=o.order_id).values_list("status", "amount")) == [
        ("frozen", Decimal("10.0000"))
    ]


def test_a_paid_order_sends_one_message_with_keyword_arguments(seller, celery_broker):
    o = order(line("100.00"), ref=seller.referral_code)
    with TestCase.captureOnCommitCallbacks(execute=True):
        host_events.order_paid(o)
    messages = celery_broker["redis"].lrange(celery_broker["queue"], 0, -1)
    assert len(messages) == 1
    message = json.loads(messages[0])
    assert message["headers"]["task"] == task_names.ORDER_PAID
    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert args == [] and kwargs == {"order": order_to_payload(o), "paid_at": None}


def test_an_unknown_or_deprecated_task_name_is_refused_at_once(db):
    with pytest.raises(ValueError, match="task_names"):
        jobs.enqueue("saleor_wechat_distribution.order_evnet", "paid")
    with pytest.raises(ValueError, match="task_names"):
        jobs.enqueue(task_names.DEPRECATED_ORDER_EVENT, "paid")


def test_a_message_queued_under_the_previous_name_is_forwarded(seller, ran_tasks, order_paid_calls):
    """A deployment upgraded with ``order_event`` messages still queued: the shim forwards them."""
    o = order(line("100.00"), ref=seller.referral_code)
    old = current_app.tasks[task_names.DEPRECATED_ORDER_EVENT]
    with TestCase.captureOnCommitCallbacks(execute=True):
        old.apply(args=("paid", order_to_payload(o), None))
    old_then_new = [task_names.DEPRECATED_ORDER_EVENT, task_names.ORDER_PAID, task_names.COMMISSIONS_NOTIFY]
    assert ran_tasks == old_then_new
    assert order_paid_calls == [o.order_id]
    assert Commission.objects.filter(order_id=o.order_id, status="frozen").count() == 1


def test_previous_coupon_and_customer_messages_are_forwarded(db, ran_tasks):
    current_app.tasks[task_names.DEPRECATED_CUSTOMER_EVENT].apply(args=("deleted", 77))
    current_app.tasks[task_names.DEPRECATED_COUPON_EVENT].apply(args=("order_cancelled", "order-x"))
    assert ran_tasks == [
        task_names.DEPRECATED_CUSTOMER_EVENT, task_names.CUSTOMER_BINDINGS_FORGET,
        task_names.DEPRECATED_COUPON_EVENT, task_names.COUPON_ORDER_CANCELLED,
    ]  # fmt: skip
