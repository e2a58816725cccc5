"""Who may do what: every operation of the API against the six callers of the ``world`` fixture.

Each table below spells out the outcome of every cell (caller). ``DENIED`` cells must answer with a
top-level ``PermissionDenied`` error and leave the database exactly as it was; allowed cells check the
data they get back or the effect they had.

The network (see conftest.World)::

    A ─┬─ A1 (enterprise) ── A11 ── A111        B ── B1
       ├─ A2 (individual)
       ├─ AS (suspended)
       └─ AP (pending applicant)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from graphql_relay import from_global_id

from saleor_wechat_distribution.models import Distributor, DistributorEvent

from .conftest import CALLERS, Gql, World, assert_top_level_error, gid, snapshot

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Err:
    """A top-level error with this ``extensions.exception.code`` (at ``path``, default: the field)."""

    code: str
    path: tuple[str, ...] | None = None


DENIED = Err("PermissionDenied")
NOT_A_DISTRIBUTOR = Err("NOT_FOUND")
#: the node is not visible to the caller: ``node(id)`` answers null without an error
HIDDEN = "HIDDEN"
#: the field answers null without an error (e.g. ``myDistributor`` of a caller without a profile)
NULL = None


@dataclass(frozen=True)
class EmailOf:
    node: str


def cells(table: dict[str, Any]) -> list[Any]:
    """The parameters of one row of the matrix; every caller must have its cell spelled out."""
    assert tuple(table) == CALLERS, f"spell out every caller, in order: {CALLERS}"
    return [pytest.param(caller, expected, id=caller) for caller, expected in table.items()]


def target_cells(tables: dict[str, dict[str, Any]]) -> list[Any]:
    return [
        pytest.param(target, caller, expected, id=f"{target}-{caller}")
        for target, table in tables.items()
        for caller, expected in (p.values for p in cells(table))
    ]


def assert_refused(result: dict[str, Any], err: Err, field: str, before: list) -> None:
    assert_top_level_error(result, err.code, list(err.path or (field,)))
    if err.path is None or len(err.path) == 1:
        assert result["data"][field] is None
    assert snapshot() == before, "a refused request changed the database"


def names(world: World, edges: list[dict[str, Any]]) -> list[str]:
    """The world's names of the nodes of these edges, in order."""
    pks = []
    for edge in edges:
        type_name, pk = from_global_id(edge["node"]["id"])
        assert type_name == "Distributor"
        pks.append(int(pk))
    return [world.name_of(pk) for pk in pks]


# --------------------------------------------------------------------------------------------------
# myDistributor
# --------------------------------------------------------------------------------------------------

MY_DISTRIBUTOR = """{ myDistributor { id displayName status level } }"""

MY_DISTRIBUTOR_TABLE = {
    "anonymous": DENIED,
    "customer": NULL,
    "distributor_a": "A",
    "distributor_b": "B",
    "staff_orders": NULL,
    "staff_users": NULL,
}


@pytest.mark.parametrize(("caller", "expected"), cells(MY_DISTRIBUTOR_TABLE))
def test_my_distributor(world: World, gql: Gql, caller: str, expected: Any) -> None:
    before = snapshot()
    result = gql(MY_DISTRIBUTOR, principal=world.caller(caller))
    if isinstance(expected, Err):
        assert_refused(result, expected, "myDistributor", before)
        return
    assert "errors" not in result
    node = result["data"]["myDistributor"]
    if expected is NULL:
        assert node is None
    else:
        assert node == {
            "id": world.gid(expected),
            "displayName": f"Node {expected}",
            "status": "ACTIVE",
            "level": 1,
        }


# --------------------------------------------------------------------------------------------------
# myTeam(level, first, after) with levelCounts and totalCount
# --------------------------------------------------------------------------------------------------

MY_TEAM = """
query($level: Int, $first: Int, $after: String) {
  myTeam(level: $level, first: $first, after: $after) {
    totalCount
    levelCounts { level count }
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id displayName } }
  }
}"""


@dataclass(frozen=True)
class Team:
    levels: dict[int, list[str]]  # approved members per level, in path order
    counts: dict[int, int]


MY_TEAM_TABLE = {
    "anonymous": DENIED,
    "customer": NOT_A_DISTRIBUTOR,
    # pending AP is not a member; suspended AS is
    "distributor_a": Team({1: ["A1", "A2", "AS"], 2: ["A11"], 3: ["A111"], 4: []}, {1: 3, 2: 1, 3: 1}),
    "distributor_b": Team({1: ["B1"], 2: []}, {1: 1}),
    "staff_orders": NOT_A_DISTRIBUTOR,
    "staff_users": NOT_A_DISTRIBUTOR,
}


