"""In the sandbox a withdrawal goes the whole way against the simulated WeChat Pay: demo orders earn
commissions, a demo distributor asks for money over GraphQL, it is approved at once (below the demo's
threshold), WeChat Pay waits for the user's 确认收款, the simulated confirmation page pays and notifies
our endpoint, and the withdrawal is PAID."""

from __future__ import annotations

import json
import urllib.request
from decimal import Decimal
from urllib.parse import urlencode

from saleor_wechat_distribution.models import Distributor, Withdrawal
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.sandbox.demo_orders import place_demo_orders
from saleor_wechat_distribution.sandbox.tokens import issue_token
from saleor_wechat_distribution.selectors.commissions import balance_of

from .sandbox_world import demo, sandbox_url  # noqa: F401 - fixtures

REQUEST = """mutation($amount: String!) { withdrawalRequest(channel: "default-channel", amount: $amount) {
  withdrawal { id status } errors { field code message } } }"""
PACKAGE = "query($id: ID!) { withdrawalTransferPackage(id: $id) { mchId appId package } }"
MINE = "{ myWithdrawals(first: 5) { edges { node { status amount { amount } } } } }"


def graphql(url: str, query: str, variables: dict, token: str) -> dict:
    request = urllib.request.Request(
        url + "/graphql/",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=20) as answer:
        return json.loads(answer.read())


def test_a_withdrawal_is_approved_and_paid_after_the_simulated_confirmation(demo, sandbox_url):  # noqa: F811
    place_demo_orders(12)
    wang = Distributor.objects.get(user_id=201)
    available = balance_of(distributor=wang, currency="CNY").available
    assert available >= Decimal("1.00"), "demo orders earned Wang Fang nothing to withdraw"
    amount = min(available, Decimal("100.00")).quantize(Decimal("0.01"))
    token = issue_token(Principal(user_id=201, email="user201@example.com"))

    asked = graphql(sandbox_url, REQUEST, {"amount": str(amount)}, token)["data"]["withdrawalRequest"]
    assert asked["errors"] == [], asked
    withdrawal = Withdrawal.objects.get(distributor=wang)
    assert withdrawal.status == Withdrawal.Status.WAIT_USER_CONFIRM  # approved at once, sent, waiting
    package = graphql(sandbox_url, PACKAGE, {"id": asked["withdrawal"]["id"]}, token)["data"]
    transfer = package["withdrawalTransferPackage"]
    assert transfer["mchId"] == demo.pay.merchant.mchid and transfer["package"] == withdrawal.package_info

    # 确认收款 on the simulated WeChat Pay page: it pays the bill and posts the signed notification to us
    page = demo.pay.base_url + "/fake/merchant-transfer?" + urlencode(
        {"package": transfer["package"], "confirm": "1"}
    )
    with urllib.request.urlopen(page, timeout=20) as answer:
        assert answer.status == 200 and "Received" in answer.read().decode()
    withdrawal.refresh_from_db()
    assert withdrawal.status == Withdrawal.Status.PAID
    mine = graphql(sandbox_url, MINE, {}, token)["data"]["myWithdrawals"]["edges"]
    assert [(e["node"]["status"], e["node"]["amount"]["amount"]) for e in mine] == [("PAID", str(amount))]
    assert balance_of(distributor=wang, currency="CNY").available == available - amount
