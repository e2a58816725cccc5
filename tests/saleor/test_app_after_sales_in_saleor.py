"""App mode's after-sales reads against a real Saleor (no servers): Saleor's own schema answers the App's
case query and its orders listing (``filter: {updatedAt}``, ``sortBy: LAST_MODIFIED_AT``), Saleor's
subscription engine builds the ORDER_UPDATED payload; the App finds the same case, with the same reference
and reason, that the plugin opened from its model signals, so running both (a switch from plugin mode to
App mode) counts it once."""

from __future__ import annotations

import pytest
from django.test import TestCase

from saleor_wechat_distribution.app import after_sales
from saleor_wechat_distribution.app.saleor_api import SaleorClient
from saleor_wechat_distribution.domain.after_sales import HostCase
from saleor_wechat_distribution.models import InboundEvent, OrderDispute, OrderDisputeEvent

from .test_app_webhooks_in_saleor import _deliver, installed_app  # noqa: F401 - the shared fixture
from .test_in_saleor import shop  # noqa: F401 - the shared fixture
from .test_refunds_and_disputes import _grant, _report, _request_refund, referred_order  # noqa: F401

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]


def test_the_app_reads_a_granted_refund_as_the_plugin_does(
    referred_order,  # noqa: F811 - the fixture imported above
    installed_app,  # noqa: F811
    e2e_staff_api_client,
    e2e_app_api_client,
):
    data = referred_order
    granted = _grant(e2e_staff_api_client, data, lines=[(data["second_id"], 1)], reason="arrived broken")
    dispute = OrderDispute.objects.get(order_id=data["order_id"])  # the plugin's (model signal)
    client = SaleorClient.of(installed_app)
    order = after_sales.order_cases_fetch(client, data["order_id"])
    assert after_sales.order_cases(order, [dispute.reference]) == [
        HostCase(reference=dispute.reference, state="open", reason=dispute.reason)
    ]
    assert after_sales.orders_poll(installed_app, client) == 1  # listed through Saleor's schema, read again
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert _deliver("ORDER_UPDATED", data["order"], e2e_app_api_client.app) == 200
    event = InboundEvent.objects.get(source="saleor:ORDER_UPDATED")
    assert event.processed_at is not None and event.error == ""
    assert list(dispute.events.values_list("type", flat=True)) == ["opened"]  # the same case: once

    _request_refund(granted, "refund-fails")
    _report(e2e_app_api_client, data, "REFUND_FAILURE", granted.amount_value, "refund-fails")
    assert (
        after_sales.order_cases(after_sales.order_cases_fetch(client, data["order_id"]))[0].state
        == "released"
    )
    after_sales.orders_poll(installed_app, client)
    assert OrderDispute.objects.get(pk=dispute.pk).status == "released"
    assert list(OrderDisputeEvent.objects.values_list("type", flat=True)) == ["opened", "released"]


def test_the_app_reads_a_return_as_the_plugin_does(
    referred_order,  # noqa: F811 - the fixture imported above
    installed_app,  # noqa: F811
    e2e_staff_api_client,
    e2e_app_api_client,
):
    from graphql_relay import to_global_id
    from saleor.graphql.tests.utils import get_graphql_content
    from saleor.order.models import FulfillmentLine

    from .test_refunds_and_disputes import FULFILL, RETURN

    data = referred_order
    warehouse = data["shop"]["warehouse"]["id"]
    fulfil = e2e_staff_api_client.post_graphql(
        FULFILL, {"order": data["order_id"], "input": {"lines": [
            {"orderLineId": data["first_id"], "stocks": [{"quantity": 1, "warehouse": warehouse}]}]}},
    )  # fmt: skip
    assert get_graphql_content(fulfil)["data"]["orderFulfill"]["errors"] == []
    line = to_global_id("FulfillmentLine", str(FulfillmentLine.objects.get(order_line=data["first"]).pk))
    returned = e2e_staff_api_client.post_graphql(
        RETURN,
        {"id": data["order_id"], "input": {"fulfillmentLines": [{"fulfillmentLineId": line, "quantity": 1}]}},
    )
    assert get_graphql_content(returned)["data"]["orderFulfillmentReturnProducts"]["errors"] == []
    dispute = OrderDispute.objects.get(order_id=data["order_id"])  # the plugin's
    order = after_sales.order_cases_fetch(SaleorClient.of(installed_app), data["order_id"])
    assert after_sales.order_cases(order, [dispute.reference]) == [
        HostCase(reference=dispute.reference, state="open", reason=dispute.reason)
    ]
    with TestCase.captureOnCommitCallbacks(execute=True):  # what Saleor sends for a return
        assert _deliver("ORDER_UPDATED", data["order"], e2e_app_api_client.app) == 200
    event = InboundEvent.objects.get(source="saleor:ORDER_UPDATED")
    assert '"RETURNED"' in event.body and event.processed_at is not None and event.error == ""
    assert list(dispute.events.values_list("type", flat=True)) == ["opened"]
