"""Issue 11, money 1 and 3 inside a real Saleor.

- A double charge: the order (lines 100 and 50, paid with ``transactionCreate`` by an app) is charged a
  second time (``transactionEventReport`` CHARGE_SUCCESS, another PSP reference), and the surplus is
  refunded (REFUND_SUCCESS): the order stays fully charged and the commissions are untouched. A real
  partial refund afterwards still reverses exactly its share.
- Under Saleor the route's channel decides: a ``channel`` argument naming another channel is refused,
  and a channel where the plugin is not active runs no program (no withdrawal, no balance).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from saleor.order import OrderChargeStatus
from saleor.order.models import Order

from saleor_wechat_distribution.domain.errors import CommissionErrorCode, DistributionError
from saleor_wechat_distribution.models import OrderLineRefund
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.services.withdrawals import withdrawal_request

from .saleor_fixtures import post_ours
from .test_in_saleor import plugin_update, shop  # noqa: F401 - the shared fixture
from .test_refunds_and_disputes import _commissions, _report, referred_order  # noqa: F401 - fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]


def _order(data) -> Order:
    return Order.objects.get(pk=data["order"].pk)


def test_a_refunded_double_charge_leaves_the_commissions_untouched(
    referred_order,  # noqa: F811
    e2e_app_api_client,
):
    data = referred_order
    total = _order(data).total_gross_amount
    _report(e2e_app_api_client, data, "CHARGE_SUCCESS", total, "second-capture")
    order = _order(data)
    assert order.charge_status == OrderChargeStatus.OVERCHARGED
    assert order.total_charged_amount == 2 * total

    _report(e2e_app_api_client, data, "REFUND_SUCCESS", total, "refund-second-capture")
    order = _order(data)
    assert order.charge_status == OrderChargeStatus.FULL  # the customer still pays for everything
    commissions = _commissions(data)
    assert {(c.amount, c.reversed_amount, c.status) for c in commissions.values()} == {
        (Decimal("10.00"), Decimal("0.00"), "frozen"),
        (Decimal("5.00"), Decimal("0.00"), "frozen"),
    }
    assert OrderLineRefund.objects.filter(order_id=data["order_id"]).exists()  # counted, reversing nothing

    # a real partial refund: 30 of the goods (no lines named: spread 20 / 10 over lines of 100 / 50)
    _report(e2e_app_api_client, data, "REFUND_SUCCESS", Decimal("30.00"), "refund-goodwill")
    assert _order(data).charge_status == OrderChargeStatus.PARTIAL
    commissions = _commissions(data)
    assert commissions[data["first_id"]].reversed_amount == Decimal("2.00")
    assert commissions[data["second_id"]].reversed_amount == Decimal("1.00")


def test_an_overcharge_corrected_reverses_nothing(referred_order, e2e_app_api_client):  # noqa: F811
    data = referred_order
    _report(e2e_app_api_client, data, "CHARGE_SUCCESS", Decimal("7.00"), "tip-by-mistake")
    _report(e2e_app_api_client, data, "REFUND_SUCCESS", Decimal("7.00"), "tip-returned")
    assert _order(data).charge_status == OrderChargeStatus.FULL
    assert all(c.reversed_amount == 0 for c in _commissions(data).values())


BALANCE = "query ($channel: String!) { myBalance(channel: $channel) { currency available { amount } } }"
REQUEST = """
mutation ($channel: String!) {
  withdrawalRequest(channel: $channel, amount: "1.00") { withdrawal { id } errors { field code } }
}"""


def test_the_routes_channel_decides_and_an_inactive_channel_runs_no_program(
    referred_order,  # noqa: F811
    e2e_staff_api_client,
):
    data = referred_order
    slug = data["shop"]["channel"]["slug"]
    seller = e2e_staff_api_client  # the distributor of the referred order

    def ours(query, channel):
        response = post_ours(seller, slug, "graphql/", {"query": query, "variables": {"channel": channel}})
        assert response.status_code == 200, response.content
        return response.json()

    assert ours(BALANCE, slug)["data"]["myBalance"]["available"] == {"amount": "0.00"}
    for other in ("other-channel-x", "channel-pln"):
        refused = ours(BALANCE, other)
        assert refused["errors"][0]["extensions"]["exception"]["code"] == "CHANNEL_MISMATCH"
        errors = ours(REQUEST, other)["data"]["withdrawalRequest"]["errors"]
        assert errors == [{"field": "channel", "code": "CHANNEL_MISMATCH"}]

    # the plugin deactivated in the channel: its program no longer runs (and its route answers 404)
    assert plugin_update(e2e_staff_api_client, data["shop"]["channel"]["id"], active=False)["errors"] == []
    user = seller.user
    with pytest.raises(DistributionError) as info:
        withdrawal_request(principal=Principal(user_id=user.pk, email=user.email), amount=Decimal("1"),
                           channel=slug)  # fmt: skip
    assert info.value.code == CommissionErrorCode.UNKNOWN_CHANNEL
    assert post_ours(seller, slug, "graphql/", {"query": "{ __typename }"}).status_code == 404
