"""Keyset pagination of ``myTeam`` and ``distributors`` (first/after, pageInfo, totalCount, levelCounts)."""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Any

import pytest

from saleor_wechat_distribution.domain.distributors import DistributorKind, DistributorStatus
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import Distributor
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.testing.factories import customer, make_distributor, staff

from .conftest import Gql, assert_top_level_error, gid

pytestmark = pytest.mark.django_db

ACTIVE, PENDING, SUSPENDED, REJECTED = (
    DistributorStatus.ACTIVE,
    DistributorStatus.PENDING,
    DistributorStatus.SUSPENDED,
    DistributorStatus.REJECTED,
)
#: approved members (active or suspended) are listed and counted; pending and rejected ones are not
MEMBERS = {ACTIVE, SUSPENDED}

#: statuses of the root's direct invitees, in the order they apply (22 members: more than a default page)
LEVEL_1 = [ACTIVE] * 6 + [PENDING, SUSPENDED, REJECTED] + [ACTIVE] * 10 + [SUSPENDED, PENDING] + [ACTIVE] * 4
#: invitees of the first level-1 member, and of the second one
LEVEL_2_UNDER_FIRST = [ACTIVE, ACTIVE, PENDING, SUSPENDED, REJECTED, ACTIVE]
LEVEL_2_UNDER_SECOND = [ACTIVE]
#: invitees of the first level-2 member
LEVEL_3 = [ACTIVE, PENDING, REJECTED]

MY_TEAM = """
query($level: Int, $first: Int, $after: String) {
  myTeam(level: $level, first: $first, after: $after) {
    totalCount
    levelCounts { level count }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id status } }
  }
}"""

DISTRIBUTORS = """
query($filter: DistributorFilterInput, $first: Int, $after: String) {
  distributors(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id status } }
  }
}"""

ADMIN = staff(Permission.MANAGE_USERS)


@dataclass
class Team:
    root: Distributor
    owner: Principal
    levels: dict[int, list[Distributor]]  # approved members per level, in the order they joined
    first_member_owner: Principal
    everyone: list[Distributor]  # every row in the database, oldest first


@pytest.fixture
def team(db) -> Team:
    everyone: list[Distributor] = []

    def add(parent: Distributor | None, status: DistributorStatus, **kwargs: Any) -> Distributor:
        node = make_distributor(parent, status=status, **kwargs)
        everyone.append(node)
        return node

    outsider = add(None, ACTIVE)  # another network: never part of the team
    add(outsider, ACTIVE)
    owner = customer()
    root = add(None, ACTIVE, principal=owner, kind=DistributorKind.ENTERPRISE)
    first_member_owner = customer()
    level_1 = [add(root, LEVEL_1[0], principal=first_member_owner)]
    level_1 += [add(root, status) for status in LEVEL_1[1:]]
    level_2 = [add(level_1[0], status) for status in LEVEL_2_UNDER_FIRST]
    level_2 += [add(level_1[1], status) for status in LEVEL_2_UNDER_SECOND]
    level_3 = [add(level_2[0], status) for status in LEVEL_3]

    def members(nodes: list[Distributor]) -> list[Distributor]:
        return [node for node in nodes if node.status in MEMBERS]

    return Team(
        root=root,
        owner=owner,
        levels={1: members(level_1), 2: members(level_2), 3: members(level_3)},
        first_member_owner=first_member_owner,
        everyone=everyone,
    )


def cursor_of(value: Any) -> str:
    """A cursor in the API's own format: base64 of a one-element JSON list."""
    return base64.urlsafe_b64encode(json.dumps([value]).encode()).decode()


@dataclass
class Page:
    ids: list[str]
    cursors: list[str]
    total: int
    page_info: dict[str, Any]
    level_counts: list[dict[str, int]] | None


def walk(gql: Gql, document: str, field: str, principal: Principal, **variables: Any) -> list[Page]:
    """Follow ``endCursor`` from the first page until ``hasNextPage`` is false."""
    pages: list[Page] = []
    after = None
    while True:
        result = gql(document, {**variables, "after": after}, principal)
        assert "errors" not in result, result
        connection = result["data"][field]
        pages.append(
            Page(
                ids=[edge["node"]["id"] for edge in connection["edges"]],
                cursors=[edge["cursor"] for edge in connection["edges"]],
                total=connection["totalCount"],
                page_info=connection["pageInfo"],
                level_counts=connection.get("levelCounts"),
            )
        )
        if not connection["pageInfo"]["hasNextPage"]:
            return pages
        after = connection["pageInfo"]["endCursor"]
        assert len(pages) < 1000, "pagination does not end"


