"""``Distributor.upline``: what a distributor may see of the distributor above it (its display name and
referral code), while ``parent``, the whole node, stays for staff and the upline's own team
(``test_access_matrix``). An applicant's own ``distributorApply`` answer and ``myDistributor`` show the
same."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saleor_wechat_distribution.models import CommissionRule, Distributor
from saleor_wechat_distribution.services.commissions import order_paid
from saleor_wechat_distribution.testing.orders import line, order

from .conftest import Gql, World, gid

pytestmark = pytest.mark.django_db

APPLY = """mutation($input: DistributorApplyInput!) { distributorApply(input: $input) {
  distributor { id parent { id } upline { displayName referralCode } } errors { code } } }"""
MINE = "{ myDistributor { id parent { id } upline { displayName referralCode } } }"
NODE = """query($id: ID!) { node(id: $id) { ... on Distributor { parent { id } upline { displayName } } } }"""


def upline_of(world: World, name: str) -> dict:
    return {"displayName": f"Node {name}", "referralCode": world[name].referral_code}


@pytest.mark.parametrize("caller", ["customer", "staff_orders"])
def test_an_applicant_sees_the_inviter_it_applied_under_as_in_my_distributor(
    world: World, gql: Gql, caller: str
) -> None:
    principal = world.caller(caller)
    variables = {"input": {"displayName": "Newcomer", "inviterCode": world["A"].referral_code}}
    answer = gql(APPLY, variables, principal)["data"]["distributorApply"]
    node = Distributor.objects.get(user_id=principal.user_id)
    expected = {"id": gid(node), "parent": None, "upline": upline_of(world, "A")}
    assert answer == {"distributor": expected, "errors": []}
    assert gql(MINE, None, principal) == {"data": {"myDistributor": expected}}


def test_a_member_sees_the_name_and_code_above_it_but_not_the_node(world: World, gql: Gql) -> None:
    a1 = world.principals["A1"]
    assert gql(MINE, None, a1)["data"]["myDistributor"]["upline"] == upline_of(world, "A")
    assert gql(MINE, None, a1)["data"]["myDistributor"]["parent"] is None
    top = gql(MINE, None, world.principals["A"])["data"]["myDistributor"]
    assert (top["parent"], top["upline"]) == (None, None)  # directly under the brand
    # inside its own team a distributor sees parents and uplines alike
    assert gql(NODE, {"id": world.gid("A11")}, a1)["data"]["node"] == {
        "parent": {"id": world.gid("A1")}, "upline": {"displayName": "Node A1"},
    }  # fmt: skip
    staff = world.caller("staff_users")
    assert gql(NODE, {"id": world.gid("A1")}, staff)["data"]["node"]["upline"] == {"displayName": "Node A"}


def test_a_records_distributor_shows_no_upline_to_staff_without_manage_users(world: World, gql: Gql) -> None:
    """Staff with MANAGE_ORDERS see whose commission it is, not the network above them."""
    CommissionRule.objects.create(channel="default-channel", level=1, rate=Decimal("10"))
    order_paid(order=order(line("100.00"), ref=world["A1"].referral_code))
    query = (
        "{ commissions(first: 5) { edges { node { distributor { displayName upline { displayName } } } } } }"
    )
    edges = gql(query, None, world.caller("staff_orders"))["data"]["commissions"]["edges"]
    assert edges and all(e["node"]["distributor"]["upline"] is None for e in edges)
    assert {e["node"]["distributor"]["displayName"] for e in edges} >= {"Node A1"}
