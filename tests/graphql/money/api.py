"""What the money API's tests share: the roles' tables, the request helpers that check a refused request
changed nothing, and the query documents more than one file sends."""

from __future__ import annotations

from typing import Any

import pytest
from graphql_relay import from_global_id, to_global_id

from ..conftest import assert_top_level_error
from ..conftest_commissions import (
    ROLES,
    money_snapshot,
)

DENIED = "PermissionDenied"

NOT_A_DISTRIBUTOR = "NOT_FOUND"  # the my* queries of a caller without a profile, as myTeam

ALLOWED = "ALLOWED"


def cells(table: dict[str, Any]) -> list[Any]:
    assert tuple(table) == ROLES, f"spell out every role, in order: {ROLES}"
    return [pytest.param(role, expected, id=role) for role, expected in table.items()]


def target_cells(tables: dict[str, dict[str, Any]]) -> list[Any]:
    return [
        pytest.param(target, role, expected, id=f"{target}-{role}")
        for target, table in tables.items()
        for role, expected in (p.values for p in cells(table))
    ]


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


def pks(edges: list[dict[str, Any]], type_name: str) -> list[int]:
    result = []
    for edge in edges:
        found_type, pk = from_global_id(edge["node"]["id"])
        assert found_type == type_name
        result.append(int(pk))
    return result


def assert_refused(result: dict[str, Any], code: str, field: str, before: list) -> dict[str, Any]:
    """A top-level error with ``code`` on ``field``, the field null, and nothing changed."""
    error = assert_top_level_error(result, code, [field])
    assert result["data"] is None or result["data"][field] is None
    assert money_snapshot() == before, "a refused request changed the database"
    return error


def assert_mutation_error(
    result: dict[str, Any], mutation: str, code: str, field: str | None, before: list
) -> dict[str, Any]:
    """Exactly one coded error in the mutation's ``errors`` list, no object back, nothing changed."""
    assert "errors" not in result, result
    payload = result["data"][mutation]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], payload
    assert payload["errors"][0]["message"]
    for name, value in payload.items():
        if name != "errors":
            assert value is None, f"{mutation}.{name} of a refused mutation: {value}"
    assert money_snapshot() == before, "a refused mutation changed the database"
    return payload["errors"][0]


def ok(result: dict[str, Any], field: str) -> Any:
    assert "errors" not in result, result
    payload = result["data"][field]
    if isinstance(payload, dict) and "errors" in payload:
        assert payload["errors"] == [], payload
    return payload


def money(amount: str, currency: str = "CNY") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


MY_TABLE = {
    "anonymous": DENIED,
    "customer": NOT_A_DISTRIBUTOR,
    "distributor_a": "A",
    "distributor_b": "B",
    "staff_without": NOT_A_DISTRIBUTOR,
    "staff_with": NOT_A_DISTRIBUTOR,
}

STAFF_TABLE = {
    "anonymous": DENIED,
    "customer": DENIED,
    "distributor_a": DENIED,
    "distributor_b": DENIED,
    "staff_without": DENIED,
    "staff_with": ALLOWED,
}

BALANCES = {
    # A: 10.00 settled - 4.00 - 1.00 withdrawing; 6.00 frozen (level 2 of A1's sale); 5.00 placed
    "A": {"available": "5.00", "frozen": "6.00", "pending": "5.00", "withdrawing": "5.00"},
    # B: 30.00 settled - 5.00 withdrawing; 3.00 frozen (level 2 of B1's sale)
    "B": {"available": "25.00", "frozen": "3.00", "pending": "0.00", "withdrawing": "5.00"},
}

MY_COMMISSIONS = """
query($status: CommissionStatus, $first: Int, $after: String) {
  myCommissions(status: $status, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id orderId level status amount { amount currency } distributor { id } } }
  }
}"""

MY_WITHDRAWALS = """
query($first: Int, $after: String) {
  myWithdrawals(first: $first, after: $after) {
    totalCount
    edges { node { id status amount { amount currency } packageInfo distributor { id } } }
  }
}"""

MY_ORDERS = """
query($first: Int, $after: String) {
  myAttributedOrders(first: $first, after: $after) {
    totalCount
    edges { node { id orderId source code netTotal { amount currency } distributor { id } } }
  }
}"""

NODE = """query($id: ID!) { node(id: $id) { id } }"""

REASSIGN = """
mutation($orderId: ID!, $distributorId: ID, $reason: String!) {
  orderAttributionReassign(orderId: $orderId, distributorId: $distributorId, reason: $reason) {
    orderAttribution { id orderId source code distributor { id } }
    errors { field code message }
  }
}"""

MY_BALANCE = """
query($channel: String!) {
  myBalance(channel: $channel) {
    currency
    available { amount currency }
    frozen { amount currency }
    pending { amount currency }
    withdrawing { amount currency }
  }
}"""

REQUEST = """
mutation($channel: String!, $amount: String!, $currency: String) {
  withdrawalRequest(channel: $channel, amount: $amount, currency: $currency) {
    withdrawal { id status amount { amount currency } distributor { id } }
    errors { field code message }
  }
}"""
