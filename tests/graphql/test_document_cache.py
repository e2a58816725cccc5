"""Documents are parsed and validated once per process (graphql/core/backend.py): the same text runs
again without either, with its own variables and operation each time; invalid ones keep their errors."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from saleor_wechat_distribution.graphql import views
from saleor_wechat_distribution.graphql.core.backend import ValidatedDocuments
from saleor_wechat_distribution.testing.factories import customer, make_distributor

from .conftest import auth_headers

pytestmark = pytest.mark.django_db

TWO = """query Me { myDistributor { displayName } }
query Team($level: Int) { myTeam(level: $level) { totalCount levelCounts { level } } }"""


@pytest.fixture
def fresh(monkeypatch):
    cache = ValidatedDocuments(size=2)
    monkeypatch.setattr(views, "validated", cache)
    return cache


def post(client, principal, query: str, variables: dict | None = None, operation: str | None = None) -> dict:
    body = {"query": query, "variables": variables or {}, "operationName": operation}
    response = client.post(
        "/graphql/", json.dumps(body), content_type="application/json", **auth_headers(principal)
    )
    return response.json()


def test_a_document_validates_once_and_runs_each_time_with_its_own_inputs(client, fresh):
    me = customer()
    root = make_distributor(principal=me, name="Me")
    make_distributor(make_distributor(root), name="grandchild")
    with mock.patch.object(views, "validate", wraps=views.validate) as validated:
        answers = [
            post(client, me, TWO, {"level": 1}, "Team"),
            post(client, me, TWO, {"level": 2}, "Team"),
            post(client, me, TWO, {}, "Me"),
        ]
    assert validated.call_count == 1
    assert answers[0]["data"]["myTeam"]["totalCount"] == 1
    assert answers[1]["data"]["myTeam"]["totalCount"] == 1
    assert answers[1]["data"]["myTeam"]["levelCounts"] == [{"level": 1}, {"level": 2}]
    assert answers[2]["data"] == {"myDistributor": {"displayName": "Me"}}
    refused = post(client, me, TWO, {"level": "x"}, "Team")  # variables are still coerced per request
    assert "errors" in refused


def test_invalid_documents_are_not_kept_and_the_cache_is_bounded(client, fresh):
    me = customer()
    for _ in range(3):
        answer = post(client, me, "{ noSuchField }")
        assert "Cannot query field" in answer["errors"][0]["message"]
    assert len(fresh) == 0
    for n in range(5):
        post(client, me, "{ myDistributor { displayName } }" + " " * n)
    assert len(fresh) == 2
    assert "Syntax Error" in post(client, me, "{ myDistributor ")["errors"][0]["message"]