@pytest.mark.parametrize(("caller", "expected"), cells(MY_TEAM_TABLE))
def test_my_team(world: World, gql: Gql, caller: str, expected: Any) -> None:
    principal = world.caller(caller)
    before = snapshot()
    if isinstance(expected, Err):
        assert_refused(gql(MY_TEAM, {"level": 1}, principal), expected, "myTeam", before)
        return
    counts = [{"level": level, "count": n} for level, n in expected.counts.items()]
    for level, members in expected.levels.items():
        result = gql(MY_TEAM, {"level": level, "first": 10}, principal)
        assert "errors" not in result
        team = result["data"]["myTeam"]
        assert names(world, team["edges"]) == members
        assert team["totalCount"] == len(members)
        assert team["levelCounts"] == counts
        assert team["pageInfo"]["hasNextPage"] is False
        if members:  # the second page, through the cursor of the first member
            result = gql(MY_TEAM, {"level": level, "after": team["edges"][0]["cursor"]}, principal)
            assert names(world, result["data"]["myTeam"]["edges"]) == members[1:]


# --------------------------------------------------------------------------------------------------
# distributor(id) and distributors(filter, first, after): staff with MANAGE_USERS only
# --------------------------------------------------------------------------------------------------

DISTRIBUTOR = """
query($id: ID!) { distributor(id: $id) { id displayName email events { type } parent { id } } }"""

ALLOWED = "ALLOWED"
STAFF_ONLY = {
    "anonymous": DENIED,
    "customer": DENIED,
    "distributor_a": DENIED,
    "distributor_b": DENIED,
    "staff_orders": DENIED,
    "staff_users": ALLOWED,
}


@pytest.mark.parametrize(("target", "caller", "expected"), target_cells({"A1": STAFF_ONLY, "B1": STAFF_ONLY}))
def test_distributor_by_id(world: World, gql: Gql, target: str, caller: str, expected: Any) -> None:
    before = snapshot()
    result = gql(DISTRIBUTOR, {"id": world.gid(target)}, world.caller(caller))
    if isinstance(expected, Err):
        assert_refused(result, expected, "distributor", before)
        return
    assert "errors" not in result
    parent = {"A1": "A", "B1": "B"}[target]
    assert result["data"]["distributor"] == {
        "id": world.gid(target),
        "displayName": f"Node {target}",
        "email": world.principals[target].email,
        "events": [{"type": "applied"}, {"type": "approved"}],
        "parent": {"id": world.gid(parent)},
    }


DISTRIBUTORS = """
query($filter: DistributorFilterInput, $first: Int, $after: String) {
  distributors(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id } }
  }
}"""


@pytest.mark.parametrize(("caller", "expected"), cells(STAFF_ONLY))
def test_distributors(world: World, gql: Gql, caller: str, expected: Any) -> None:
    principal = world.caller(caller)
    before = snapshot()
    if isinstance(expected, Err):
        assert_refused(gql(DISTRIBUTORS, {"first": 5}, principal), expected, "distributors", before)
        return
    newest_first = sorted(world.nodes, key=lambda name: -world[name].pk)
    first_page = gql(DISTRIBUTORS, {"first": 5}, principal)["data"]["distributors"]
    assert first_page["totalCount"] == len(world.nodes)
    assert names(world, first_page["edges"]) == newest_first[:5]
    rest = gql(DISTRIBUTORS, {"first": 5, "after": first_page["pageInfo"]["endCursor"]}, principal)
    assert names(world, rest["data"]["distributors"]["edges"]) == newest_first[5:]
    filters = [
        ({"status": "PENDING"}, ["AP"]),
        ({"status": "SUSPENDED"}, ["AS"]),
        ({"kind": "ENTERPRISE"}, ["A1", "A"]),
        ({"search": world["B1"].referral_code.lower()}, ["B1"]),
        ({"search": "node a1"}, ["A111", "A11", "A1"]),
    ]
    for filter_, expected_names in filters:
        page = gql(DISTRIBUTORS, {"filter": filter_}, principal)["data"]["distributors"]
        assert names(world, page["edges"]) == expected_names, filter_
        assert page["totalCount"] == len(expected_names)


