"""GraphQL: distributorImport (a Celery job) with distributorImportJob, and the dispute operations."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from graphql_relay import to_global_id

from saleor_wechat_distribution.models import (
    ChannelProgram,
    CommissionRule,
    Distributor,
    DistributorImportFileChunk,
    DistributorImportJob,
    OrderDispute,
)
from saleor_wechat_distribution.services.commissions import order_paid
from saleor_wechat_distribution.testing.orders import line, order

from ..network.conftest import assert_tree_valid, csv_bytes, row
from .conftest import CALLERS, Gql, World, assert_top_level_error, gid, snapshot

pytestmark = pytest.mark.django_db

IMPORT = """
mutation($input: DistributorImportInput!) { distributorImport(input: $input) {
  job { id status dryRun } errors { field code message } } }
"""
JOB = """
query($id: ID!) { distributorImportJob(id: $id) { status phase rowsDone fileName
  totals { rows ok errors create unchanged } fileError { code message detail }
  errorRows(first: 10) { totalCount
    edges { node { line externalId errors { code field message otherLine } } } } } }
"""
OPEN = """
mutation($input: OrderDisputeOpenInput!) { orderDisputeOpen(input: $input) {
  dispute { id orderId status reason } errors { field code message } } }
"""
RESOLVE = """
mutation($id: ID!, $input: OrderDisputeResolveInput!) { orderDisputeResolve(id: $id, input: $input) {
  dispute { id status refundId events { type actor note } } errors { field code message } } }
"""
ONE_ORDER = """
query($orderId: ID!) {
  disputes(first: 1, filter: {orderId: $orderId}) { edges { node { orderId } } }
  commissions(first: 1, filter: {orderId: $orderId}) { edges { node { orderId } } } }
"""
DISPUTES = """
query($filter: OrderDisputeFilterInput) { disputes(first: 10, filter: $filter) { totalCount
  edges { node { orderId status } } } }
