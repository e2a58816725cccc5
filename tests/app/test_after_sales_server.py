"""After-sales cases on the App as deployed (gunicorn + a real Celery worker, ``test_server.py``): the fake
Saleor records grants, refunds and returns as Saleor does and delivers signed webhooks over HTTP; the
orders poll (beat's job) is sent to the worker's queue."""

from __future__ import annotations

import json
import urllib.request
from decimal import Decimal

import pytest
from celery import Celery

from saleor_wechat_distribution import task_names
from saleor_wechat_distribution.models import Commission, InboundEvent, OrderDispute, OrderDisputeEvent

from ..celery.conftest import wait_for
from .fake_saleor import APP_TOKEN, post_webhook
from .test_server import BASE, app_processes  # noqa: F401 - the server + worker fixture

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
D = Decimal
TARGET = f"{BASE}/api/webhooks/"


def _register(saleor) -> None:
    register = urllib.request.Request(
        f"{BASE}/api/register", data=json.dumps({"auth_token": APP_TOKEN}).encode(), method="POST",
        headers={"Content-Type": "application/json", "Saleor-Api-Url": saleor.api_url},
    )  # fmt: skip
    with urllib.request.urlopen(register, timeout=10) as answer:
        assert answer.status == 200


def _payload(event: str, order: dict, **extra) -> dict:
    payload = {"__typename": event, "order": {"id": order["id"]}, **extra}
    if event == "OrderUpdated":
        payload["order"] |= {
            "grantedRefunds": [{"id": g["id"]} for g in order["grantedRefunds"]],
            "fulfillments": [{"status": f["status"]} for f in order["fulfillments"]],
        }
    return payload


def _disputes(order: dict) -> list[tuple[str, str]]:
    return list(
        OrderDispute.objects.filter(order_id=order["id"]).order_by("pk").values_list("reference", "status")
    )


def _kept(order: dict) -> list[Decimal]:
    """What each level keeps of the order's commissions."""
    levels: dict[int, Decimal] = {}
    for c in Commission.objects.filter(order_id=order["id"]):
        levels[c.level] = levels.get(c.level, D(0)) + c.amount - c.reversed_amount
    return sorted(levels.values())


def test_after_sales_cases_on_the_real_worker(app_processes, saleor, program, chain):  # noqa: F811
    env = app_processes
    broker = Celery("after-sales-test", broker=env["CELERY_BROKER_URL"])

    def poll() -> None:  # what beat does every 5 minutes
        broker.send_task(task_names.APP_ORDERS_POLL, queue=env["CELERY_QUEUE"])

    _register(saleor)
    ref = chain[2].referral_code
    a = saleor.add_order("srv-a", ("l-1", 1, "100.00"), ("l-2", 1, "50.00"), ref=ref)
    b = saleor.add_order("srv-b", ("l-1", 1, "100.00"), ref=ref)
    c = saleor.add_order("srv-c", ("l-1", 1, "100.00"), ref=ref)
    for order in (a, b, c):
        assert post_webhook(TARGET, saleor, "ORDER_PAID", _payload("OrderPaid", order)) == 200
    wait_for(lambda: Commission.objects.count() == 8, timeout=120)

    # a granted refund (no webhook) -> the poll opens the dispute; a failed one on B releases its dispute
    saleor.grant(a, 31, "50.00", lines={"l-2": 1}, reason="broken")
    saleor.grant(b, 32, "100.00", lines={"l-1": 1})
    poll()
    wait_for(lambda: _disputes(a) == [("saleor-granted-refund:31", "open")], timeout=60)
    wait_for(lambda: _disputes(b) == [("saleor-granted-refund:32", "open")], timeout=60)
    saleor.grant_failed(b, 32, 902)
    poll()
    wait_for(lambda: _disputes(b) == [("saleor-granted-refund:32", "released")], timeout=60)
    assert _kept(b) == [D("3.00"), D("10.00")]

    # the grant's refund: ORDER_REFUNDED reverses l-2 and resolves A's dispute; Saleor's retries x3
    saleor.grant_refunded(a, 31, 901)
    for _ in range(3):
        assert post_webhook(TARGET, saleor, "ORDER_REFUNDED", _payload("OrderRefunded", a)) == 200
        assert post_webhook(TARGET, saleor, "ORDER_UPDATED", _payload("OrderUpdated", a)) == 200
    wait_for(lambda: _disputes(a) == [("saleor-granted-refund:31", "reversed")], timeout=60)
    wait_for(lambda: InboundEvent.objects.filter(processed_at__isnull=True).count() == 0, timeout=60)
    assert _kept(a) == [D("3.00"), D("10.00")]  # l-1's 10 % and 3 % kept
    assert InboundEvent.objects.filter(source="saleor:ORDER_REFUNDED").count() == 1

    # a return without refund (ORDER_UPDATED), Saleor answering 500 five times: retried by Celery
    saleor.return_products(c, 41, {"l-1": 1})
    calls = saleor.calls["graphql"]
    saleor.fail_next = 5
    assert post_webhook(TARGET, saleor, "ORDER_UPDATED", _payload("OrderUpdated", c)) == 200
    wait_for(lambda: _disputes(c) == [("saleor-return:41", "open")], timeout=90)
    assert saleor.calls["graphql"] >= calls + 6
    event = InboundEvent.objects.get(source="saleor:ORDER_UPDATED", body__contains=c["id"])
    wait_for(lambda: InboundEvent.objects.get(pk=event.pk).processed_at is not None, timeout=30)
    assert InboundEvent.objects.get(pk=event.pk).error == ""
    poll()  # and the poll after it all changes nothing
    wait_for(lambda: saleor.calls["graphql"] >= calls + 7, timeout=60)
    assert list(OrderDisputeEvent.objects.order_by("pk").values_list("type", flat=True)) == [
        "opened", "opened", "released", "reversed", "opened"
    ]  # fmt: skip
