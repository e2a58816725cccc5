"""Inviters, storefronts from the slug column, the depth limit through teams the file does not list, and
every error row kept (job report and command), however many there are."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from saleor_wechat_distribution.models import Distributor, DistributorImportRowError, Storefront
from saleor_wechat_distribution.ports import SYSTEM
from saleor_wechat_distribution.services.network_import.jobs import (
    distributor_import_job_create,
    distributor_import_job_run,
)
from saleor_wechat_distribution.testing.factories import make_distributor

from .conftest import CHANNEL, assert_tree_valid, codes_of, csv_bytes, row, run, tree_state

pytestmark = pytest.mark.django_db


def by_key() -> dict[str, Distributor]:
    return {d.external_id: d for d in Distributor.objects.exclude(external_id=None)}


# --- inviters ----------------------------------------------------------------------------------------


def test_a_new_distributors_inviter_is_its_parent_unless_the_file_names_one():
    online = make_distributor(name="online recruiter")
    rows = [
        row("R1", kind="enterprise"),
        row("R2", "R1"),
        row("R3", "R1", inviter_external_id="R2"),  # recruited by R2, placed under R1
        row("R4", "R1", inviter_external_id=online.referral_code),  # an online distributor's code
    ]
    assert run(csv_bytes(rows)).ok
    nodes = by_key()
    assert nodes["R1"].inviter_id is None  # under the brand: nobody recruited it
    assert nodes["R2"].inviter_id == nodes["R1"].pk
    assert nodes["R3"].inviter_id == nodes["R2"].pk and nodes["R3"].parent_path == nodes["R1"].path
    assert nodes["R4"].inviter_id == online.pk
    before = tree_state()
    assert run(csv_bytes(rows)).totals["unchanged"] == 4 and tree_state() == before
    # an empty cell keeps an existing distributor's inviter; a new one changes it (an update)
    rows[2] = dict(rows[2], inviter_external_id="")
    assert run(csv_bytes(rows)).totals["unchanged"] == 4
    rows[2] = dict(rows[2], inviter_external_id="R4")
    result = run(csv_bytes(rows))
    assert (result.totals["update"], result.totals["unchanged"]) == (1, 3)
    assert by_key()["R3"].inviter_id == nodes["R4"].pk


def test_inviter_errors_are_per_row():
    rows = [row("V1"), row("V2", inviter_external_id="NOBODY"), row("V3", inviter_external_id="V3")]
    assert codes_of(run(csv_bytes(rows))) == {"V2": ["unknown_inviter"], "V3": ["self_inviter"]}
    assert Distributor.objects.count() == 0


# --- storefronts -------------------------------------------------------------------------------------


def test_the_slug_column_creates_and_renames_storefronts_on_the_import_channel():
    rows = [
        row("F1", kind="enterprise", display_name="华东旗舰", storefront_slug="east-flagship"),
        row("F2", "F1"),
    ]
    assert run(csv_bytes(rows)).ok
    store = Storefront.objects.get(distributor__external_id="F1")
    assert (store.slug, store.channel, store.title, store.is_active) == (
        "east-flagship",
        CHANNEL,
        "华东旗舰",
        True,
    )
    assert Storefront.objects.count() == 1
    # renaming an existing storefront needs no channel; the title stays the storefront's own
    rows[0] = dict(rows[0], storefront_slug="east-main", display_name="改名")
    result = run(csv_bytes(rows), channel="")
    assert result.ok and result.totals["update"] == 1, result
    store.refresh_from_db()
    assert (store.slug, store.channel, store.title) == ("east-main", CHANNEL, "华东旗舰")
    # re-importing changes nothing
    assert run(csv_bytes(rows), channel="").totals["unchanged"] == 2


def test_bad_taken_reserved_slugs_and_a_missing_channel_are_row_errors():
    brand = Storefront.objects.create(slug="brand-home", title="Brand", channel=CHANNEL)
    rows = [
        row("G1", storefront_slug="admin"),  # reserved
        row("G2", storefront_slug="x"),  # too short
        row("G3", storefront_slug="brand-home"),  # the brand's storefront has it
        row("G4", storefront_slug="fine-name"),
        row("G5", storefront_slug="fine-name"),  # twice in the file
    ]
    assert codes_of(run(csv_bytes(rows))) == {
        "G1": ["slug_reserved"], "G2": ["invalid_slug"], "G3": ["slug_taken"], "G5": ["duplicate_slug"],
    }  # fmt: skip
    assert codes_of(run(csv_bytes([row("G4", storefront_slug="fine-name")]), channel="")) == {
        "G4": ["channel_required"]
    }
    assert Distributor.objects.count() == 0 and list(Storefront.objects.all()) == [brand]


# --- depth -------------------------------------------------------------------------------------------


def test_a_row_taking_a_deep_team_the_file_does_not_list_too_deep_is_named():
    chain = [row("D0", kind="enterprise")] + [row(f"D{i}", f"D{i - 1}") for i in range(1, 60)]
    team = [row("T0")] + [row(f"T{i}", f"T{i - 1}") for i in range(1, 6)]
    assert run(csv_bytes(chain + team)).ok
    before = tree_state()
    # T0 under D59 sits at level 61; its team (T1..T5, not in this file) would reach level 66
    result = run(csv_bytes([row("T0", "D59")]))
    assert codes_of(result) == {"T0": ["tree_too_deep"]} and result.file_error is None
    assert tree_state() == before
    # new rows past the limit are named too
    deeper = [row(f"N{i}", f"N{i - 1}" if i else "D59") for i in range(6)]
    result = run(csv_bytes(deeper))
    assert codes_of(result) == {f"N{i}": ["tree_too_deep"] for i in (3, 4, 5)}
    # within the limit it moves, with its team
    assert run(csv_bytes([row("T0", "D55")])).ok
    assert Distributor.objects.get(external_id="T5").depth == 62
    assert_tree_valid()


# --- the whole row report ----------------------------------------------------------------------------


def _bad_file(count: int) -> bytes:
    return csv_bytes([row(f"B{i}", kind="boss") for i in range(count)])


def test_a_job_keeps_every_error_row(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = distributor_import_job_create(
            actor=SYSTEM, file_name="bad.csv", content=_bad_file(2500), dry_run=False
        )
    job.refresh_from_db()
    assert job.status == "failed" and job.totals["errors"] == 2500
    lines = list(
        DistributorImportRowError.objects.filter(job=job).order_by("pk").values_list("line", flat=True)
    )
    assert lines == list(range(2, 2502))
    assert DistributorImportRowError.objects.filter(job=job).first().errors[0]["code"] == "invalid_kind"
    # taken again (a worker that died), the report is rebuilt, not doubled
    type(job).objects.filter(pk=job.pk).update(status="queued")
    from saleor_wechat_distribution.models import DistributorImportFileChunk

    DistributorImportFileChunk.objects.create(job=job, seq=0, data=_bad_file(3))
    assert distributor_import_job_run(job_id=job.pk) == "failed"
    assert DistributorImportRowError.objects.filter(job=job).count() == 3


def test_the_command_prints_and_writes_every_error_row(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_bytes(_bad_file(1500))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "wechat_distribution_import", str(source), "--report", str(tmp_path / "r.csv"), stdout=out,
            stderr=io.StringIO(),
        )  # fmt: skip
    assert out.getvalue().count("invalid_kind") == 1500
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").count("invalid_kind") == 1500


def test_new_rows_under_an_online_distributor_listed_by_its_code_land_under_it():
    online = make_distributor(name="online")
    rows = [
        row(online.referral_code, display_name="online", email=online.email),
        row("K1", online.referral_code),
        row("K2", "K1"),
    ]
    result = run(csv_bytes(rows))
    assert result.ok and result.totals["create"] == 2, result
    nodes = by_key()
    assert nodes["K1"].parent_path == online.path and nodes["K1"].inviter_id == online.pk
    assert nodes["K2"].parent_path == nodes["K1"].path and nodes["K2"].inviter_id == nodes["K1"].pk
    assert run(csv_bytes(rows)).totals["unchanged"] == 3
    assert_tree_valid()