# --------------------------------------------------------------------------------------------------
# node(id): a distributor sees itself and its subtree (pending applicants included), never B's nodes
# --------------------------------------------------------------------------------------------------

NODE = """query($id: ID!) { node(id: $id) { id ... on Distributor { displayName } } }"""

NODE_TABLES = {
    "A": {  # A's own root
        "anonymous": HIDDEN,
        "customer": HIDDEN,
        "distributor_a": "A",
        "distributor_b": HIDDEN,
        "staff_orders": HIDDEN,
        "staff_users": "A",
    },
    "A11": {  # inside A's subtree
        "anonymous": HIDDEN,
        "customer": HIDDEN,
        "distributor_a": "A11",
        "distributor_b": HIDDEN,
        "staff_orders": HIDDEN,
        "staff_users": "A11",
    },
    "AP": {  # A's pending applicant
        "anonymous": HIDDEN,
        "customer": HIDDEN,
        "distributor_a": "AP",
        "distributor_b": HIDDEN,
        "staff_orders": HIDDEN,
        "staff_users": "AP",
    },
    "B1": {  # outside A's subtree
        "anonymous": HIDDEN,
        "customer": HIDDEN,
        "distributor_a": HIDDEN,
        "distributor_b": "B1",
        "staff_orders": HIDDEN,
        "staff_users": "B1",
    },
}


@pytest.mark.parametrize(("target", "caller", "expected"), target_cells(NODE_TABLES))
def test_node(world: World, gql: Gql, target: str, caller: str, expected: str) -> None:
    result = gql(NODE, {"id": world.gid(target)}, world.caller(caller))
    assert "errors" not in result
    node = result["data"]["node"]
    if expected == HIDDEN:
        assert node is None
    else:
        assert node == {"id": world.gid(expected), "displayName": f"Node {expected}"}


# --------------------------------------------------------------------------------------------------
# Distributor.parent: visible to staff, and to a distributor only inside its own subtree
# --------------------------------------------------------------------------------------------------

PARENT = """query($id: ID!) { node(id: $id) { ... on Distributor { parent { id displayName } } } }"""

PARENT_TABLES = {
    "A": {  # a root has no parent, for everyone who may see it
        "anonymous": HIDDEN,
        "customer": HIDDEN,
        "distributor_a": NULL,
        "distributor_b": HIDDEN,
        "staff_orders": HIDDEN,
        "staff_users": NULL,
    },
    "A1": {
        "anonymous": HIDDEN,
        "customer": HIDDEN,
        "distributor_a": "A",
        "distributor_b": HIDDEN,
        "staff_orders": HIDDEN,
        "staff_users": "A",
    },
    "A111": {
        "anonymous": HIDDEN,
        "customer": HIDDEN,
        "distributor_a": "A11",
        "distributor_b": HIDDEN,
        "staff_orders": HIDDEN,
        "staff_users": "A11",
    },
    "B1": {
        "anonymous": HIDDEN,
        "customer": HIDDEN,
        "distributor_a": HIDDEN,
        "distributor_b": "B",
        "staff_orders": HIDDEN,
        "staff_users": "B",
    },
}


@pytest.mark.parametrize(("target", "caller", "expected"), target_cells(PARENT_TABLES))
def test_parent(world: World, gql: Gql, target: str, caller: str, expected: Any) -> None:
    result = gql(PARENT, {"id": world.gid(target)}, world.caller(caller))
    assert "errors" not in result
    node = result["data"]["node"]
    if expected == HIDDEN:
        assert node is None
    elif expected is NULL:
        assert node == {"parent": None}
    else:
        assert node == {"parent": {"id": world.gid(expected), "displayName": f"Node {expected}"}}


def test_parent_of_a_member_is_hidden_from_the_member_itself(world: World, gql: Gql) -> None:
    """A1 is inside A's team: its upline A is outside A1's own subtree, so A1 does not see it."""
    a1 = world.principals["A1"]
    own = gql("{ myDistributor { id parent { id } } }", principal=a1)
    assert own == {"data": {"myDistributor": {"id": world.gid("A1"), "parent": None}}}
    below = gql(PARENT, {"id": world.gid("A11")}, a1)
    assert below == {"data": {"node": {"parent": {"id": world.gid("A1"), "displayName": "Node A1"}}}}
    assert gql(NODE, {"id": world.gid("A")}, a1) == {"data": {"node": None}}