"""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def upload(gql: Gql, world: World, data: bytes, *, dry_run: bool, name: str = "network.csv", **extra):
    variables = {"input": {"fileName": name, "content": b64(data), "dryRun": dry_run, **extra}}
    return gql(IMPORT, variables, world.caller("staff_users"))["data"]["distributorImport"]


def test_import_job_dry_run_then_real_run_with_progress_and_report(
    world: World, gql: Gql, django_capture_on_commit_callbacks
):
    data = csv_bytes([row("GQ1", world["A"].referral_code), row("GQ2", "GQ1")])
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        result = upload(gql, world, data, dry_run=True)
    assert result["errors"] == [] and result["job"]["dryRun"] is True
    job = gql(JOB, {"id": result["job"]["id"]}, world.caller("staff_users"))["data"]["distributorImportJob"]
    assert job["status"] == "SUCCEEDED" and job["phase"] == "done" and job["rowsDone"] == 2
    assert job["totals"] == {"rows": 2, "ok": 2, "errors": 0, "create": 2, "unchanged": 0}
    assert snapshot() == before
    with django_capture_on_commit_callbacks(execute=True):
        result = upload(gql, world, data, dry_run=False)
    job = gql(JOB, {"id": result["job"]["id"]}, world.caller("staff_users"))["data"]["distributorImportJob"]
    assert job["status"] == "SUCCEEDED", job
    assert (
        Distributor.objects.get(external_id="GQ2").parent_path
        == Distributor.objects.get(external_id="GQ1").path
    )
    assert world.fresh("A").team_size == world["A"].team_size + 2
    assert_tree_valid()
    assert not DistributorImportFileChunk.objects.exists()  # the stored file is gone once the job ran


def test_import_job_reports_row_errors_translated_and_writes_nothing(
    world: World, gql: Gql, django_capture_on_commit_callbacks
):
    data = csv_bytes([row("Z1", "Z2"), row("Z2", "Z1"), row("Z3", "Z3")])
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        result = upload(gql, world, data, dry_run=False)
    job = gql(JOB, {"id": result["job"]["id"]}, world.caller("staff_users"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    job = job["data"]["distributorImportJob"]
    assert job["status"] == "FAILED" and job["totals"]["errors"] == 3
    rows = [edge["node"] for edge in job["errorRows"]["edges"]]
    assert [(r["line"], r["errors"][0]["code"]) for r in rows] == [
        (2, "CYCLE"), (3, "CYCLE"), (4, "SELF_PARENT"),
    ]  # fmt: skip
    assert rows[2]["errors"][0]["message"] == "分销商不能是自己的上级。"
    assert job["errorRows"]["totalCount"] == 3
    assert snapshot() == before
    with django_capture_on_commit_callbacks(execute=True):
        result = upload(gql, world, "\ufeffx,y\n1,2\n".encode(), dry_run=True)
    job = gql(JOB, {"id": result["job"]["id"]}, world.caller("staff_users"))["data"]["distributorImportJob"]
    assert job["fileError"]["code"] == "MISSING_COLUMNS" and "external_id" in job["fileError"]["detail"]


def test_import_input_errors_are_coded(world: World, gql: Gql):
    staff = world.caller("staff_users")
    bad = gql(IMPORT, {"input": {"fileName": "a.csv", "content": "%%%"}}, staff)["data"]["distributorImport"]
    assert bad["errors"][0]["code"] == "INVALID" and bad["errors"][0]["field"] == "content"
    bad = gql(IMPORT, {"input": {"fileName": "a.pdf", "content": b64(b"x")}}, staff)["data"][
        "distributorImport"
    ]
    assert bad["errors"][0]["code"] == "UNREADABLE_FILE"
    bad = gql(IMPORT, {"input": {"fileName": "a.csv", "content": b64(b"x"), "underId": "nope"}}, staff)
    assert bad["data"]["distributorImport"]["errors"][0]["field"] == "underId"
    assert DistributorImportJob.objects.count() == 0
    bad = gql(JOB, {"id": "bad"}, staff)
    assert_top_level_error(bad, "INVALID", ["distributorImportJob"])


@pytest.mark.parametrize("caller", [c for c in CALLERS if c != "staff_users"])
def test_import_requires_manage_users(world: World, gql: Gql, caller: str):
    variables = {"input": {"fileName": "a.csv", "content": b64(b"x")}}
    assert_top_level_error(
        gql(IMPORT, variables, world.caller(caller)), "PermissionDenied", ["distributorImport"]
    )
    job = gql(JOB, {"id": to_global_id("DistributorImportJob", 1)}, world.caller(caller))
    assert_top_level_error(job, "PermissionDenied", ["distributorImportJob"])
    assert DistributorImportJob.objects.count() == 0


@pytest.fixture
def disputed_order(world: World):
    ChannelProgram.objects.create(
        channel="default-channel", currency="CNY", commission_depth=2, freeze_days=7
    )
    CommissionRule.objects.create(channel="default-channel", level=1, rate=Decimal("10"))
    o = order(line("100.00"), ref=world["A2"].referral_code)
    order_paid(order=o)
    return o


def test_dispute_open_list_and_resolve(world: World, gql: Gql, disputed_order):
    staff = world.caller("staff_orders")
    opened = gql(OPEN, {"input": {"orderId": disputed_order.order_id, "reason": "买家投诉"}}, staff)
    dispute = opened["data"]["orderDisputeOpen"]["dispute"]
    assert dispute["status"] == "OPEN" and opened["data"]["orderDisputeOpen"]["errors"] == []
    listed = gql(DISPUTES, {"filter": {"status": "OPEN"}}, staff)["data"]["disputes"]
    assert listed["totalCount"] == 1 and listed["edges"][0]["node"]["orderId"] == disputed_order.order_id
    again = gql(OPEN, {"input": {"orderId": disputed_order.order_id, "reason": "x"}}, staff)
    assert again["data"]["orderDisputeOpen"]["errors"][0]["code"] == "ALREADY_OPEN"
    bad = gql(RESOLVE, {"id": dispute["id"], "input": {"resolution": "REVERSE", "amount": "abc"}}, staff)
    assert bad["data"]["orderDisputeResolve"]["errors"][0]["code"] == "AMOUNT_INVALID"
    reverse = {"resolution": "REVERSE", "refundId": "RF-7", "note": "退款"}
    done = gql(RESOLVE, {"id": dispute["id"], "input": reverse}, staff)["data"]["orderDisputeResolve"]
    assert (
        done["errors"] == []
        and done["dispute"]["status"] == "REVERSED"
        and done["dispute"]["refundId"] == "RF-7"
    )
    assert [(e["type"], e["note"]) for e in done["dispute"]["events"]] == [
        ("opened", "买家投诉"),
        ("reversed", "退款"),
    ]
    assert gql(DISPUTES, {"filter": {"status": "OPEN"}}, staff)["data"]["disputes"]["totalCount"] == 0
    by_order = gql(DISPUTES, {"filter": {"orderId": disputed_order.order_id}}, staff)["data"]["disputes"]
    assert [e["node"]["status"] for e in by_order["edges"]] == ["REVERSED"]
    # one variable of type ID serves every orderId (it was String here and ID in commissions)
    both = gql(ONE_ORDER, {"orderId": disputed_order.order_id}, staff)
    assert "errors" not in both, both
    assert both["data"]["disputes"]["edges"][0]["node"]["orderId"] == disputed_order.order_id
    assert both["data"]["commissions"]["edges"][0]["node"]["orderId"] == disputed_order.order_id
    node = "query($id: ID!) { node(id: $id) { ... on OrderDispute { orderId status } } }"
    assert gql(node, {"id": dispute["id"]}, staff)["data"]["node"]["status"] == "REVERSED"
    assert gql(node, {"id": dispute["id"]}, world.caller("staff_users"))["data"]["node"] is None
    assert gql(node, {"id": dispute["id"]}, world.caller("distributor_a"))["data"]["node"] is None
    unknown = gql(OPEN, {"input": {"orderId": "no-such-order", "reason": "x"}}, staff)
    assert unknown["data"]["orderDisputeOpen"]["errors"][0]["code"] == "ORDER_NOT_FOUND"
    wrong_id = gql(RESOLVE, {"id": gid(1), "input": {"resolution": "RELEASE"}}, staff)
    assert wrong_id["data"]["orderDisputeResolve"]["errors"][0]["code"] == "INVALID"


@pytest.mark.parametrize("caller", [c for c in CALLERS if c != "staff_orders"])
def test_disputes_require_manage_orders(world: World, gql: Gql, caller: str, disputed_order):
    principal = world.caller(caller)
    opened = gql(OPEN, {"input": {"orderId": disputed_order.order_id, "reason": "x"}}, principal)
    assert_top_level_error(opened, "PermissionDenied", ["orderDisputeOpen"])
    assert_top_level_error(gql(DISPUTES, {}, principal), "PermissionDenied", ["disputes"])
    assert OrderDispute.objects.count() == 0


UPLOAD = """
mutation($input: DistributorImportInput!) { distributorImport(input: $input) {
  job { id status dryRun channel } errors { field code message } } }
