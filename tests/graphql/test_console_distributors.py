"""The staff console's reads of the Distributors area: list filters, the network browser, a distributor's
page (network, bindings, storefront, money) and the customer widget; and what a caller without the
permission gets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from saleor_wechat_distribution.domain.distributors import DistributorKind, DistributorStatus
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import (
    ChannelProgram,
    CustomerBinding,
    Distributor,
    LedgerEntry,
    WeChatIdentity,
)
from saleor_wechat_distribution.testing.factories import customer, make_distributor, staff

from .conftest import Gql, error_codes, gid

pytestmark = pytest.mark.django_db

USERS = staff(Permission.MANAGE_USERS)
EVERYTHING = staff(Permission.MANAGE_USERS, Permission.MANAGE_ORDERS)
ORDERS_ONLY = staff(Permission.MANAGE_ORDERS)

LIST = """query($filter: DistributorFilterInput) { distributors(first: 50, filter: $filter) {
  totalCount edges { node { displayName } } } }"""
NETWORK = """query($parent: ID, $first: Int, $after: String) {
  distributorNetwork(parentId: $parent, first: $first, after: $after) {
    parent { displayName } levelCounts { level count }
    children { totalCount pageInfo { hasNextPage endCursor }
      edges { node { displayName level childrenCount teamSize status } } } } }"""
DETAIL = """query($id: ID!) { distributor(id: $id) {
  displayName ancestors { displayName } networkLevelCounts { level count }
  bindingCounts { total active } storefront { slug }
  balances { currency available { amount } }
  ledger(first: 2) { totalCount edges { node { kind amount { amount currency } orderId } } } } }"""
WIDGET = """query($id: ID!) { customerDistribution(customerId: $id) {
  distributor { displayName status approvedAt }
  bindings { channel distributor { displayName } source code boundAt isActive throughWechat } } }"""


@pytest.fixture
def network() -> dict[str, Distributor]:
    """east (enterprise) ─┬─ wang ── li (pending)
                       └─ zhao (suspended)
    west (enterprise)"""
    east = make_distributor(name="East", kind=DistributorKind.ENTERPRISE)
    west = make_distributor(name="West", kind=DistributorKind.ENTERPRISE)
    wang = make_distributor(east, name="Wang")
    zhao = make_distributor(east, name="Zhao", status=DistributorStatus.SUSPENDED)
    li = make_distributor(wang, name="Li", status=DistributorStatus.PENDING)
    return {"east": east, "west": west, "wang": wang, "zhao": zhao, "li": li}


def names(result: dict) -> list[str]:
    return [e["node"]["displayName"] for e in result["edges"]]


def test_filters_by_level_kind_status_and_joined(gql: Gql, network):
    def listed(**filter) -> list[str]:
        return names(gql(LIST, {"filter": filter}, USERS)["data"]["distributors"])

    assert listed(level=1) == ["West", "East"]
    assert listed(level=2, status="SUSPENDED") == ["Zhao"]
    assert listed(kind="INDIVIDUAL", level=3) == ["Li"]
    Distributor.objects.filter(pk=network["east"].pk).update(created_at=timezone.now() - timedelta(days=40))
    month_ago = (timezone.now() - timedelta(days=30)).isoformat()
    assert listed(joinedTo=month_ago) == ["East"]
    assert "East" not in listed(joinedFrom=month_ago)


def test_bad_filters_are_coded_errors(gql: Gql, network):
    now = timezone.now()
    for filter, field in (
        ({"level": 0}, "level"),
        ({"joinedFrom": now.isoformat(), "joinedTo": (now - timedelta(days=1)).isoformat()}, "joinedTo"),
    ):
        result = gql(LIST, {"filter": filter}, USERS)
        assert result["data"]["distributors"] is None
        assert result["errors"][0]["extensions"]["exception"]["code"] == "INVALID"
        assert result["errors"][0]["extensions"]["exception"]["field"] == field


def test_network_opens_level_by_level(gql: Gql, network):
    top = gql(NETWORK, {}, USERS)["data"]["distributorNetwork"]
    assert top["parent"] is None
    assert top["levelCounts"] == [
        {"level": 1, "count": 2},
        {"level": 2, "count": 2},
        {"level": 3, "count": 1},
    ]
    assert names(top["children"]) == ["East", "West"]
    east = top["children"]["edges"][0]["node"]
    assert east["childrenCount"] == 2 and east["teamSize"] == 2, "Li is pending: not in the team yet"

    below = gql(NETWORK, {"parent": gid(network["east"]), "first": 1}, USERS)["data"]["distributorNetwork"]
    assert below["parent"]["displayName"] == "East"
    assert below["levelCounts"] == [{"level": 1, "count": 2}, {"level": 2, "count": 1}]
    assert names(below["children"]) == ["Wang"] and below["children"]["totalCount"] == 2
    cursor = below["children"]["pageInfo"]["endCursor"]
    page2 = gql(NETWORK, {"parent": gid(network["east"]), "first": 1, "after": cursor}, USERS)
    assert names(page2["data"]["distributorNetwork"]["children"]) == ["Zhao"]
    assert not page2["data"]["distributorNetwork"]["children"]["pageInfo"]["hasNextPage"]


def test_network_of_an_unknown_distributor_is_null_and_bad_ids_are_refused(gql: Gql, network):
    missing = to_global_id("Distributor", 10**9)
    assert gql(NETWORK, {"parent": missing}, USERS)["data"]["distributorNetwork"] is None
    result = gql(NETWORK, {"parent": "nonsense"}, USERS)
    assert error_codes(result) == [("INVALID", ["distributorNetwork"])]


def test_the_brand_level_counts_of_a_large_network_come_from_the_cache(gql: Gql, network, monkeypatch):
    from saleor_wechat_distribution.selectors import distributors as selectors

    monkeypatch.setattr(selectors, "LEVEL_COUNTS_CACHED_ABOVE", 1)
    first = gql(NETWORK, {}, USERS)["data"]["distributorNetwork"]["levelCounts"]
    make_distributor(network["west"], name="New")
    again = gql(NETWORK, {}, USERS)["data"]["distributorNetwork"]["levelCounts"]
    assert again == first, "counted at most a minute ago"
    monkeypatch.setattr(selectors, "LEVEL_COUNTS_CACHED_ABOVE", 10**6)
    fresh = gql(NETWORK, {}, USERS)["data"]["distributorNetwork"]["levelCounts"]
    assert fresh[1] == {"level": 2, "count": 3}


def test_distributor_page_reads(gql: Gql, network):
    wang = network["wang"]
    ChannelProgram.objects.create(channel="default-channel", currency="CNY")
    now = timezone.now()
    for n, expires in enumerate((None, now + timedelta(days=3), now - timedelta(days=1))):
        CustomerBinding.objects.create(
            channel="default-channel", customer_key=f"user:{900 + n}", distributor=wang, source="link",
            bound_at=now, expires_at=expires, protected_until=now,
        )  # fmt: skip
    for n, amount in enumerate(("10.00", "-4.00", "2.50")):
        LedgerEntry.objects.create(
            distributor=wang, currency="CNY", amount=Decimal(amount), kind="commission",
            idempotency_key=f"k{n}", order_id=f"o{n}",
        )  # fmt: skip
    page = gql(DETAIL, {"id": gid(wang)}, EVERYTHING)
    assert "errors" not in page, page
    node = page["data"]["distributor"]
    assert [a["displayName"] for a in node["ancestors"]] == ["East"]
    assert node["networkLevelCounts"] == [{"level": 1, "count": 1}]
    assert node["bindingCounts"] == {"total": 3, "active": 2}
    assert node["storefront"] is None
    assert node["balances"] == [{"currency": "CNY", "available": {"amount": "8.50"}}]
    assert node["ledger"]["totalCount"] == 3
    assert [e["node"]["orderId"] for e in node["ledger"]["edges"]] == ["o2", "o1"], "newest first"


def test_money_of_a_distributor_needs_manage_orders(gql: Gql, network):
    result = gql(DETAIL, {"id": gid(network["wang"])}, USERS)
    denied = {tuple(e["path"]) for e in result["errors"]}
    assert denied == {("distributor", "balances"), ("distributor", "ledger")}
    assert result["data"]["distributor"]["bindingCounts"] == {"total": 0, "active": 0}


def test_staff_without_manage_users_is_refused(gql: Gql, network):
    for query, variables in ((NETWORK, {}), (WIDGET, {"id": "1"})):
        result = gql(query, variables, ORDERS_ONLY)
        assert result["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    result = gql(WIDGET, {"id": "1"}, customer())
    assert result["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_customer_widget_distributor_and_bindings(gql: Gql, network):
    wang = network["wang"]
    buyer = customer()
    now = timezone.now()
    WeChatIdentity.objects.create(app_id="wxapp", openid="o-buyer", user_id=buyer.user_id)
    CustomerBinding.objects.create(
        channel="default-channel", customer_key=f"user:{buyer.user_id}", distributor=wang, source="qr",
        code=wang.referral_code, bound_at=now - timedelta(days=5), protected_until=now,
    )  # fmt: skip
    CustomerBinding.objects.create(
        channel="wechat-channel", customer_key="wx:wxapp:o-buyer", distributor=network["west"],
        source="link", bound_at=now - timedelta(days=1), expires_at=now - timedelta(hours=1),
        protected_until=now,
    )  # fmt: skip
    saleor_id = to_global_id("User", buyer.user_id)
    answer = gql(WIDGET, {"id": saleor_id}, USERS)["data"]["customerDistribution"]
    assert answer["distributor"] is None
    seen = [
        (b["distributor"]["displayName"], b["source"], b["isActive"], b["throughWechat"])
        for b in answer["bindings"]
    ]
    assert seen == [("Wang", "QR", True, False), ("West", "LINK", False, True)]

    own = gql(WIDGET, {"id": to_global_id("User", wang.user_id)}, USERS)["data"]["customerDistribution"]
    assert own["distributor"]["displayName"] == "Wang" and own["distributor"]["approvedAt"]
    assert own["bindings"] == []


@pytest.mark.parametrize("bad", ["", "abc", to_global_id("Order", 3), to_global_id("User", "x"), "1" * 19])
def test_customer_widget_refuses_other_ids(gql: Gql, bad):
    result = gql(WIDGET, {"id": bad}, USERS)
    assert result["data"]["customerDistribution"] is None
    assert result["errors"][0]["extensions"]["exception"]["code"] == "INVALID"
