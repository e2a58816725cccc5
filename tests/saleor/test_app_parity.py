"""Parity of the two adapters on a real Saleor order: the App adapter's GraphQL query run through Saleor's
own API (as the App's token) gives the same snapshot and the same refunds (ids, per-line amounts) as the
plugin adapter reading the ORM. This is what lets a program move from plugin mode to App mode without
counting anything twice or losing anything (README, App mode)."""

from __future__ import annotations

import pytest
from saleor.graphql.tests.utils import get_graphql_content

from saleor_wechat_distribution.app import orders as app_orders
from saleor_wechat_distribution.saleor_adapter.refunds import refunds_of
from saleor_wechat_distribution.saleor_adapter.snapshots import order_snapshot

from .test_in_saleor import shop  # noqa: F401 - the shared fixture
from .test_refunds_and_disputes import _grant, _report, _request_refund, referred_order  # noqa: F401

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]


def _app_read(app_client, order_id: str) -> dict:
    response = app_client.post_graphql(app_orders.ORDER_QUERY, {"id": order_id})
    return get_graphql_content(response)["data"]["order"]


def _plugin_snapshot(order):
    order.refresh_from_db()
    return order_snapshot(
        order, list(order.lines.select_related("variant__product").order_by("created_at", "pk"))
    )


def test_both_adapters_read_the_same_order_and_the_same_refunds(
    referred_order,  # noqa: F811 - the fixture imported above
    e2e_staff_api_client,
    e2e_app_api_client,
):
    data = referred_order
    answer = _app_read(e2e_app_api_client, data["order_id"])
    plugin = _plugin_snapshot(data["order"])
    app = app_orders.order_snapshot(answer)
    assert app == plugin
    assert {line.line_id for line in app.lines} == {data["first_id"], data["second_id"]}

    granted = _grant(e2e_staff_api_client, data, lines=[(data["second_id"], 1)], reason="broken")
    _request_refund(granted, "refund-parity")
    _report(e2e_app_api_client, data, "REFUND_SUCCESS", granted.amount_value, "refund-parity")
    answer = _app_read(e2e_app_api_client, data["order_id"])
    plugin_refunds = refunds_of(data["order"])
    assert len(plugin_refunds) == 1 and plugin_refunds[0].line_amounts is not None
    assert app_orders.refunds(answer) == plugin_refunds
    assert app_orders.order_snapshot(answer) == _plugin_snapshot(data["order"])  # charged after the refund


def test_both_adapters_read_the_same_legacy_payment_refunds(
    order_with_lines,
    payment_txn_captured,
    staff_api_client,
    permission_group_manage_orders,
    permission_manage_users,
):
    """Saleor's legacy payments: the refund transaction paired with its refund fulfillment's lines."""
    from graphql_relay import to_global_id

    from .test_refunds_and_disputes import LEGACY_REFUND

    order = order_with_lines
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    # what the App holds (its manifest asks for both): the customer's private metadata needs MANAGE_USERS
    permission_group_manage_orders.permissions.add(permission_manage_users)
    order_id = to_global_id("Order", str(order.pk))
    line = order.lines.order_by("pk").first()
    response = staff_api_client.post_graphql(
        LEGACY_REFUND,
        {"order": order_id, "input": {"orderLines": [
            {"orderLineId": to_global_id("OrderLine", str(line.pk)), "quantity": line.quantity}]}},
    )  # fmt: skip
    assert get_graphql_content(response)["data"]["orderFulfillmentRefundProducts"]["errors"] == []
    answer = get_graphql_content(staff_api_client.post_graphql(app_orders.ORDER_QUERY, {"id": order_id}))
    plugin_refunds = refunds_of(order)
    assert len(plugin_refunds) == 1 and plugin_refunds[0].refund_id.startswith("saleor-payment-transaction:")
    assert plugin_refunds[0].line_amounts is not None
    assert app_orders.refunds(answer["data"]["order"]) == plugin_refunds