"""


def multipart(client, principal, data: bytes, *, dry_run: bool = False, file_map=None, **extra):
    """A GraphQL multipart request (operations, map, the file part), as Apollo's upload clients send it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import GRAPHQL_URL, auth_headers

    operations = {
        "query": UPLOAD,
        "variables": {"input": {"fileName": "network.csv", "file": None, "dryRun": dry_run, **extra}},
    }
    return client.post(
        GRAPHQL_URL,
        data={
            "operations": json.dumps(operations),
            "map": json.dumps(file_map or {"0": ["variables.input.file"]}),
            "0": SimpleUploadedFile("network.csv", data, content_type="text/csv"),
        },
        **auth_headers(principal),
    )


def test_import_takes_a_multipart_upload_larger_than_a_json_body(
    world: World, gql: Gql, client, django_capture_on_commit_callbacks, settings
):
    rows = [row("MP0", world["A"].referral_code)] + [
        row(f"MP{i}", "MP0", display_name="x" * 60) for i in range(1, 9500)
    ]
    data = csv_bytes(rows)
    assert len(data) > 1 << 20  # more than a JSON request body may carry
    staff = world.caller("staff_users")
    with django_capture_on_commit_callbacks(execute=True):
        response = multipart(client, staff, data, channel="default-channel")
    assert response.status_code == 200, response.content
    result = response.json()["data"]["distributorImport"]
    assert result["errors"] == [] and result["job"]["channel"] == "default-channel"
    job = gql(JOB, {"id": result["job"]["id"]}, staff)["data"]["distributorImportJob"]
    assert job["status"] == "SUCCEEDED" and job["totals"]["create"] == 9500, job
    assert Distributor.objects.filter(external_id__startswith="MP").count() == 9500
    assert not DistributorImportFileChunk.objects.exists()

    # past the configured limit: a coded refusal, nothing stored
    settings.WECHAT_DISTRIBUTION_UPLOAD_MAX_BYTES = 1000
    response = multipart(client, staff, data)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["exception"]["code"] == "FILE_TOO_LARGE"
    response = multipart(client, staff, data[:5000])  # a small body: stopped while streaming it to disk
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["exception"]["code"] == "FILE_TOO_LARGE"
    settings.WECHAT_DISTRIBUTION_UPLOAD_MAX_BYTES = 10 << 20
    settings.WECHAT_DISTRIBUTION_IMPORT_MAX_BYTES = 1000
    bad = multipart(client, staff, data).json()["data"]["distributorImport"]
    assert bad["errors"][0]["code"] == "FILE_TOO_LARGE" and bad["job"] is None
    # a map pointing nowhere is a bad request; a string where the file goes is a coded error
    response = multipart(client, staff, b"x", file_map={"0": ["variables.input.nothing"]})
    assert response.status_code == 400
    bad = gql(UPLOAD, {"input": {"fileName": "a.csv", "file": "not a file"}}, staff)["data"][
        "distributorImport"
    ]
    assert bad["errors"][0]["code"] == "INVALID" and bad["errors"][0]["field"] == "file"
    assert DistributorImportJob.objects.count() == 1


def test_the_job_pages_through_every_error_row(world: World, gql: Gql, django_capture_on_commit_callbacks):
    data = csv_bytes([row(f"BAD{i}", kind="boss") for i in range(250)])
    with django_capture_on_commit_callbacks(execute=True):
        result = upload(gql, world, data, dry_run=True)
    staff = world.caller("staff_users")
    query = """query($id: ID!, $after: String) { distributorImportJob(id: $id) {
      errorRows(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { line externalId errors { code } } } } } }"""
    lines, after = [], None
    while True:
        page = gql(query, {"id": result["job"]["id"], "after": after}, staff)["data"]["distributorImportJob"]
        rows = page["errorRows"]
        assert rows["totalCount"] == 250
        lines += [edge["node"]["line"] for edge in rows["edges"]]
        if not rows["pageInfo"]["hasNextPage"]:
            break
        after = rows["pageInfo"]["endCursor"]
    assert lines == list(range(2, 252))
