"""Network import: hierarchy, idempotency, edits and moves, dry runs, and every kind of bad row."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from saleor_wechat_distribution.models import Distributor, DistributorEvent
from saleor_wechat_distribution.ports import CustomerRequest
from saleor_wechat_distribution.sandbox.customers import sandbox_user_id
from saleor_wechat_distribution.testing.factories import make_distributor

from .conftest import assert_tree_valid, codes_of, csv_bytes, row, run, tree_state

pytestmark = pytest.mark.django_db

NETWORK = [
    row("E1", kind="enterprise", display_name="华东区域经销商"),
    row("S1", "E1", kind="enterprise", display_name="杭州门店"),
    row("P1", "S1", display_name="王芳", phone="138 0013 8000", email=""),
    row("P2", "S1", status="pending"),
    # a parent defined after its child
    row("P3", "P4"),
    row("P4", "E1", status="suspended"),
    row("E2", kind="enterprise", referral_code="LEGACY01", storefront_slug="south-china"),
]


def test_import_builds_the_network_with_valid_paths_and_counters():
    result = run(csv_bytes(NETWORK))
    assert result.ok and result.written, result
    assert result.totals == {
        "rows": 7,
        "skipped": 0,
        "errors": 0,
        "create": 7,
        "update": 0,
        "move": 0,
        "unchanged": 0,
        "ok": 7,
    }
    assert_tree_valid()
    by_key = {d.external_id: d for d in Distributor.objects.all()}
    assert by_key["S1"].parent_path == by_key["E1"].path
    assert by_key["P3"].parent_path == by_key["P4"].path
    assert by_key["E1"].team_size == 4  # S1, P1, P4 (suspended counts), P3; P2 is pending
    assert by_key["P1"].phone == "+8613800138000"
    assert by_key["P1"].user_id == sandbox_user_id(CustomerRequest("", "+8613800138000", ""))
    assert by_key["E2"].referral_code == "LEGACY01" and by_key["E2"].storefront.slug == "south-china"
    assert by_key["P2"].approved_at is None and by_key["P1"].approved_at is not None
    assert DistributorEvent.objects.filter(type="imported").count() == 7


def test_reimporting_the_same_file_changes_nothing():
    data = csv_bytes(NETWORK)
    run(data)
    before = tree_state()
    events = DistributorEvent.objects.count()
    result = run(data)
    assert result.ok and result.totals["unchanged"] == 7, result
    assert tree_state() == before
    assert DistributorEvent.objects.count() == events


def test_an_edited_row_updates_and_moves_that_distributor_with_its_team():
    run(csv_bytes(NETWORK))
    edited = [dict(r) for r in NETWORK]
    edited[3]["display_name"] = "Renamed"  # P2
    edited[5]["parent_external_id"] = "E2"  # P4 (with P3 below it) moves to E2
    result = run(csv_bytes(edited))
    assert result.ok, result
    assert (result.totals["update"], result.totals["move"], result.totals["unchanged"]) == (1, 1, 5)
    assert_tree_valid()
    by_key = {d.external_id: d for d in Distributor.objects.all()}
    assert by_key["P2"].display_name == "Renamed"
    assert by_key["P4"].parent_path == by_key["E2"].path
    assert by_key["P3"].parent_path == by_key["P4"].path
    assert by_key["E2"].team_size == 2 and by_key["E1"].team_size == 2
    # and again: nothing more to do
    assert run(csv_bytes(edited)).totals["unchanged"] == 7


def test_dry_run_writes_nothing_and_reports_every_row():
    seen = []
    result = run(csv_bytes(NETWORK), dry_run=True, on_row=lambda outcome, errors: seen.append(outcome))
    assert result.ok and not result.written
    assert Distributor.objects.count() == 0
    assert [o.action for o in seen] == ["create"] * 7 and [o.line for o in seen] == list(range(2, 9))


def test_bad_rows_are_reported_and_nothing_is_written():
    existing = make_distributor(name="online")
    assert run(csv_bytes([row("Z0", referral_code="TAKEN123")])).ok
    rows = [
        row("A"),
        row("A", display_name="again", email="again@example.com"),  # duplicate external id
        row("B", "NOPE"),  # unknown parent
        row("C", "C"),  # self-parent
        row("D", "E"),  # cycle D -> E -> D
        row("E", "D"),
        row("F", "D"),  # under a row with errors
        row("G", kind="boss"),
        row("H", email="not-an-email"),
        row("I", phone="12345"),
        row("J", referral_code="SAMECODE"),
        row("K", referral_code="SAMECODE"),  # duplicate code in the file
        row("L", referral_code="TAKEN123"),  # another distributor's code
        row("M", email="same@example.com"),
        row("N", email="same@example.com"),  # the same person twice
        row("O", email=existing.email),  # already a distributor
        row("P", display_name='=HYPERLINK("http://x")'),
        row("Q", "A", kind="enterprise"),  # enterprise under an individual
        row("R", email="", phone=""),  # nobody to match
        row("S", "X1"),  # under a pending row
        row("X1", status="pending"),
        {},  # an empty row: skipped
    ]
    before = tree_state()
    result = run(csv_bytes(rows))
    assert not result.ok and not result.written
    assert tree_state() == before
    codes = codes_of(result)
    assert codes == {
        "A": ["duplicate_external_id"],
        "B": ["unknown_parent"],
        "C": ["self_parent"],
        "D": ["cycle"],
        "E": ["cycle"],
        "F": ["parent_invalid"],
        "G": ["invalid_kind"],
        "H": ["invalid_email"],
        "I": ["invalid_phone"],
        "K": ["duplicate_code"],
        "L": ["duplicate_code"],
        "N": ["duplicate_person"],
        "O": ["duplicate_person"],
        "P": ["formula"],
        "Q": ["kind_not_allowed_under_parent"],
        "R": ["contact_required"],
        "S": ["parent_not_approved"],
    }
    assert result.totals["skipped"] == 1 and result.totals["rows"] == 21
    dup = next(r for r in result.error_rows if r["external_id"] == "A")
    assert dup["line"] == 3 and dup["errors"][0]["other_line"] == 2
    # the dry run says the same
    assert codes_of(run(csv_bytes(rows), dry_run=True)) == codes


def test_a_cycle_through_a_distributor_the_file_does_not_list_is_refused():
    run(csv_bytes([row("A"), row("B", "A")]))
    c = make_distributor(Distributor.objects.get(external_id="B"), name="C online")
    # A moves under C, which sits under B under A: a cycle through B, which the file does not list
    result = run(csv_bytes([row("A", c.referral_code)]))
    assert codes_of(result) == {"A": ["cycle"]}
    assert_tree_valid()


def test_rows_attach_under_online_distributors_by_referral_code_and_adopt_them():
    parent = make_distributor(name="online parent")
    online = make_distributor(parent, name="online child")
    rows = [
        row("N1", parent.referral_code),
        # the brand's record of the online child: adopted by its referral code, external id recorded
        row(
            "OLD7",
            parent.referral_code,
            referral_code=online.referral_code,
            display_name=online.display_name,
            email=online.email,
        ),
    ]
    result = run(csv_bytes(rows))
    assert result.ok, result
    assert result.totals["create"] == 1 and result.totals["update"] == 1
    online.refresh_from_db()
    assert online.external_id == "OLD7"
    assert_tree_valid()
    assert Distributor.objects.get(pk=parent.pk).team_size == 2


def test_subtree_import_under_a_distributor_has_one_top_row():
    under = make_distributor(name="region")
    result = run(csv_bytes([row("T1"), row("T2", "T1"), row("T3")]), under_id=under.pk)
    assert codes_of(result) == {"T3": ["two_roots"]}
    result = run(csv_bytes([row("T1"), row("T2", "T1")]), under_id=under.pk)
    assert result.ok, result
    assert Distributor.objects.get(external_id="T1").parent_path == under.path
    assert_tree_valid()


def test_gbk_csv_is_read_and_undecodable_files_are_refused():
    rows = [row("G1", display_name="华南区域经销商", kind="企业", status="正常")]
    result = run(csv_bytes(rows, encoding="gbk"))
    assert result.ok, result
    node = Distributor.objects.get(external_id="G1")
    assert (node.display_name, node.kind) == ("华南区域经销商", "enterprise")
    result = run(csv_bytes(rows, encoding="utf-16"))
    assert result.file_error["code"] == "unknown_encoding"
    result = run(b"external_id,parent_external_id,display_name\n\xff\xfe\x80\x80x,,y\n")
    assert result.file_error["code"] == "unknown_encoding"
    result = run(b"foo,bar\n1,2\n")
    assert result.file_error["code"] == "missing_columns"


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_import_with_numbers_empty_rows_and_formula_cells():
    data = _xlsx(
        [
            ["外部编号", "上级编号", "类型", "名称", "手机", "状态"],
            [1001, None, "企业", "总部", 13800138001, "active"],
            [None, None, None, None, None, None],
            [1002, 1001, "个人", "店员", 13800138002, "active"],
        ]
    )
    result = run(data, fmt="xlsx")
    assert result.ok, result
    assert result.totals["skipped"] == 1
    assert (
        Distributor.objects.get(external_id="1002").parent_path
        == Distributor.objects.get(external_id="1001").path
    )
    bad = _xlsx(
        [
            ["external_id", "parent_external_id", "display_name", "phone"],
            ["X", None, "=1+1", "+8613900000000"],
        ]
    )
    assert codes_of(run(bad, fmt="xlsx")) == {"X": ["formula"]}
    assert run(b"not a zip", fmt="xlsx").file_error["code"] == "unreadable_file"


def test_a_distributor_keeping_its_team_must_stay_approved_and_an_enterprise_stays_above_enterprises():
    run(csv_bytes(NETWORK))
    before = tree_state()
    s1 = dict(NETWORK[1], status="pending")  # S1 keeps P1 and P2, which the file does not list
    e1 = dict(NETWORK[0], kind="individual")  # E1 keeps the enterprise S1 below it
    assert codes_of(run(csv_bytes([s1]))) == {"S1": ["parent_not_approved"]}
    assert codes_of(run(csv_bytes([e1]))) == {"E1": ["kind_not_allowed_under_parent"]}
    assert tree_state() == before
    # moving the team away in the same file makes it possible
    rows = [dict(NETWORK[1], status="rejected"), dict(NETWORK[2], parent_external_id="E1"),
            dict(NETWORK[3], parent_external_id="E1")]  # fmt: skip
    result = run(csv_bytes(rows))
    assert result.ok, result
    assert (result.totals["update"], result.totals["move"]) == (1, 2)
    assert_tree_valid()


def test_moves_and_new_rows_mixed_in_one_file_land_on_the_right_paths():
    run(csv_bytes([row("A", kind="enterprise"), row("B", "A"), row("D", "B")]))
    # N is new and takes A (with B and D) below it; C is new below B, which the file does not list
    # and which moves with A; E is new below D
    rows = [row("N", kind="enterprise"), row("A", "N", kind="enterprise"), row("C", "B"), row("E", "D")]
    result = run(csv_bytes(rows))
    assert result.ok, result
    assert (result.totals["create"], result.totals["move"]) == (3, 1)
    assert_tree_valid()
    by_key = {d.external_id: d for d in Distributor.objects.all()}
    assert by_key["A"].parent_path == by_key["N"].path
    assert by_key["C"].parent_path == by_key["B"].path and by_key["B"].parent_path == by_key["A"].path
    assert by_key["E"].parent_path == by_key["D"].path
    assert by_key["N"].team_size == 5
    assert run(csv_bytes(rows)).totals["unchanged"] == 4


def test_without_a_customer_directory_new_rows_are_refused_clearly(settings):
    settings.WECHAT_DISTRIBUTION_CUSTOMER_DIRECTORY = None
    result = run(csv_bytes([row("NOBODY")]))
    assert result.file_error["code"] == "no_customer" and Distributor.objects.count() == 0


def test_a_job_whose_worker_died_is_taken_again_and_a_live_one_is_not():
    from datetime import timedelta

    from django.utils import timezone

    from saleor_wechat_distribution.models import DistributorImportFileChunk, DistributorImportJob
    from saleor_wechat_distribution.services.network_import.jobs import distributor_import_job_run

    def job(started_ago: timedelta) -> DistributorImportJob:
        created = DistributorImportJob.objects.create(
            file_name="n.csv", file_format="csv", dry_run=False,
            status="running", started_at=timezone.now() - started_ago, actor="staff:1", actor_user_id=1,
        )  # fmt: skip
        DistributorImportFileChunk.objects.create(job=created, seq=0, data=csv_bytes([row("J1")]))
        return created

    assert distributor_import_job_run(job_id=job(timedelta(minutes=5)).pk) == "skipped"
    assert distributor_import_job_run(job_id=job(timedelta(hours=2)).pk) == "succeeded"
    assert Distributor.objects.filter(external_id="J1").count() == 1