def test_parents_of_a_team_page_are_loaded_in_one_batch(
    world: World, gql: Gql, django_assert_num_queries: Any
) -> None:
    """The viewer's profile, the page, the level counts, and one batched lookup of all the parents."""
    with django_assert_num_queries(4):
        result = gql(
            "{ myTeam(level: 1) { edges { node { parent { id } } } } }",
            principal=world.caller("distributor_a"),
        )
    parents = [edge["node"]["parent"] for edge in result["data"]["myTeam"]["edges"]]
    assert parents == [{"id": world.gid("A")}] * 3


# --------------------------------------------------------------------------------------------------
# Distributor.email: the distributor itself and staff with MANAGE_USERS
# --------------------------------------------------------------------------------------------------

EMAIL_OF_NODE = """query($id: ID!) { node(id: $id) { ... on Distributor { email } } }"""
OWN_EMAIL = """{ myDistributor { email } }"""

EMAIL_OF_A1_TABLE = {
    "anonymous": HIDDEN,
    "customer": HIDDEN,
    "distributor_a": NULL,  # A sees its team member A1, but not A1's e-mail
    "distributor_b": HIDDEN,
    "staff_orders": HIDDEN,
    "staff_users": EmailOf("A1"),
}
OWN_EMAIL_TABLE = {
    "anonymous": DENIED,
    "customer": HIDDEN,  # no profile: myDistributor is null
    "distributor_a": EmailOf("A"),
    "distributor_b": EmailOf("B"),
    "staff_orders": HIDDEN,
    "staff_users": HIDDEN,
}


@pytest.mark.parametrize(("caller", "expected"), cells(EMAIL_OF_A1_TABLE))
def test_email_of_a_team_member(world: World, gql: Gql, caller: str, expected: Any) -> None:
    result = gql(EMAIL_OF_NODE, {"id": world.gid("A1")}, world.caller(caller))
    assert "errors" not in result
    node = result["data"]["node"]
    if expected == HIDDEN:
        assert node is None
    elif expected is NULL:
        assert node == {"email": None}
    else:
        assert node == {"email": world.principals[expected.node].email}


@pytest.mark.parametrize(("caller", "expected"), cells(OWN_EMAIL_TABLE))
def test_own_email(world: World, gql: Gql, caller: str, expected: Any) -> None:
    before = snapshot()
    result = gql(OWN_EMAIL, principal=world.caller(caller))
    if isinstance(expected, Err):
        assert_refused(result, expected, "myDistributor", before)
        return
    assert "errors" not in result
    node = result["data"]["myDistributor"]
    if expected == HIDDEN:
        assert node is None
    else:
        assert node == {"email": world.principals[expected.node].email}


# --------------------------------------------------------------------------------------------------
# Distributor.events: MANAGE_USERS only, even for the distributor's own trail
# --------------------------------------------------------------------------------------------------

EVENTS_OF_NODE = """query($id: ID!) { node(id: $id) { id ... on Distributor { events { type actor } } } }"""
OWN_EVENTS = """{ myDistributor { id events { type } } }"""

EVENTS_OF_A1_TABLE = {
    "anonymous": HIDDEN,
    "customer": HIDDEN,
    "distributor_a": Err("PermissionDenied", ("node", "events")),  # A1 visible, its trail not
    "distributor_b": HIDDEN,
    "staff_orders": HIDDEN,
    "staff_users": [{"type": "applied", "actor": "__A1__"}, {"type": "approved", "actor": "system"}],
}
OWN_EVENTS_TABLE = {
    "anonymous": DENIED,
    "customer": HIDDEN,
    "distributor_a": Err("PermissionDenied", ("myDistributor", "events")),
    "distributor_b": Err("PermissionDenied", ("myDistributor", "events")),
    "staff_orders": HIDDEN,
    "staff_users": HIDDEN,
}


@pytest.mark.parametrize(("caller", "expected"), cells(EVENTS_OF_A1_TABLE))
def test_events_of_a_team_member(world: World, gql: Gql, caller: str, expected: Any) -> None:
    before = snapshot()
    result = gql(EVENTS_OF_NODE, {"id": world.gid("A1")}, world.caller(caller))
    if isinstance(expected, Err):
        assert_refused(result, expected, "node", before)
        assert result["data"]["node"] == {"id": world.gid("A1"), "events": None}
        return
    assert "errors" not in result
    node = result["data"]["node"]
    if expected == HIDDEN:
        assert node is None
    else:
        # SYSTEM (user id 0) approved A1 in the factory
        actor = f"user:{world.principals['A1'].user_id}"
        expected_events = [{**e, "actor": actor if e["actor"] == "__A1__" else "staff:0"} for e in expected]
        assert node == {"id": world.gid("A1"), "events": expected_events}