def assert_walk(pages: list[Page], expected_ids: list[str], first: int) -> None:
    """Every row exactly once, in order; page sizes, totals and pageInfo consistent on every page."""
    walked = [node_id for page in pages for node_id in page.ids]
    assert walked == expected_ids
    assert len(set(walked)) == len(walked)
    assert len(pages) == max(1, math.ceil(len(expected_ids) / first))
    for number, page in enumerate(pages):
        last = number == len(pages) - 1
        assert page.total == len(expected_ids)
        assert len(page.ids) == (len(expected_ids) - first * number if last else first)
        assert page.page_info["hasNextPage"] is not last
        assert page.page_info["hasPreviousPage"] is (number > 0)
        assert page.page_info["startCursor"] == (page.cursors[0] if page.cursors else None)
        assert page.page_info["endCursor"] == (page.cursors[-1] if page.cursors else None)


# --------------------------------------------------------------------------------------------------
# myTeam
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("first", [1, 5, 7, 11, 21, 22, 23, 100])
def test_my_team_pages_return_every_member_once_in_path_order(gql: Gql, team: Team, first: int) -> None:
    expected = [gid(node) for node in team.levels[1]]
    assert len(expected) == 22
    pages = walk(gql, MY_TEAM, "myTeam", team.owner, level=1, first=first)
    assert_walk(pages, expected, first)
    by_path = Distributor.objects.filter(pk__in=[n.pk for n in team.levels[1]]).order_by("path")
    assert expected == [gid(node) for node in by_path]


def test_my_team_statuses_are_members_only(gql: Gql, team: Team) -> None:
    result = gql(MY_TEAM, {"level": 1, "first": 100}, team.owner)
    statuses = [edge["node"]["status"] for edge in result["data"]["myTeam"]["edges"]]
    assert statuses == [status.name for status in LEVEL_1 if status in MEMBERS]


@pytest.mark.parametrize(("level", "first"), [(2, 2), (2, 5), (3, 1), (3, 20)])
def test_my_team_deeper_levels(gql: Gql, team: Team, level: int, first: int) -> None:
    pages = walk(gql, MY_TEAM, "myTeam", team.owner, level=level, first=first)
    assert_walk(pages, [gid(node) for node in team.levels[level]], first)


def test_my_team_default_page_size_is_20(gql: Gql, team: Team) -> None:
    result = gql(MY_TEAM, {"level": 1}, team.owner)["data"]["myTeam"]
    assert [edge["node"]["id"] for edge in result["edges"]] == [gid(node) for node in team.levels[1][:20]]
    assert result["pageInfo"]["hasNextPage"] is True
    assert result["totalCount"] == 22


