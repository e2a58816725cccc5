"""Export -> import is a no-op: CSV and XLSX, the whole network or a subtree, with online distributors."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from saleor_wechat_distribution.domain.distributors import DistributorKind, DistributorStatus
from saleor_wechat_distribution.models import Distributor, LedgerEntry
from saleor_wechat_distribution.selectors.distributors import distributor_get_by_key
from saleor_wechat_distribution.selectors.network_export import EXPORT_COLUMNS, network_export_rows
from saleor_wechat_distribution.services.ledger import ledger_append
from saleor_wechat_distribution.tabular import write_csv, write_xlsx
from saleor_wechat_distribution.testing.factories import make_distributor

from .conftest import assert_tree_valid, csv_bytes, row, run, tree_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    rows = [
        row("E1", kind="enterprise", display_name="'=华东 (公式样)"),  # a quoted literal, not a formula
        row("S1", "E1", kind="enterprise", phone="+8613800138000", storefront_slug="hz-store"),
        row("P1", "S1", status="suspended"),
        row("P2", "S1", status="pending", display_name="-dash name"),
    ]
    assert run(csv_bytes(rows)).ok
    # distributors who applied online (no external id) under imported ones, and a separate online tree
    p1 = Distributor.objects.get(external_id="S1")
    online = make_distributor(p1, name="online child")
    make_distributor(online, name="online grandchild", status=DistributorStatus.REJECTED)
    make_distributor(kind=DistributorKind.ENTERPRISE, name="online root")
    ledger_append(
        distributor_id=online.pk, currency="CNY", amount=Decimal("12.3"), kind="commission", key="k1"
    )
    return online


def _csv(under=None) -> bytes:
    out = io.StringIO()
    write_csv(out, EXPORT_COLUMNS, network_export_rows(under=under, chunk_size=3))
    return out.getvalue().encode("utf-8")


def _xlsx(under=None) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, EXPORT_COLUMNS, network_export_rows(under=under, chunk_size=3))
    return out.getvalue()


@pytest.mark.parametrize(("export", "fmt"), [(_csv, "csv"), (_xlsx, "xlsx")])
def test_export_reimports_as_a_no_op(network, export, fmt):
    before = tree_state()
    data = export()
    result = run(data, fmt=fmt)
    assert result.ok, result.error_rows[:3] or result.file_error
    assert result.totals["unchanged"] == Distributor.objects.count() == 7
    assert tree_state() == before
    assert_tree_valid()


def test_subtree_export_has_levels_counts_and_balances_and_reimports(network):
    s1 = Distributor.objects.get(external_id="S1")
    data = _csv(under=s1)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["external_id"] for r in rows][:3] == ["S1", "P1", "P2"]
    assert rows[0]["parent_external_id"] == "E1" and rows[0]["level"] == "2"
    assert rows[0]["team_size"] == "2" and rows[0]["direct_children"] == "3"
    online = next(r for r in rows if r["display_name"] == "online child")
    assert online["external_id"] == network.referral_code and online["parent_external_id"] == "S1"
    assert online["available_balance"] == "12.30 CNY"
    assert rows[0]["storefront_slug"] == "hz-store" and rows[0]["phone"] == "'+8613800138000"
    assert LedgerEntry.objects.count() == 1
    before = tree_state()
    result = run(data)
    assert result.ok and result.totals["unchanged"] == 5, result
    assert tree_state() == before


def test_export_command_round_trip(network, tmp_path):
    target = tmp_path / "network.xlsx"
    call_command("wechat_distribution_export", str(target), stdout=io.StringIO())
    before = tree_state()
    call_command("wechat_distribution_import", str(target), stdout=io.StringIO(), stderr=io.StringIO())
    assert tree_state() == before
    assert distributor_get_by_key(key="E1").display_name == "=华东 (公式样)"