@pytest.mark.parametrize(("caller", "expected"), cells(OWN_EVENTS_TABLE))
def test_own_events(world: World, gql: Gql, caller: str, expected: Any) -> None:
    before = snapshot()
    result = gql(OWN_EVENTS, principal=world.caller(caller))
    if isinstance(expected, Err):
        assert_refused(result, expected, "myDistributor", before)
        if expected.path and len(expected.path) == 2:
            own = {"distributor_a": "A", "distributor_b": "B"}[caller]
            assert result["data"]["myDistributor"] == {"id": world.gid(own), "events": None}
        return
    assert result == {"data": {"myDistributor": None}}


# --------------------------------------------------------------------------------------------------
# distributorApply: any signed-in user without a profile (staff accounts are users too)
# --------------------------------------------------------------------------------------------------

APPLY = """
mutation($input: DistributorApplyInput!) {
  distributorApply(input: $input) {
    distributor { id status level parent { id } }
    errors { field code message }
  }
}"""

CREATED = "CREATED"
ALREADY_APPLIED = "ALREADY_APPLIED"
APPLY_TABLE = {
    "anonymous": DENIED,
    "customer": CREATED,
    "distributor_a": ALREADY_APPLIED,
    "distributor_b": ALREADY_APPLIED,
    "staff_orders": CREATED,
    "staff_users": CREATED,
}


@pytest.mark.parametrize(("caller", "expected"), cells(APPLY_TABLE))
def test_distributor_apply(world: World, gql: Gql, caller: str, expected: Any) -> None:
    principal = world.caller(caller)
    variables = {"input": {"displayName": "Newcomer", "inviterCode": world["A"].referral_code}}
    before = snapshot()
    result = gql(APPLY, variables, principal)
    if isinstance(expected, Err):
        assert_refused(result, expected, "distributorApply", before)
        return
    assert "errors" not in result
    payload = result["data"]["distributorApply"]
    if expected == ALREADY_APPLIED:
        assert payload["distributor"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("ALREADY_APPLIED", None)]
        assert snapshot() == before
        return
    node = Distributor.objects.get(user_id=principal.user_id)
    assert payload["errors"] == []
    # the applicant sees its own node, and (being outside A's subtree as a viewer) not its upline
    parent = {"id": world.gid("A")} if caller == "staff_users" else None
    assert payload["distributor"] == {"id": gid(node), "status": "PENDING", "level": 2, "parent": parent}
    assert node.parent_path == world["A"].path and node.status == "pending"
    assert node.inviter_id == world["A"].pk
    assert list(node.events.values_list("type", flat=True)) == ["applied"]
    assert world.fresh("A").team_size == world["A"].team_size, "pending applicants are not counted"


# --------------------------------------------------------------------------------------------------
# Staff mutations: MANAGE_USERS only. A distributor cannot act even on its own team.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMutation:
    field: str
    document: str
    variables: Callable[[World], dict[str, Any]]
    check: Callable[[World, dict[str, Any]], None]  # the effect, in the one allowed cell


def team_sizes(world: World) -> dict[str, int]:
    return {name: world.fresh(name).team_size for name in world.nodes}


INITIAL_TEAM_SIZES = {"A": 5, "A1": 2, "A11": 1, "A111": 0, "A2": 0, "AS": 0, "AP": 0, "B": 1, "B1": 0}


def last_event(world: World, name: str) -> DistributorEvent:
    return DistributorEvent.objects.filter(distributor=world[name]).latest("pk")


def check_approved(world: World, payload: dict[str, Any]) -> None:
    assert payload["distributor"]["status"] == "ACTIVE"
    node = world.fresh("AP")
    assert node.status == "active" and node.approved_at is not None
    assert team_sizes(world) == {**INITIAL_TEAM_SIZES, "A": 6}
    assert last_event(world, "AP").type == "approved"


def check_rejected(world: World, payload: dict[str, Any]) -> None:
    assert payload["distributor"]["status"] == "REJECTED"
    assert world.fresh("AP").status == "rejected"
    assert team_sizes(world) == INITIAL_TEAM_SIZES
    event = last_event(world, "AP")
    assert (event.type, event.data) == ("rejected", {"reason": "Duplicate account"})