@pytest.mark.parametrize("level", [4, 62])
def test_my_team_empty_level(gql: Gql, team: Team, level: int) -> None:
    result = gql(MY_TEAM, {"level": level, "first": 10}, team.owner)["data"]["myTeam"]
    assert result["edges"] == []
    assert result["totalCount"] == 0
    assert result["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


def test_my_team_level_counts_count_approved_members_only(gql: Gql, team: Team) -> None:
    """Pending and rejected applicants are not counted; suspended members are."""
    expected = [{"level": 1, "count": 22}, {"level": 2, "count": 5}, {"level": 3, "count": 1}]
    assert expected == [{"level": lv, "count": len(nodes)} for lv, nodes in team.levels.items()]
    for level in (1, 2, 3, 4):
        page = gql(MY_TEAM, {"level": level, "first": 3}, team.owner)["data"]["myTeam"]
        assert page["levelCounts"] == expected, f"levelCounts must not depend on the level asked ({level})"
    # and relative to a member further down: its own invitees are its level 1
    below = gql(MY_TEAM, {"level": 1}, team.first_member_owner)["data"]["myTeam"]
    assert below["levelCounts"] == [{"level": 1, "count": 4}, {"level": 2, "count": 1}]
    assert below["totalCount"] == 4
    team.root.refresh_from_db()
    assert team.root.team_size == 22 + 5 + 1


def test_level_counts_follow_status_changes(gql: Gql, team: Team) -> None:
    pending = Distributor.objects.filter(path__startswith=team.root.path, depth=2, status="pending")
    to_approve, to_reject = list(pending.order_by("path"))
    active = team.levels[1][0]

    def change(mutation: str, node: Distributor) -> None:
        result = gql(f'mutation {{ {mutation}(id: "{gid(node)}") {{ errors {{ code }} }} }}', principal=ADMIN)
        assert result == {"data": {mutation: {"errors": []}}}

    def level_1_count() -> int:
        page = gql(MY_TEAM, {"level": 1}, team.owner)["data"]["myTeam"]
        assert page["totalCount"] == page["levelCounts"][0]["count"]
        return page["totalCount"]

    assert level_1_count() == 22
    change("distributorApprove", to_approve)
    assert level_1_count() == 23
    change("distributorReject", to_reject)
    assert level_1_count() == 23
    change("distributorSuspend", active)
    assert level_1_count() == 23
    change("distributorReactivate", active)
    assert level_1_count() == 23


def test_my_team_keyset_is_stable_when_members_join_between_pages(gql: Gql, team: Team) -> None:
    first_page = gql(MY_TEAM, {"level": 1, "first": 10}, team.owner)["data"]["myTeam"]
    newcomer = make_distributor(team.root)  # joins at the end of the level (path order)
    walked = [edge["node"]["id"] for edge in first_page["edges"]]
    after = first_page["pageInfo"]["endCursor"]
    while after:
        page = gql(MY_TEAM, {"level": 1, "first": 10, "after": after}, team.owner)["data"]["myTeam"]
        walked += [edge["node"]["id"] for edge in page["edges"]]
        assert page["totalCount"] == 23
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert walked == [gid(node) for node in [*team.levels[1], newcomer]]


# --------------------------------------------------------------------------------------------------
# distributors (staff): newest first
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("first", [1, 4, 10, 37, 38, 100])
def test_distributors_pages_return_every_row_once_newest_first(gql: Gql, team: Team, first: int) -> None:
    expected = [gid(node) for node in reversed(team.everyone)]
    assert len(expected) == Distributor.objects.count() == 38
    assert_walk(walk(gql, DISTRIBUTORS, "distributors", ADMIN, first=first), expected, first)


@pytest.mark.parametrize(
    ("filter_", "keep"),
    [
        ({"status": "ACTIVE"}, lambda node: node.status == ACTIVE),
        ({"status": "PENDING"}, lambda node: node.status == PENDING),
        ({"status": "SUSPENDED", "kind": "INDIVIDUAL"}, lambda node: node.status == SUSPENDED),
        ({"kind": "ENTERPRISE"}, lambda node: node.kind == DistributorKind.ENTERPRISE),
    ],
    ids=["active", "pending", "suspended-individual", "enterprise"],
)
def test_distributors_filtered_pages(gql: Gql, team: Team, filter_: dict, keep: Any) -> None:
    expected = [gid(node) for node in reversed(team.everyone) if keep(node)]
    assert expected
    pages = walk(gql, DISTRIBUTORS, "distributors", ADMIN, first=3, filter=filter_)
    assert_walk(pages, expected, 3)


def test_distributors_keyset_is_stable_when_rows_are_added_between_pages(gql: Gql, team: Team) -> None:
    first_page = gql(DISTRIBUTORS, {"first": 15}, ADMIN)["data"]["distributors"]
    make_distributor(team.root)  # newer than every row: lands before page 1, not on a later page
    walked = [edge["node"]["id"] for edge in first_page["edges"]]
    after = first_page["pageInfo"]["endCursor"]
    while after:
        page = gql(DISTRIBUTORS, {"first": 15, "after": after}, ADMIN)["data"]["distributors"]
        walked += [edge["node"]["id"] for edge in page["edges"]]
        assert page["totalCount"] == 39
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert walked == [gid(node) for node in reversed(team.everyone)]


# --------------------------------------------------------------------------------------------------
# Coded errors: page size, cursor, level
# --------------------------------------------------------------------------------------------------

CONNECTIONS = [
    pytest.param(MY_TEAM, "myTeam", "owner", id="myTeam"),
    pytest.param(DISTRIBUTORS, "distributors", "admin", id="distributors"),
]


@pytest.fixture
def owner(db) -> Principal:
    """A distributor with a two-member team: enough for the argument checks below."""
    principal = customer()
    root = make_distributor(principal=principal)
    make_distributor(root)
    make_distributor(root)
    return principal


def caller_of(owner: Principal, who: str) -> Principal:
    return owner if who == "owner" else ADMIN


def assert_invalid(result: dict[str, Any], field: str, argument: str) -> None:
    error = assert_top_level_error(result, "INVALID", [field])
    assert error["extensions"]["exception"]["field"] == argument
    assert error["message"]
    assert result["data"] == {field: None}


@pytest.mark.parametrize("document, field, who", CONNECTIONS)
@pytest.mark.parametrize("first", [0, 101, -1, -100, 2**31 - 1])
def test_first_out_of_range(
    gql: Gql, owner: Principal, document: str, field: str, who: str, first: int
) -> None:
    assert_invalid(gql(document, {"first": first}, caller_of(owner, who)), field, "first")


@pytest.mark.parametrize("document, field, who", CONNECTIONS)
@pytest.mark.parametrize("first", [1, 100])
def test_first_at_the_bounds(
    gql: Gql, owner: Principal, document: str, field: str, who: str, first: int
) -> None:
    result = gql(document, {"first": first}, caller_of(owner, who))
    assert "errors" not in result
    assert len(result["data"][field]["edges"]) == min(first, result["data"][field]["totalCount"])


GARBAGE_CURSORS = {
    "text": "garbage",
    "bad-padding": "abc",
    "symbols": "%%%%",
    "not-json": base64.urlsafe_b64encode(b"not json").decode(),
    "not-utf8": base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
    "object": base64.urlsafe_b64encode(b'{"pk": 1, "path": "0001"}').decode(),
    "two-values": base64.urlsafe_b64encode(b"[1, 2]").decode(),
    "empty-list": base64.urlsafe_b64encode(b"[]").decode(),
    "bool": cursor_of(True),
    "null": cursor_of(None),
    "float": cursor_of(1.5),
    "list": cursor_of([1]),
}


@pytest.mark.parametrize("document, field, who", CONNECTIONS)
@pytest.mark.parametrize("cursor", GARBAGE_CURSORS.values(), ids=GARBAGE_CURSORS.keys())
def test_garbage_cursor(gql: Gql, owner: Principal, document: str, field: str, who: str, cursor: str) -> None:
    assert_invalid(gql(document, {"first": 5, "after": cursor}, caller_of(owner, who)), field, "after")


@pytest.mark.parametrize("source", ["myTeam-cursor", "text-value"])
def test_distributors_cursor_of_the_wrong_type(gql: Gql, owner: Principal, source: str) -> None:
    if source == "myTeam-cursor":  # a client reusing a cursor of the other connection
        team_page = gql(MY_TEAM, {"first": 1}, owner)["data"]["myTeam"]
        cursor = team_page["pageInfo"]["endCursor"]
    else:
        cursor = cursor_of("abc")
    assert_invalid(gql(DISTRIBUTORS, {"first": 5, "after": cursor}, ADMIN), "distributors", "after")


@pytest.mark.parametrize("document, field, who", CONNECTIONS)
@pytest.mark.parametrize("raw", [b'{"pk": 1}', b'"7"'], ids=["one-key-object", "one-char-string"])
def test_cursor_that_is_not_a_list(
    gql: Gql, owner: Principal, document: str, field: str, who: str, raw: bytes
) -> None:
    cursor = base64.urlsafe_b64encode(raw).decode()
    assert_invalid(gql(document, {"first": 5, "after": cursor}, caller_of(owner, who)), field, "after")


@pytest.mark.parametrize("value", [5, "\x00"], ids=["int", "nul"])
def test_my_team_cursor_of_the_wrong_type(gql: Gql, owner: Principal, value: Any) -> None:
    assert_invalid(gql(MY_TEAM, {"first": 5, "after": cursor_of(value)}, owner), "myTeam", "after")


@pytest.mark.parametrize("level", [0, -1, 63, 1000])
def test_level_out_of_range(gql: Gql, owner: Principal, level: int) -> None:
    assert_invalid(gql(MY_TEAM, {"level": level}, owner), "myTeam", "level")


def test_search_too_long(gql: Gql, owner: Principal) -> None:
    result = gql(DISTRIBUTORS, {"filter": {"search": "x" * 101}}, ADMIN)
    assert_invalid(result, "distributors", "search")
    assert "errors" not in gql(DISTRIBUTORS, {"filter": {"search": "x" * 100}}, ADMIN)
