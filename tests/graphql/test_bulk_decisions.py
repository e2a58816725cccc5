"""distributorBulkApprove / distributorBulkReject: the console's bulk decisions on the applications queue.

The input is refused whole (nothing changes) when it is malformed; otherwise each applicant is decided on
its own, through the same service as the single mutations, and the results say what happened to each.
"""

from __future__ import annotations

import pytest
from graphql_relay import to_global_id

from saleor_wechat_distribution.domain.distributors import DistributorStatus
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.graphql.mutations.bulk_status_changes import MAX_BULK
from saleor_wechat_distribution.models import Distributor, DistributorEvent
from saleor_wechat_distribution.testing.factories import make_distributor, staff

from .conftest import Gql, gid, snapshot

pytestmark = pytest.mark.django_db

STAFF = staff(Permission.MANAGE_USERS)
APPROVE = """
mutation($ids: [ID!]!) { distributorBulkApprove(ids: $ids) {
  count results { id distributor { id status } errors { field code message } }
  errors { field code message } } }
"""
REJECT = """
mutation($ids: [ID!]!, $reason: String!) { distributorBulkReject(ids: $ids, reason: $reason) {
  count results { id distributor { id status } errors { field code message } }
  errors { field code message } } }
"""


@pytest.fixture
def queue() -> dict[str, Distributor]:
    """A root with three pending applicants under it, and one that is already active."""
    root = make_distributor(name="Root")
    nodes = {name: make_distributor(root, status=DistributorStatus.PENDING, name=name) for name in "PQR"}
    nodes["active"] = make_distributor(root, name="Already active")
    nodes["root"] = root
    return nodes


def test_bulk_approve_decides_each_and_counts_the_team(gql: Gql, queue):
    ids = [gid(queue[name]) for name in "PQR"]
    result = gql(APPROVE, {"ids": ids}, STAFF)["data"]["distributorBulkApprove"]
    assert result["errors"] == [] and result["count"] == 3
    assert [r["id"] for r in result["results"]] == ids
    assert all(r["distributor"]["status"] == "ACTIVE" and r["errors"] == [] for r in result["results"])
    assert Distributor.objects.get(pk=queue["root"].pk).team_size == 4
    approved = DistributorEvent.objects.filter(type="approved", distributor__display_name__in=list("PQR"))
    assert {e.actor for e in approved} == {STAFF.actor_label}


def test_one_that_cannot_change_does_not_stop_the_others(gql: Gql, queue):
    missing = to_global_id("Distributor", 10**9)
    ids = [gid(queue["P"]), gid(queue["active"]), missing, gid(queue["Q"]), gid(queue["P"])]
    result = gql(APPROVE, {"ids": ids}, STAFF)["data"]["distributorBulkApprove"]
    assert result["count"] == 2
    by_id = {r["id"]: r for r in result["results"]}
    assert [r["id"] for r in result["results"]] == ids[:4], "in the given order, a repeated id once"
    assert by_id[gid(queue["active"])]["errors"][0]["code"] == "INVALID_STATUS"
    assert by_id[gid(queue["active"])]["distributor"] is None
    not_found = {"field": "ids", "code": "NOT_FOUND", "message": "No such distributor."}
    assert by_id[missing]["errors"] == [not_found]
    assert Distributor.objects.get(pk=queue["Q"].pk).status == "active"
    assert Distributor.objects.get(pk=queue["R"].pk).status == "pending"


def test_bulk_reject_records_the_reason_on_each(gql: Gql, queue):
    ids = [gid(queue["P"]), gid(queue["R"])]
    variables = {"ids": ids, "reason": "  Duplicate accounts "}
    result = gql(REJECT, variables, STAFF)["data"]["distributorBulkReject"]
    assert result["count"] == 2 and result["errors"] == []
    for name in "PR":
        node = Distributor.objects.get(pk=queue[name].pk)
        assert node.status == "rejected"
        event = node.events.order_by("-pk").first()
        assert (event.type, event.data) == ("rejected", {"reason": "Duplicate accounts"})
    assert Distributor.objects.get(pk=queue["Q"].pk).status == "pending"


@pytest.mark.parametrize(
    ("document", "variables", "field", "code"),
    [
        (APPROVE, {"ids": []}, "ids", "REQUIRED"),
        (APPROVE, {"ids": ["not-an-id"]}, "ids", "INVALID"),
        (APPROVE, {"ids": [to_global_id("Storefront", 1)]}, "ids", "INVALID"),
        (REJECT, {"reason": "   "}, "reason", "REQUIRED"),
        (REJECT, {"reason": "x" * 501}, "reason", "TOO_LONG"),
    ],
    ids=["empty", "malformed", "other-type", "blank-reason", "long-reason"],
)
def test_a_bad_input_changes_nothing(gql: Gql, queue, document, variables, field, code):
    variables = {"ids": [gid(queue["P"])], **variables}
    if variables["ids"] and variables["ids"][0] in ("not-an-id", to_global_id("Storefront", 1)):
        variables["ids"] = [gid(queue["Q"]), *variables["ids"]]  # a good id first: it must not change either
    before = snapshot()
    result = gql(document, variables, STAFF)["data"]
    payload = next(iter(result.values()))
    assert payload["count"] == 0 and payload["results"] == []
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert snapshot() == before


def test_at_most_a_page_at_once(gql: Gql, queue):
    before = snapshot()
    ids = [gid(queue["P"])] * (MAX_BULK + 1)
    payload = gql(APPROVE, {"ids": ids}, STAFF)["data"]["distributorBulkApprove"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("ids", "INVALID")]
    assert str(MAX_BULK) in payload["errors"][0]["message"]
    assert snapshot() == before


def test_item_errors_are_translated(gql: Gql, queue):
    result = gql(APPROVE, {"ids": [gid(queue["active"])]}, STAFF, HTTP_ACCEPT_LANGUAGE="zh-hans")
    message = result["data"]["distributorBulkApprove"]["results"][0]["errors"][0]["message"]
    assert any("\u4e00" <= c <= "\u9fff" for c in message), message