def check_suspended(world: World, payload: dict[str, Any]) -> None:
    assert payload["distributor"]["status"] == "SUSPENDED"
    assert world.fresh("A1").status == "suspended"
    assert team_sizes(world) == INITIAL_TEAM_SIZES, "suspended distributors still count"
    event = last_event(world, "A1")
    assert (event.type, event.data) == ("suspended", {"reason": "Fake orders"})


def check_reactivated(world: World, payload: dict[str, Any]) -> None:
    assert payload["distributor"]["status"] == "ACTIVE"
    assert world.fresh("AS").status == "active"
    assert team_sizes(world) == INITIAL_TEAM_SIZES
    assert last_event(world, "AS").type == "reactivated"


def check_moved(world: World, payload: dict[str, Any]) -> None:
    assert payload["distributor"]["parent"] == {"id": world.gid("A2")}
    node = world.fresh("A111")
    assert node.parent_path == world["A2"].path and node.depth == 3
    assert team_sizes(world) == {**INITIAL_TEAM_SIZES, "A1": 1, "A11": 0, "A2": 1}
    event = last_event(world, "A111")
    assert (event.type, event.data) == (
        "moved",
        {"from_parent_id": world["A11"].pk, "to_parent_id": world["A2"].pk},
    )
    assert Distributor.objects.find_problems() == ([], [], [], [], [])


def _status_document(field: str, with_reason: bool = False) -> str:
    reason_var, reason_arg = (", $reason: String", ", reason: $reason") if with_reason else ("", "")
    return f"""
mutation($id: ID!{reason_var}) {{
  {field}(id: $id{reason_arg}) {{ distributor {{ id status }} errors {{ field code }} }}
}}"""


STAFF_MUTATIONS = [
    StaffMutation(
        "distributorApprove",
        _status_document("distributorApprove"),
        lambda w: {"id": w.gid("AP")},
        check_approved,
    ),
    StaffMutation(
        "distributorReject",
        _status_document("distributorReject", with_reason=True),
        lambda w: {"id": w.gid("AP"), "reason": "  Duplicate account "},
        check_rejected,
    ),
    StaffMutation(
        "distributorSuspend",
        _status_document("distributorSuspend", with_reason=True),
        lambda w: {"id": w.gid("A1"), "reason": "Fake orders"},
        check_suspended,
    ),
    StaffMutation(
        "distributorReactivate",
        _status_document("distributorReactivate"),
        lambda w: {"id": w.gid("AS")},
        check_reactivated,
    ),
    StaffMutation(
        "distributorBulkApprove",
        """
mutation($ids: [ID!]!) {
  distributorBulkApprove(ids: $ids) {
    count results { distributor { id status } errors { code } } errors { field code }
  }
}""",
        lambda w: {"ids": [w.gid("AP")]},
        lambda w, payload: check_approved(w, {"distributor": payload["results"][0]["distributor"]}),
    ),
    StaffMutation(
        "distributorBulkReject",
        """
mutation($ids: [ID!]!, $reason: String!) {
  distributorBulkReject(ids: $ids, reason: $reason) {
    count results { distributor { id status } errors { code } } errors { field code }
  }
}""",
        lambda w: {"ids": [w.gid("AP")], "reason": "  Duplicate account "},
        lambda w, payload: check_rejected(w, {"distributor": payload["results"][0]["distributor"]}),
    ),
    StaffMutation(
        "distributorMove",
        """
mutation($id: ID!, $newParentId: ID) {
  distributorMove(id: $id, newParentId: $newParentId) {
    distributor { id parent { id } } errors { field code }
  }
}""",
        lambda w: {"id": w.gid("A111"), "newParentId": w.gid("A2")},
        check_moved,
    ),
]


@pytest.mark.parametrize(
    ("mutation", "caller", "expected"),
    [
        pytest.param(mutation, caller, expected, id=f"{mutation.field}-{caller}")
        for mutation in STAFF_MUTATIONS
        for caller, expected in (p.values for p in cells(STAFF_ONLY))
    ],
)
def test_staff_mutation(world: World, gql: Gql, mutation: StaffMutation, caller: str, expected: Any) -> None:
    assert team_sizes(world) == INITIAL_TEAM_SIZES
    before = snapshot()
    result = gql(mutation.document, mutation.variables(world), world.caller(caller))
    if isinstance(expected, Err):
        assert_refused(result, expected, mutation.field, before)
        return
    assert "errors" not in result
    payload = result["data"][mutation.field]
    assert payload["errors"] == []
    mutation.check(world, payload)
