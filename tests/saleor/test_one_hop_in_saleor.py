"""Inside Saleor, a paid order reaches its commission rows in one hop: Saleor's hook queues one task, which
reads the order and calls ``services.commissions.order_paid`` once. The previous release's task name
(``saleor_order_event``) still works: messages queued under it are forwarded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from celery import current_app
from celery.signals import task_prerun
from django.test import TestCase
from graphql_relay import from_global_id
from saleor.tests.e2e import DEFAULT_ADDRESS
from saleor.tests.e2e.orders.utils import (
    draft_order_complete,
    draft_order_create,
    draft_order_update,
    mark_order_paid,
    order_lines_create,
)

from saleor_wechat_distribution import task_names
from saleor_wechat_distribution.domain.referrals import REF_METADATA_KEY
from saleor_wechat_distribution.models import Commission
from saleor_wechat_distribution.services import commissions as commission_services

from .test_in_saleor import METADATA_UPDATE, plugin_update, shop, staff_distributor  # noqa: F401 - shop: fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]


@pytest.fixture
def ran_tasks():
    names: list[str] = []

    def record(task=None, **_: object) -> None:
        names.append(task.name)

    task_prerun.connect(record, weak=False, dispatch_uid="test-one-hop-saleor")
    yield names
    task_prerun.disconnect(dispatch_uid="test-one-hop-saleor")


@pytest.fixture
def order_paid_calls(monkeypatch):
    calls: list[str] = []
    real = commission_services.order_paid

    def spy(**kwargs):
        calls.append(kwargs["order"].order_id)
        return real(**kwargs)

    monkeypatch.setattr(commission_services, "order_paid", spy)
    return calls


@pytest.fixture
def unpaid_order(shop, e2e_staff_api_client):  # noqa: F811 - the imported fixture
    """A staff-made order with a distributor's code in its metadata, completed and not paid."""
    channel = shop["channel"]
    assert plugin_update(e2e_staff_api_client, channel["id"], commission_rate_level_1="10")["errors"] == []
    code = staff_distributor(e2e_staff_api_client).referral_code
    draft = draft_order_create(
        e2e_staff_api_client,
        {"channelId": channel["id"], "userEmail": "buyer3@example.com", "shippingAddress": DEFAULT_ADDRESS,
         "billingAddress": DEFAULT_ADDRESS},
    )["order"]  # fmt: skip
    order_lines_create(e2e_staff_api_client, draft["id"], [{"variantId": shop["variant_id"], "quantity": 1}])
    draft_order_update(e2e_staff_api_client, draft["id"], {"shippingMethod": shop["shipping_method"]["id"]})
    meta = e2e_staff_api_client.post_graphql(
        METADATA_UPDATE, {"id": draft["id"], "input": [{"key": REF_METADATA_KEY, "value": code}]}
    )
    assert meta.status_code == 200
    draft_order_complete(e2e_staff_api_client, draft["id"])
    assert Commission.objects.get(distributor__referral_code=code).status == "pending"
    return {"id": draft["id"], "pk": from_global_id(draft["id"])[1], "code": code}


def test_a_paid_order_is_one_task_and_one_service_call(
    unpaid_order, e2e_staff_api_client, ran_tasks, order_paid_calls
):
    mark_order_paid(e2e_staff_api_client, unpaid_order["id"])

    ours = [name for name in ran_tasks if name.startswith(task_names.PREFIX)]
    # the service then queues the distributor's "new commission" message (a follow-up, not a hop)
    assert [n for n in ours if n != task_names.COMMISSIONS_NOTIFY] == [task_names.SALEOR_ORDER_PAID]
    assert order_paid_calls == [unpaid_order["id"]]
    commission = Commission.objects.get(distributor__referral_code=unpaid_order["code"])
    assert (commission.status, commission.amount) == ("frozen", Decimal("10.00"))


def test_a_message_of_the_previous_release_is_forwarded(unpaid_order, ran_tasks, order_paid_calls):
    old = current_app.tasks[task_names.DEPRECATED_SALEOR_ORDER_EVENT]
    with TestCase.captureOnCommitCallbacks(execute=True):
        old.apply(args=("paid", str(unpaid_order["pk"]))).get()
    assert ran_tasks[:2] == [task_names.DEPRECATED_SALEOR_ORDER_EVENT, task_names.SALEOR_ORDER_PAID]
    assert order_paid_calls == [unpaid_order["id"]]
    assert Commission.objects.get(distributor__referral_code=unpaid_order["code"]).status == "frozen"
