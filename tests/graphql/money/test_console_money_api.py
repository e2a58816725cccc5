"""The console's money reads through HTTP: withdrawal totals, an order's attribution for the order widget,
commissions by filter, reassignment by referral code, the commissions CSV export, and statements per
page that do not depend on the page size (dataloaders)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import Commission, OrderDispute, Withdrawal
from saleor_wechat_distribution.services.disputes import order_dispute_open
from saleor_wechat_distribution.services.referrals import order_attribution_reassign
from saleor_wechat_distribution.testing.factories import staff
from saleor_wechat_distribution.testing.orders import line, order

from ..conftest import Gql, auth_headers
from ..conftest_commissions import CHANNEL, MoneyWorld
from .api import DENIED, ok

pytestmark = pytest.mark.django_db

TOTALS = "{ withdrawalTotals { status count amount { amount currency } } }"
WIDGET = """query($orderId: ID!) { orderAttribution(orderId: $orderId) {
  orderId orderNumber source code appId decidedAt policyVersion
  policy { trigger validityDays commissionDepth selfPurchaseEarns }
  distributor { id displayName referralCode }
  changes { fromDistributor { displayName } toDistributor { displayName } actor reason }
  commissions { level status amount { amount } distributor { displayName } }
  dispute { status reason events { type note } }
} }"""
COMMISSIONS = """query($filter: CommissionFilterInput, $first: Int) {
  commissions(filter: $filter, first: $first) { totalCount edges { node { orderId level status
    amount { amount } distributor { referralCode } holdReason } } } }"""
REASSIGN_BY_CODE = """mutation($orderId: ID!, $code: String, $reason: String!) {
  orderAttributionReassign(orderId: $orderId, referralCode: $code, reason: $reason) {
    orderAttribution { distributor { displayName } } errors { field code } } }"""


def test_withdrawal_totals_per_status_and_currency(mw: MoneyWorld, gql: Gql) -> None:
    result = gql(TOTALS, principal=mw.staff[Permission.MANAGE_ORDERS])
    assert ok(result, "withdrawalTotals") == [
        {"status": "REQUESTED", "count": 2, "amount": {"amount": "9.00", "currency": "CNY"}},
        {"status": "WAIT_USER_CONFIRM", "count": 1, "amount": {"amount": "1.00", "currency": "CNY"}},
    ]


def test_withdrawal_totals_need_manage_orders(mw: MoneyWorld, gql: Gql) -> None:
    result = gql(TOTALS, principal=mw.staff[Permission.MANAGE_USERS])
    assert result["errors"][0]["extensions"]["exception"]["code"] == DENIED


def test_the_order_widget_reads_attribution_commissions_history_and_dispute(mw: MoneyWorld, gql: Gql) -> None:
    staff_ = mw.staff[Permission.MANAGE_ORDERS]
    order_dispute_open(actor=staff_, order_id="o-A1-paid", reason="顾客投诉 customer complaint")
    order_attribution_reassign(
        actor=staff_, order_id="o-A1-paid", distributor_id=mw["A2"].pk, reason="wrong link"
    )
    answer = ok(gql(WIDGET, {"orderId": "o-A1-paid"}, staff_), "orderAttribution")
    assert answer["orderId"] == "o-A1-paid" and answer["source"] == "MANUAL"
    assert answer["distributor"]["displayName"] == "Node A2"
    assert answer["policy"]["commissionDepth"] == 2 and answer["policy"]["trigger"]
    assert answer["changes"] == [
        {"fromDistributor": {"displayName": "Node A1"}, "toDistributor": {"displayName": "Node A2"},
         "actor": f"staff:{staff_.user_id}", "reason": "wrong link"},
    ]  # fmt: skip
    rows = [(c["distributor"]["displayName"], c["level"], c["status"], c["amount"]["amount"])
            for c in answer["commissions"]]  # fmt: skip
    assert rows == [
        ("Node A1", 1, "CANCELLED", "20.00"),
        ("Node A", 2, "CANCELLED", "6.00"),
        ("Node A2", 1, "FROZEN", "20.00"),
        ("Node A", 2, "FROZEN", "6.00"),
    ]
    assert answer["dispute"]["status"] == "OPEN"
    assert [e["type"] for e in answer["dispute"]["events"]] == ["opened"]


def test_the_order_widget_without_attribution_and_refusals(mw: MoneyWorld, gql: Gql) -> None:
    staff_ = mw.staff[Permission.MANAGE_ORDERS]
    assert ok(gql(WIDGET, {"orderId": "T3JkZXI6bm8tc3VjaA=="}, staff_), "orderAttribution") is None
    refused = gql(WIDGET, {"orderId": "o-A-paid"}, mw.staff[Permission.MANAGE_USERS])
    assert refused["errors"][0]["extensions"]["exception"]["code"] == DENIED
    invalid = gql(WIDGET, {"orderId": "x" * 300}, staff_)
    assert invalid["errors"][0]["extensions"]["exception"]["code"] == "INVALID"


def test_a_distributor_sees_its_own_attribution_but_not_the_staff_fields(mw: MoneyWorld, gql: Gql) -> None:
    query = """{ myAttributedOrders { edges { node {
      orderId commissions { level } changes { reason } dispute { status } } } } }"""
    edges = ok(gql(query, principal=mw.principal("A")), "myAttributedOrders")["edges"]
    assert edges and all(e["node"]["commissions"] == [] and e["node"]["changes"] == [] for e in edges)
    assert all(e["node"]["dispute"] is None for e in edges)


def test_commissions_by_referral_code_status_and_dates(mw: MoneyWorld, gql: Gql) -> None:
    staff_ = mw.staff[Permission.MANAGE_ORDERS]
    code = mw["A"].referral_code
    found = ok(gql(COMMISSIONS, {"filter": {"referralCode": code}}, staff_), "commissions")
    assert found["totalCount"] == 3
    frozen = ok(
        gql(COMMISSIONS, {"filter": {"referralCode": code, "status": "FROZEN"}}, staff_), "commissions"
    )
    assert [(e["node"]["orderId"], e["node"]["level"]) for e in frozen["edges"]] == [("o-A1-paid", 2)]
    nobody = ok(gql(COMMISSIONS, {"filter": {"referralCode": "NO-SUCH"}}, staff_), "commissions")
    assert nobody["totalCount"] == 0
    tomorrow = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    later = ok(gql(COMMISSIONS, {"filter": {"createdFrom": tomorrow}}, staff_), "commissions")
    assert later["totalCount"] == 0
    backwards_ = {"createdFrom": tomorrow, "createdTo": timezone.now().isoformat()}
    backwards = gql(COMMISSIONS, {"filter": backwards_}, staff_)
    assert backwards["errors"][0]["extensions"]["exception"]["code"] == "INVALID"


def test_reassign_by_referral_code(mw: MoneyWorld, gql: Gql) -> None:
    staff_ = mw.staff[Permission.MANAGE_ORDERS]
    variables = {"orderId": "o-B-paid", "code": mw["B1"].referral_code, "reason": "顾客说明 customer says so"}
    payload = ok(gql(REASSIGN_BY_CODE, variables, staff_), "orderAttributionReassign")
    assert payload == {"orderAttribution": {"distributor": {"displayName": "Node B1"}}, "errors": []}
    unknown = gql(REASSIGN_BY_CODE, {**variables, "code": "NOPE"}, staff_)["data"]["orderAttributionReassign"]
    assert unknown["errors"] == [{"field": "referralCode", "code": "NOT_FOUND"}]


# --------------------------------------------------------------------------------------------------
# the CSV export (export/commissions.csv): the console's filters, the same token and permission
# --------------------------------------------------------------------------------------------------


def _export(client, principal, **params: str):
    return client.get("/export/commissions.csv", params, **auth_headers(principal))


def _rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_csv_export_of_commissions_with_filters(mw: MoneyWorld, client) -> None:
    staff_ = mw.staff[Permission.MANAGE_ORDERS]
    response = _export(client, staff_)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _rows(response)
    assert len(rows) == Commission.objects.count() == 7
    first = rows[-1]  # newest first: the last row is the oldest commission
    assert first["order_id"] == "o-A-paid" and first["referral_code"] == mw["A"].referral_code
    assert (first["base"], first["rate"], first["amount"], first["net_amount"]) == (
        "100.00",
        "10",
        "10.00",
        "10.00",
    )
    assert first["status"] == "available" and first["currency"] == "CNY"
    frozen = _rows(_export(client, staff_, status="FROZEN", referralCode=mw["A"].referral_code))
    assert [(r["order_id"], r["level"], r["amount"]) for r in frozen] == [("o-A1-paid", "2", "6.00")]
    today = timezone.now().date().isoformat()  # a bare date is midnight UTC
    assert _rows(_export(client, staff_, createdTo=today)) == []
    assert len(_rows(_export(client, staff_, createdFrom=today))) == 7


def test_csv_export_refusals(mw: MoneyWorld, client) -> None:
    assert _export(client, None).status_code == 401
    assert _export(client, mw.staff[Permission.MANAGE_USERS]).status_code == 403
    staff_ = mw.staff[Permission.MANAGE_ORDERS]
    assert _export(client, staff_, status="LOST").status_code == 400
    assert _export(client, staff_, createdFrom="yesterday").status_code == 400
    assert _export(client, staff_, createdFrom="2026-02-30").status_code == 400
    assert _export(client, staff_, orderId="x" * 100).status_code == 400
    assert _export(client, staff_, sort="amount").status_code == 400


# --------------------------------------------------------------------------------------------------
# statements per page: the same for 10 and 50 rows (dataloaders, no N+1)
# --------------------------------------------------------------------------------------------------

PAGES = {
    "withdrawals": """query($first: Int) {
      withdrawals(first: $first, filter: {status: REQUESTED}) { totalCount edges { node {
        id amount { amount currency } status requestedAt failReason distributor { displayName referralCode }
      } } }
      withdrawalTotals { status count amount { amount } } }""",
    "commissions": """query($first: Int) { commissions(first: $first) { totalCount edges { node {
      id orderId orderNumber level status amount { amount } reversedAmount { amount } holdReason
      distributor { displayName } } } } }""",
    "disputes": """query($first: Int) { disputes(first: $first, filter: {status: OPEN}) { totalCount edges {
      node { id orderId reason openedAt events { type note createdAt }
        attribution { orderNumber distributor { displayName } }
        commissions { level status amount { amount } distributor { displayName } } } } } }""",
}


def _many(mw: MoneyWorld, count: int) -> None:
    """``count`` more referred orders (with commissions at two levels), each disputed, and ``count``
    requested withdrawals."""
    staff_ = staff(Permission.MANAGE_ORDERS)
    from saleor_wechat_distribution.services.commissions import order_paid

    for n in range(count):
        snapshot_ = order(line("10.00"), ref=mw["A1"].referral_code, order_id=f"o-many-{n}", channel=CHANNEL)
        order_paid(order=snapshot_)
        order_dispute_open(actor=staff_, order_id=snapshot_.order_id, reason=f"case {n}")
    Withdrawal.objects.bulk_create(
        Withdrawal(distributor=mw[name], channel=CHANNEL, currency="CNY", amount=Decimal("1.00"),
                   out_bill_no=f"WDMANY{n:04d}{name}")
        for n in range(count) for name in ("A", "B")
    )  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_statements_per_page_do_not_depend_on_the_page_size(mw: MoneyWorld, gql: Gql, page: str) -> None:
    _many(mw, 50)
    assert OrderDispute.objects.count() >= 50
    staff_ = mw.staff[Permission.MANAGE_ORDERS]
    counts = {}
    for first in (10, 50):
        with CaptureQueriesContext(connection) as queries:
            data = ok(gql(PAGES[page], {"first": first}, staff_), page)
        assert len(data["edges"]) == first
        counts[first] = len(queries)
    assert counts[10] == counts[50], counts


def test_the_order_widget_statements(mw: MoneyWorld, gql: Gql) -> None:
    staff_ = mw.staff[Permission.MANAGE_ORDERS]
    order_dispute_open(actor=staff_, order_id="o-A1-paid", reason="complaint")
    with CaptureQueriesContext(connection) as queries:
        ok(gql(WIDGET, {"orderId": "o-A1-paid"}, staff_), "orderAttribution")
    # attribution, its distributor(s), history, commissions, dispute, its events: one query each
    assert len(queries) <= 8, [q["sql"] for q in queries]
