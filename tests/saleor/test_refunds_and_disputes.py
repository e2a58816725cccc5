"""Refunds per line and after-sales cases inside a real Saleor, through Saleor's own GraphQL.

A referred order of two lines (two products) is paid with ``transactionCreate`` by an app; then:

- a refund granted for one line (``orderGrantRefundCreate``) opens a dispute (commissions held); the app
  reports the refund (``transactionEventReport`` REFUND_SUCCESS) and exactly that line's commission is
  reversed, the dispute resolved with the refund, the other line untouched;
- a granted refund whose refund fails (REFUND_FAILURE) resolves its dispute releasing the commissions;
- products returned without a refund (``orderFulfillmentReturnProducts``) open a dispute; the refund that
  follows resolves it.

The payment app's acceptance of a refund request (Saleor's synchronous TRANSACTION_REFUND_REQUESTED webhook
answering with a PSP reference) is played by creating the request event with Saleor's own helper, as
``transactionRequestRefundForGrantedRefund`` does before it calls the app.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import TestCase
from graphql_relay import from_global_id, to_global_id
from saleor.graphql.payment.mutations.transaction.utils import create_transaction_event_requested
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order import OrderGrantedRefundStatus
from saleor.order.models import FulfillmentLine, Order, OrderGrantedRefund
from saleor.order.utils import calculate_order_granted_refund_status
from saleor.payment import TransactionAction
from saleor.payment.models import TransactionItem
from saleor.tests.e2e.checkout.utils import (
    checkout_complete,
    checkout_create,
    checkout_delivery_method_update,
)
from saleor.tests.e2e.product.utils.preparing_product import prepare_product

from saleor_wechat_distribution.domain.referrals import REF_METADATA_KEY
from saleor_wechat_distribution.models import Commission, OrderDispute, OrderHold, OrderLineRefund
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.services.distributors import distributor_apply, distributor_approve

from .test_in_saleor import METADATA_UPDATE, plugin_update, shop  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]

GRANT = """
mutation ($id: ID!, $input: OrderGrantRefundCreateInput!) {
  orderGrantRefundCreate(id: $id, input: $input) {
    grantedRefund { id status }
    errors { field code message }
  }
}"""
REPORT = """
mutation ($id: ID!, $type: TransactionEventTypeEnum!, $amount: PositiveDecimal!, $psp: String!) {
  transactionEventReport(id: $id, type: $type, amount: $amount, pspReference: $psp) {
    errors { field code message }
  }
}"""
FULFILL = """
mutation ($order: ID!, $input: OrderFulfillInput!) {
  orderFulfill(order: $order, input: $input) { errors { field code message } }
}"""
RETURN = """
mutation ($id: ID!, $input: OrderReturnProductsInput!) {
  orderFulfillmentReturnProducts(order: $id, input: $input) {
    returnFulfillment { id status }
    errors { field code message }
  }
}"""


@pytest.fixture
def referred_order(shop, e2e_staff_api_client, e2e_app_api_client, e2e_not_logged_api_client):  # noqa: F811
    """Two lines (100 and 50), 10 % on level 1: commissions 10.00 and 5.00, frozen."""
    channel = shop["channel"]
    assert plugin_update(
        e2e_staff_api_client, channel["id"], commission_depth=1, commission_rate_level_1="10",
        commission_rate_level_2="",
    )["errors"] == []  # fmt: skip
    _, second_variant, _ = prepare_product(
        e2e_staff_api_client, shop["warehouse"]["id"], channel["id"], 50, product_type_slug="second"
    )
    seller = e2e_staff_api_client.user
    applied = distributor_apply(principal=Principal(user_id=seller.pk, email=seller.email), display_name="S")
    code = distributor_approve(actor=SYSTEM, distributor_id=applied.pk).referral_code
    client = e2e_not_logged_api_client
    checkout = checkout_create(
        client,
        [{"variantId": shop["variant_id"], "quantity": 1}, {"variantId": second_variant, "quantity": 1}],
        channel["slug"], email="buyer@example.com",
    )  # fmt: skip
    checkout = checkout_delivery_method_update(client, checkout["id"], shop["shipping_method"]["id"])
    meta = client.post_graphql(
        METADATA_UPDATE, {"id": checkout["id"], "input": [{"key": REF_METADATA_KEY, "value": code}]}
    )
    assert get_graphql_content(meta)["data"]["updateMetadata"]["errors"] == []
    total = checkout["totalPrice"]["gross"]["amount"]
    payment = create_transaction(e2e_app_api_client, checkout["id"], total)
    order_data = checkout_complete(client, checkout["id"])
    order = Order.objects.get(pk=from_global_id(order_data["id"])[1])
    lines = {line.variant_id: line for line in order.lines.all()}
    first = lines[int(from_global_id(shop["variant_id"])[1])]
    second = lines[int(from_global_id(second_variant)[1])]
    commissions = {c.line_id: c for c in Commission.objects.filter(order_id=order_data["id"])}
    first_id, second_id = (to_global_id("OrderLine", str(line.pk)) for line in (first, second))
    assert {k: (c.amount, c.status) for k, c in commissions.items()} == {
        first_id: (Decimal("10.00"), "frozen"), second_id: (Decimal("5.00"), "frozen"),
    }  # fmt: skip
    return {
        "order": order, "order_id": order_data["id"], "transaction": payment, "first": first,
        "second": second, "first_id": first_id, "second_id": second_id, "shop": shop,
    }  # fmt: skip


def create_transaction(app_client, checkout_id, amount):
    from saleor.tests.e2e.transactions.utils import create_transaction as saleor_create_transaction

    return saleor_create_transaction(
        app_client, checkout_id, amount_charged=amount, available_actions=["REFUND"]
    )


def _grant(staff_client, data, *, lines, reason, shipping=False, amount=None):
    extra = {"amount": str(amount)} if amount is not None else {}
    response = staff_client.post_graphql(
        GRANT,
        {
            "id": data["order_id"],
            "input": {
                "lines": [{"id": line_id, "quantity": quantity} for line_id, quantity in lines],
                "reason": reason,
                "grantRefundForShipping": shipping,
                "transactionId": data["transaction"]["id"],
                **extra,
            },
        },
    )
    result = get_graphql_content(response)["data"]["orderGrantRefundCreate"]
    assert result["errors"] == [], result
    return OrderGrantedRefund.objects.get(pk=from_global_id(result["grantedRefund"]["id"])[1])


def _request_refund(granted, psp):
    """What ``transactionRequestRefundForGrantedRefund`` does once the payment app has accepted."""
    item = TransactionItem.objects.get(order_id=granted.order_id)
    with TestCase.captureOnCommitCallbacks(execute=True):
        event = create_transaction_event_requested(
            item, granted.amount_value, TransactionAction.REFUND, related_granted_refund=granted
        )
        event.psp_reference = psp
        event.save(update_fields=["psp_reference"])
        calculate_order_granted_refund_status(granted)
    granted.refresh_from_db()
    assert granted.status == OrderGrantedRefundStatus.PENDING


def _report(app_client, data, kind, amount, psp):
    response = app_client.post_graphql(
        REPORT, {"id": data["transaction"]["id"], "type": kind, "amount": str(amount), "psp": psp}
    )
    assert get_graphql_content(response)["data"]["transactionEventReport"]["errors"] == []


def _commissions(data):
    return {c.line_id: c for c in Commission.objects.filter(order_id=data["order_id"])}


def test_a_refund_granted_for_one_line_holds_then_reverses_exactly_that_line(
    referred_order, e2e_staff_api_client, e2e_app_api_client
):
    data = referred_order
    granted = _grant(e2e_staff_api_client, data, lines=[(data["second_id"], 1)], reason="arrived broken")
    dispute = OrderDispute.objects.get(order_id=data["order_id"])
    assert dispute.status == "open" and dispute.reference == f"saleor-granted-refund:{granted.pk}"
    assert dispute.reason == "refund granted: arrived broken"
    assert OrderHold.objects.filter(order_id=data["order_id"], closed_at=None).exists()
    assert all(c.settle_after is None for c in _commissions(data).values())  # held whatever the window

    _request_refund(granted, "refund-second")
    assert OrderDispute.objects.get(pk=dispute.pk).status == "open"  # requested, not refunded yet
    _report(e2e_app_api_client, data, "REFUND_SUCCESS", granted.amount_value, "refund-second")

    granted.refresh_from_db()
    assert granted.status == OrderGrantedRefundStatus.SUCCESS
    commissions = _commissions(data)
    assert (commissions[data["second_id"]].reversed_amount, commissions[data["second_id"]].status) == (
        Decimal("5.00"), "cancelled",
    )  # fmt: skip
    assert (commissions[data["first_id"]].reversed_amount, commissions[data["first_id"]].status) == (
        Decimal("0.00"), "frozen",
    )  # fmt: skip
    refunds = list(OrderLineRefund.objects.filter(order_id=data["order_id"]).values_list("line_id", "amount"))
    assert refunds == [(data["second_id"], Decimal("50.00"))]
    dispute.refresh_from_db()
    assert dispute.status == "reversed" and dispute.refund_id.startswith("saleor-transaction-event:")
    assert not OrderHold.objects.filter(order_id=data["order_id"], closed_at=None).exists()

    # Saleor reports the refund again (order_fully_refunded, a retry): counted once
    from saleor_wechat_distribution.saleor_adapter.tasks import saleor_order_refunded_task

    saleor_order_refunded_task.apply(kwargs={"order_pk": str(data["order"].pk)}).get()
    assert OrderLineRefund.objects.filter(order_id=data["order_id"]).count() == 1
    assert _commissions(data)[data["first_id"]].reversed_amount == Decimal("0.00")


def test_a_partial_compensation_on_one_line_reverses_the_same_share_of_it(
    referred_order, e2e_staff_api_client, e2e_app_api_client
):
    data = referred_order
    granted = _grant(  # a quarter of the line back
        e2e_staff_api_client, data, lines=[(data["first_id"], 1)], reason="scratched", amount="25.00"
    )
    _request_refund(granted, "refund-quarter")
    _report(e2e_app_api_client, data, "REFUND_SUCCESS", Decimal("25.00"), "refund-quarter")
    commissions = _commissions(data)
    assert commissions[data["first_id"]].reversed_amount == Decimal("2.50")
    assert commissions[data["second_id"]].reversed_amount == Decimal("0.00")


def test_a_refund_that_fails_releases_the_held_commissions(
    referred_order, e2e_staff_api_client, e2e_app_api_client
):
    data = referred_order
    granted = _grant(e2e_staff_api_client, data, lines=[(data["first_id"], 1)], reason="changed my mind")
    assert OrderDispute.objects.get(order_id=data["order_id"]).status == "open"
    _request_refund(granted, "refund-fails")
    _report(e2e_app_api_client, data, "REFUND_FAILURE", granted.amount_value, "refund-fails")
    granted.refresh_from_db()
    assert granted.status == OrderGrantedRefundStatus.FAILURE
    dispute = OrderDispute.objects.get(order_id=data["order_id"])
    assert dispute.status == "released"
    assert not OrderHold.objects.filter(order_id=data["order_id"], closed_at=None).exists()
    assert all(c.reversed_amount == 0 and c.status == "frozen" for c in _commissions(data).values())


def test_a_refund_without_lines_is_spread_proportionally(referred_order, e2e_app_api_client):
    data = referred_order
    _report(e2e_app_api_client, data, "REFUND_SUCCESS", Decimal("30.00"), "goodwill")
    commissions = _commissions(data)
    # 30 over lines of 100 and 50: 20 and 10 returned
    assert commissions[data["first_id"]].reversed_amount == Decimal("2.00")
    assert commissions[data["second_id"]].reversed_amount == Decimal("1.00")
    assert not OrderDispute.objects.filter(order_id=data["order_id"]).exists()


def test_returned_products_open_a_dispute_the_refund_resolves(
    referred_order, e2e_staff_api_client, e2e_app_api_client
):
    data = referred_order
    warehouse = data["shop"]["warehouse"]["id"]
    fulfil = e2e_staff_api_client.post_graphql(
        FULFILL,
        {"order": data["order_id"], "input": {"lines": [
            {"orderLineId": line_id, "stocks": [{"quantity": 1, "warehouse": warehouse}]}
            for line_id in (data["first_id"], data["second_id"])
        ]}},
    )  # fmt: skip
    fulfilled = get_graphql_content(fulfil)["data"]["orderFulfill"]
    assert fulfilled["errors"] == []
    first_fulfillment_line = to_global_id(
        "FulfillmentLine", str(FulfillmentLine.objects.get(order_line=data["first"]).pk)
    )
    returned = e2e_staff_api_client.post_graphql(
        RETURN,
        {"id": data["order_id"], "input": {"fulfillmentLines": [
            {"fulfillmentLineId": first_fulfillment_line, "quantity": 1}]}},
    )  # fmt: skip
    result = get_graphql_content(returned)["data"]["orderFulfillmentReturnProducts"]
    assert result["errors"] == [] and result["returnFulfillment"]["status"] == "RETURNED"
    dispute = OrderDispute.objects.get(order_id=data["order_id"])
    assert dispute.status == "open" and dispute.reason == "products returned"
    assert dispute.reference == f"saleor-return:{from_global_id(result['returnFulfillment']['id'])[1]}"

    granted = _grant(e2e_staff_api_client, data, lines=[(data["first_id"], 1)], reason="returned")
    assert OrderDispute.objects.filter(order_id=data["order_id"], status="open").count() == 1
    _request_refund(granted, "refund-return")
    _report(e2e_app_api_client, data, "REFUND_SUCCESS", granted.amount_value, "refund-return")
    dispute.refresh_from_db()
    assert dispute.status == "reversed"
    commissions = _commissions(data)
    assert commissions[data["first_id"]].reversed_amount == Decimal("10.00")
    assert commissions[data["second_id"]].reversed_amount == Decimal("0.00")


LEGACY_REFUND = """
mutation ($order: ID!, $input: OrderRefundProductsInput!) {
  orderFulfillmentRefundProducts(order: $order, input: $input) {
    fulfillment { status }
    errors { field code message }
  }
}"""


def test_a_legacy_payment_refund_of_one_line_reverses_exactly_that_line(
    order_with_lines, payment_txn_captured, staff_api_client, permission_group_manage_orders
):
    """Saleor's legacy payments (its dummy gateway): the refund transaction is paired with the refund
    fulfillment of the same amount, whose lines say what was returned."""
    from saleor_wechat_distribution.saleor_adapter.plugin import WeChatDistributionPlugin
    from saleor_wechat_distribution.saleor_adapter.program_sync import sync_program
    from saleor_wechat_distribution.saleor_adapter.tasks import saleor_order_paid_task

    order = order_with_lines
    channel = order.channel
    items = [
        {"name": "commission_depth", "value": "1"},
        {"name": "commission_rate_level_1", "value": "10"},
        {"name": "commission_rate_level_2", "value": ""},
    ]
    from saleor.plugins.models import PluginConfiguration

    PluginConfiguration.objects.create(
        identifier=WeChatDistributionPlugin.PLUGIN_ID, channel=channel, active=True, configuration=items
    )
    sync_program(channel.slug, channel.currency_code, items)
    seller = staff_api_client.user
    applied = distributor_apply(principal=Principal(user_id=seller.pk, email=seller.email), display_name="S")
    code = distributor_approve(actor=SYSTEM, distributor_id=applied.pk).referral_code
    order.metadata = {REF_METADATA_KEY: code}
    order.save(update_fields=["metadata"])
    assert payment_txn_captured.captured_amount == order.total_gross_amount
    with TestCase.captureOnCommitCallbacks(execute=True):
        saleor_order_paid_task.apply(kwargs={"order_pk": str(order.pk)}).get()
    order_id = to_global_id("Order", str(order.pk))
    lines = list(order.lines.order_by("pk"))
    commissions = {c.line_id: c for c in Commission.objects.filter(order_id=order_id)}
    assert len(commissions) == len(lines) >= 2
    refunded_line = lines[0]
    refunded_id = to_global_id("OrderLine", str(refunded_line.pk))

    permission_group_manage_orders.user_set.add(staff_api_client.user)
    response = staff_api_client.post_graphql(
        LEGACY_REFUND,
        {"order": order_id, "input": {"orderLines": [
            {"orderLineId": refunded_id, "quantity": refunded_line.quantity}]}},
    )  # fmt: skip
    result = get_graphql_content(response)["data"]["orderFulfillmentRefundProducts"]
    assert result["errors"] == [] and result["fulfillment"]["status"] == "REFUNDED"
    after = {c.line_id: c for c in Commission.objects.filter(order_id=order_id)}
    assert after[refunded_id].reversed_amount == after[refunded_id].amount > 0
    assert all(c.reversed_amount == 0 for line_id, c in after.items() if line_id != refunded_id)
    assert list(OrderLineRefund.objects.filter(order_id=order_id).values_list("line_id", flat=True)) == [
        refunded_id
    ]
