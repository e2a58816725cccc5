"""Auditors' CSV exports: the network with parents, the ledger; staff with MANAGE_ORDERS only."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.sandbox.tokens import issue_token
from saleor_wechat_distribution.services.ledger import ledger_append
from saleor_wechat_distribution.testing.factories import customer, make_distributor, staff

pytestmark = pytest.mark.django_db


def export(kind: str, principal=None) -> tuple[int, list[dict[str, str]]]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(principal)}"} if principal else {}
    response = Client().get(f"/export/{kind}.csv", **headers)
    if response.status_code != 200:
        return response.status_code, []
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return 200, list(csv.DictReader(io.StringIO(text)))


def test_network_export_has_every_node_with_its_parent(chain):
    e, a, b = chain
    make_distributor(b, name='=HYPERLINK("http://evil")')
    status, rows = export("network", staff(Permission.MANAGE_ORDERS))
    assert status == 200
    by_code = {r["referral_code"]: r for r in rows}
    assert by_code[a.referral_code]["parent_referral_code"] == e.referral_code
    assert by_code[b.referral_code]["parent_id"] == str(a.pk)
    assert by_code[e.referral_code]["parent_id"] == ""
    assert any(r["display_name"].startswith("'=HYPERLINK") for r in rows)  # no formula runs in Excel


def test_ledger_export_sums_to_the_balances(chain):
    _, _, b = chain
    ledger_append(distributor_id=b.pk, currency="CNY", amount=Decimal("12.30"), kind="adjustment", key="k1")
    ledger_append(distributor_id=b.pk, currency="CNY", amount=Decimal("-2.30"), kind="clawback", key="k2")
    status, rows = export("ledger", staff(Permission.MANAGE_ORDERS))
    assert status == 200
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("10.00")
    assert {r["idempotency_key"] for r in rows} == {"k1", "k2"}


@pytest.mark.parametrize(
    ("principal", "status"),
    [(None, 401), (customer(), 403), (staff(Permission.MANAGE_USERS), 403)],
)
def test_export_needs_manage_orders(chain, principal, status):
    assert export("ledger", principal)[0] == status
    assert export("network", principal)[0] == status


def test_unknown_export_is_404():
    assert export("passwords", staff(Permission.MANAGE_ORDERS))[0] == 404
