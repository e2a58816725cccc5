from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.sandbox.tokens import issue_token
from saleor_wechat_distribution.testing.factories import customer, staff

from .conftest import csv_bytes, row, run, tree_state

pytestmark = pytest.mark.django_db


def _get(client, url, principal=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(principal)}"} if principal else {}
    return client.get(url, **headers)


def test_staff_download_csv_and_xlsx_of_a_subtree_reimports_as_no_op(client):
    assert run(csv_bytes([row("E", kind="enterprise"), row("S", "E"), row("T", "S"), row("X")])).ok
    admin = staff(Permission.MANAGE_USERS)
    response = _get(client, "/export/distributors.csv?under=S", admin)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["external_id"], r["parent_external_id"], r["level"]) for r in rows] == [
        ("S", "E", "2"),
        ("T", "S", "3"),
    ]
    before = tree_state()
    assert run(text.encode()).totals["unchanged"] == 2 and tree_state() == before
    response = _get(client, "/export/distributors.xlsx", admin)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    assert [r[0] for r in sheet.iter_rows(values_only=True)] == ["external_id", "E", "S", "T", "X"]
    assert run(data, fmt="xlsx").totals["unchanged"] == 4 and tree_state() == before


def test_export_download_refuses_without_manage_users_and_bad_input(client):
    assert _get(client, "/export/distributors.csv").status_code == 401
    assert _get(client, "/export/distributors.csv", customer()).status_code == 403
    assert _get(client, "/export/distributors.csv", staff(Permission.MANAGE_ORDERS)).status_code == 403
    admin = staff(Permission.MANAGE_USERS)
    assert _get(client, "/export/distributors.pdf", admin).status_code == 404
    assert _get(client, "/export/distributors.csv?under=nobody", admin).status_code == 404
    assert _get(client, "/export/distributors.csv?under=" + "x" * 65, admin).status_code == 400
    assert client.post("/export/distributors.csv").status_code == 405
