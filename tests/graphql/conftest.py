"""HTTP-level fixtures for the GraphQL API: a ``gql`` client helper and a small ``world`` to query.

Every request goes through Django's test ``Client`` to the sandbox's ``/graphql/`` view, authenticated
with ``Authorization: Bearer <issue_token(principal)>`` exactly as a real caller would be.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from graphql_relay import to_global_id

from saleor_wechat_distribution.domain.distributors import DistributorKind, DistributorStatus
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import Distributor, DistributorEvent
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.sandbox.tokens import issue_token
from saleor_wechat_distribution.testing.factories import customer, make_distributor, staff

GRAPHQL_URL = "/graphql/"

#: The six callers every operation is checked against (tests/graphql/test_access_matrix.py).
CALLERS = ("anonymous", "customer", "distributor_a", "distributor_b", "staff_orders", "staff_users")

Gql = Callable[..., dict[str, Any]]


def auth_headers(principal: Principal | None) -> dict[str, str]:
    return {} if principal is None else {"HTTP_AUTHORIZATION": f"Bearer {issue_token(principal)}"}


@pytest.fixture
def gql(client) -> Gql:
    """POST one GraphQL document; returns the parsed JSON body (asserting the HTTP status)."""

    def run(
        query: str,
        variables: dict[str, Any] | None = None,
        principal: Principal | None = None,
        *,
        status: int = 200,
        **extra: Any,
    ) -> dict[str, Any]:
        body = {"query": query, "variables": variables or {}}
        response = client.post(
            GRAPHQL_URL,
            data=json.dumps(body),
            content_type="application/json",
            **auth_headers(principal),
            **extra,
        )
        assert response.status_code == status, response.content
        return response.json()

    return run


def gid(node: Distributor | int) -> str:
    return to_global_id("Distributor", node if isinstance(node, int) else node.pk)


def snapshot() -> list[tuple]:
    """Everything a refused request must leave untouched: every row's place, status and counters, and
    the audit trail."""
    rows = Distributor.objects.order_by("pk").values_list(
        "pk", "path", "depth", "numchild", "status", "kind", "team_size", "display_name", "inviter_id"
    )
    events = DistributorEvent.objects.order_by("pk").values_list("pk", "distributor_id", "type")
    return [*rows, ("events", *events)]


def error_codes(result: dict[str, Any]) -> list[tuple[str, list | None]]:
    """(extensions.exception.code, path) of each top-level error."""
    return [(e["extensions"]["exception"]["code"], e.get("path")) for e in result.get("errors", [])]


def assert_top_level_error(result: dict[str, Any], code: str, path: list | None = None) -> dict[str, Any]:
    errors = [e for e in result.get("errors", []) if e["extensions"]["exception"]["code"] == code]
    assert errors, f"expected a {code} error, got {result}"
    if path is not None:
        assert [e.get("path") for e in errors] == [path], result
    return errors[0]


@dataclass
class World:
    """A small network: A (enterprise root) with a team three levels deep, and B (another root).

    A ─┬─ A1 (enterprise) ── A11 ── A111
       ├─ A2 (individual)
       ├─ AS (suspended)
       └─ AP (pending applicant)
    B ──── B1
    """

    nodes: dict[str, Distributor]
    principals: dict[str, Principal]
    callers: dict[str, Principal | None] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Distributor:
        return self.nodes[name]

    def fresh(self, name: str) -> Distributor:
        return Distributor.objects.get(pk=self.nodes[name].pk)

    def gid(self, name: str) -> str:
        return gid(self.nodes[name])

    def name_of(self, pk: int) -> str:
        return next(name for name, node in self.nodes.items() if node.pk == pk)

    def caller(self, name: str) -> Principal | None:
        return self.callers[name]


@pytest.fixture
def world(db) -> World:
    nodes: dict[str, Distributor] = {}
    principals: dict[str, Principal] = {}

    def add(name: str, parent: str | None, **kwargs: Any) -> None:
        principals[name] = customer()
        nodes[name] = make_distributor(
            nodes[parent] if parent else None, principal=principals[name], name=f"Node {name}", **kwargs
        )

    add("A", None, kind=DistributorKind.ENTERPRISE)
    add("A1", "A", kind=DistributorKind.ENTERPRISE)
    add("A11", "A1")
    add("A111", "A11")
    add("A2", "A")
    add("AS", "A", status=DistributorStatus.SUSPENDED)
    add("AP", "A", status=DistributorStatus.PENDING)
    add("B", None)
    add("B1", "B")
    for node in nodes.values():
        node.refresh_from_db()
    callers: dict[str, Principal | None] = {
        "anonymous": None,
        "customer": customer(),
        "distributor_a": principals["A"],
        "distributor_b": principals["B"],
        "staff_orders": staff(Permission.MANAGE_ORDERS),
        "staff_users": staff(Permission.MANAGE_USERS),
    }
    assert tuple(callers) == CALLERS
    return World(nodes=nodes, principals=principals, callers=callers)
