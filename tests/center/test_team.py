"""``centerTeam``: levels 1 and 2 with counts and keyset pages, showing only a masked name, the day a
member joined and its level (domain/center.py says why no more)."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution.domain.distributors import DistributorStatus
from saleor_wechat_distribution.testing.factories import customer, make_distributor

TEAM = """
query($level: Int, $after: String) { centerTeam(level: $level, first: 2, after: $after) {
  totalCount levelCounts { level count } pageInfo { hasNextPage endCursor }
  edges { node { name joinedOn level } }
} }"""
#: nothing beyond the three fields can be asked for
NOSY = "{ centerTeam { edges { node { name referralCode email } } } }"


@pytest.fixture
def network(db):
    me = customer()
    root = make_distributor(principal=me, name="Root")
    kids = [make_distributor(root, name=name) for name in ("王芳", "李娜", "Zhang Wei")]
    make_distributor(root, name="Pending", status=DistributorStatus.PENDING)
    make_distributor(root, name="Rejected", status=DistributorStatus.REJECTED)
    make_distributor(root, name="Suspended", status=DistributorStatus.SUSPENDED)
    grandkid = make_distributor(kids[0], name="孙丽")
    make_distributor(grandkid, name="Level three")
    return me


def test_levels_one_and_two_with_counts_and_pages(gql, network):
    first = gql(TEAM, {"level": 1}, network)["data"]["centerTeam"]
    assert first["totalCount"] == 4  # three active and one suspended; applicants are not members
    assert first["levelCounts"] == [{"level": 1, "count": 4}, {"level": 2, "count": 1}]
    names = [e["node"]["name"] for e in first["edges"]]
    assert names == ["王**", "李**"] and first["pageInfo"]["hasNextPage"]
    second = gql(TEAM, {"level": 1, "after": first["pageInfo"]["endCursor"]}, network)["data"]["centerTeam"]
    assert [e["node"]["name"] for e in second["edges"]] == ["Z**", "S**"]
    assert not second["pageInfo"]["hasNextPage"]
    assert {e["node"]["level"] for e in first["edges"] + second["edges"]} == {1}
    assert all(len(e["node"]["joinedOn"]) == 10 for e in first["edges"])
    level_two = gql(TEAM, {"level": 2}, network)["data"]["centerTeam"]
    assert [(e["node"]["name"], e["node"]["level"]) for e in level_two["edges"]] == [("孙**", 2)]


def test_other_levels_and_other_fields_are_refused(gql, network):
    for level in (0, 3, -1):
        answer = gql(TEAM, {"level": level}, network)
        assert answer["errors"][0]["extensions"]["exception"]["code"] == "INVALID"
    assert "Cannot query field" in gql(NOSY, principal=network, status=400)["errors"][0]["message"]
    assert gql(TEAM, {"level": 1}, customer())["errors"][0]["extensions"]["exception"]["code"] == "NOT_FOUND"
