from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from saleor_wechat_distribution.models import Distributor

from .conftest import assert_tree_valid, csv_bytes, row

pytestmark = pytest.mark.django_db


def test_command_dry_run_then_import_with_a_row_report(tmp_path):
    source = tmp_path / "network.csv"
    source.write_bytes(csv_bytes([row("C1", "C2"), row("C2", kind="enterprise")]))
    out, err = io.StringIO(), io.StringIO()
    call_command("wechat_distribution_import", str(source), "--dry-run", stdout=out, stderr=err)
    assert "dry run: rows 2" in out.getvalue() and "checking" in err.getvalue()
    assert Distributor.objects.count() == 0
    report = tmp_path / "report.csv"
    call_command("wechat_distribution_import", str(source), "--report", str(report), stdout=out, stderr=err)
    assert Distributor.objects.count() == 2
    assert_tree_valid()
    with report.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["line"], r["outcome"], r["action"]) for r in rows] == [
        ("2", "ok", "create"),
        ("3", "ok", "create"),
    ]


def test_command_refuses_a_file_with_errors(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_bytes(csv_bytes([row("C1", "C1")]))
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("wechat_distribution_import", str(source), stdout=out, stderr=io.StringIO())
    assert "self_parent" in out.getvalue()
    with pytest.raises(CommandError, match="format"):
        call_command("wechat_distribution_import", str(tmp_path / "x.txt"), stderr=io.StringIO())
