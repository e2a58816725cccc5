"""Requests over the query limits (graphql/core/query_limits.py) are refused with a code before they are
validated or executed: no query reaches the database, whoever sends them."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from graphql.utils.introspection_query import introspection_query

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.testing.factories import staff

from .conftest import GRAPHQL_URL, auth_headers

STOREFRONT = 'storefront(slug: "wangfang") { title welcomeText referralCode productIds }'


def aliases(count: int, selection: str = STOREFRONT) -> str:
    return "{ " + " ".join(f"a{i}: {selection}" for i in range(count)) + " }"


def post(client: Client, query: str, variables: dict | None = None, **headers: Any) -> tuple[int, dict]:
    body = json.dumps({"query": query, "variables": variables or {}})
    response = client.post(GRAPHQL_URL, data=body, content_type="application/json", **headers)
    return response.status_code, response.json()


def refusal(client: Client, query: str, variables: dict | None = None, **headers: Any) -> tuple[int, dict]:
    """(status, the only error) of a refused request."""
    status, body = post(client, query, variables, **headers)
    assert "data" not in body or body["data"] is None, body
    (error,) = body["errors"]
    return status, error


def code(error: dict) -> str:
    return error["extensions"]["exception"]["code"]


def test_the_5000_alias_request_of_the_report_is_refused_before_anything_runs(
    client, db, django_assert_num_queries
):
    query = aliases(5000)
    assert len(query) > 400_000
    with django_assert_num_queries(0):
        status, error = refusal(client, query)
    assert (status, code(error)) == (413, "QueryTooLarge")
    assert "32768" in error["message"]


def test_aliases_are_counted_before_parsing_whatever_the_size_limit(
    client, db, settings, django_assert_num_queries
):
    settings.WECHAT_DISTRIBUTION_GRAPHQL_MAX_QUERY_BYTES = 1 << 20
    with django_assert_num_queries(0):
        status, error = refusal(client, aliases(5000))
    assert (status, code(error)) == (400, "TooManyAliases")
    assert "100" in error["message"]
    # within the size limit too, and aliases hidden in a fragment count
    query = (
        aliases(60) + " fragment F on Query { " + " ".join(f"f{i}: {STOREFRONT}" for i in range(41)) + " }"
    )
    assert code(refusal(client, query)[1]) == "TooManyAliases"
    assert post(client, aliases(100))[0] == 200


def test_an_expensive_query_is_refused_with_its_cost(client, db, settings, django_assert_num_queries):
    posters = "mutation " + aliases(60, 'sharePosterCreate(productId: "1") { url }')
    with django_assert_num_queries(0):
        status, error = refusal(client, posters)
    assert (status, code(error)) == (400, "QueryCostError")
    assert error["extensions"]["cost"] == {"requestedQueryCost": 60 * 201, "maximumAvailable": 10_000}
    # the page size multiplies what is selected under a connection, also through variables
    page = "query($n: Int) { distributors(first: $n) { edges { node { id displayName parent { id } } } } }"
    settings.WECHAT_DISTRIBUTION_GRAPHQL_MAX_COST = 1
    costs = {
        n: refusal(client, page, {"n": n})[1]["extensions"]["cost"]["requestedQueryCost"] for n in (10, 100)
    }
    assert costs == {10: 1 + 10 * 6, 100: 1 + 100 * 6}


def test_fragments_cannot_multiply_the_work_unseen(client, db, django_assert_num_queries):
    """Each fragment spreads the previous one twice: 2^16 copies of the innermost selection in a few
    hundred bytes. The walk memoizes fragments, so it is refused at once, by its cost."""
    fragments = ["fragment F0 on Distributor { id displayName }"]
    for level in range(1, 17):
        twice = f"a: parent {{ ...F{level - 1} }} b: parent {{ ...F{level - 1} }}"
        fragments.append(f"fragment F{level} on Distributor {{ {twice} }}")
    query = "{ myDistributor { ...F16 } } " + " ".join(fragments)
    with django_assert_num_queries(0):
        status, error = refusal(client, query)
    assert (status, code(error)) == (400, "QueryCostError")
    assert error["extensions"]["cost"]["requestedQueryCost"] > 2**16


def test_deep_queries_are_refused_also_when_fragments_hide_the_depth(client, db, django_assert_num_queries):
    nested = "{ myDistributor { " + "parent { " * 20 + "id" + " }" * 20 + " } }"
    with django_assert_num_queries(0):
        assert code(refusal(client, nested)[1]) == "QueryTooDeep"
    # every fragment is shallow; expanded, they nest 22 levels
    chain = [f"fragment P{i} on Distributor {{ parent {{ ...P{i + 1} }} }}" for i in range(20)]
    chain.append("fragment P20 on Distributor { id }")
    query = "{ myDistributor { ...P0 } } " + " ".join(chain)
    with django_assert_num_queries(0):
        status, error = refusal(client, query)
    assert (status, code(error)) == (400, "QueryTooDeep")
    assert "20" in error["message"]
    # inline fragments add no level of their own
    inline = "{ myDistributor { " + "... on Distributor { parent { " * 18 + "id" + " } }" * 18 + " } }"
    assert post(client, inline)[0] == 200


def test_a_field_repeated_many_times_is_refused_before_the_quadratic_validation(client, db):
    """graphql-core 2 compares every pair of same-named fields of a selection set: 1,000 copies of one
    field (32 KB) took 5.6 s to validate."""
    status, error = refusal(client, "{ " + " ".join([STOREFRONT] * 11) + " }")
    assert (status, code(error)) == (400, "TooManyRepeatedFields")
    assert "storefront" in error["message"]
    inline = "{ " + " ".join(f"... on Query {{ {STOREFRONT} }}" for _ in range(11)) + " }"
    assert code(refusal(client, inline)[1]) == "TooManyRepeatedFields"
    assert post(client, "{ " + " ".join([STOREFRONT] * 10) + " __typename __typename __typename }")[0] == 200


def test_the_limits_are_the_same_for_every_caller_and_every_request(client, db):
    """Checked before authentication: staff get no bigger budget, a bad token changes nothing, and the
    cost of one request never adds to the next."""
    posters = "mutation " + aliases(60, 'sharePosterCreate(productId: "1") { url }')
    callers = {
        "anonymous": {},
        "staff": auth_headers(staff(*Permission)),
        "bad token": {"HTTP_AUTHORIZATION": "Bearer not-a-token"},
    }
    answers = [refusal(client, posters, **headers) for headers in callers.values() for _ in range(2)]
    assert all(answer == answers[0] for answer in answers), answers
    assert code(answers[0][1]) == "QueryCostError"
    too_large = [refusal(client, aliases(5000), **headers) for headers in callers.values()]
    assert all(answer == too_large[0] for answer in too_large)


def test_introspection_and_the_suites_queries_fit_the_defaults(client, db):
    """GraphiQL's introspection (its type references nest deeper than graphql-core's) passes."""
    type_ref = "kind name " + "ofType { kind name " * 9 + "}" * 9
    deep_introspection = introspection_query.replace(
        introspection_query[introspection_query.index("fragment TypeRef") :],
        f"fragment TypeRef on __Type {{ {type_ref} }}",
    )
    status, body = post(client, deep_introspection)
    assert status == 200 and "errors" not in body, body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_limits_are_settings_and_zero_turns_one_off(client, db, settings):
    settings.WECHAT_DISTRIBUTION_GRAPHQL_MAX_ALIASES = 2
    assert code(refusal(client, aliases(3, "__typename"))[1]) == "TooManyAliases"
    settings.WECHAT_DISTRIBUTION_GRAPHQL_MAX_ALIASES = 0
    assert post(client, aliases(300, "__typename"))[0] == 200
    settings.WECHAT_DISTRIBUTION_GRAPHQL_MAX_BODY_BYTES = 100
    response = client.post(
        GRAPHQL_URL,
        data=json.dumps({"query": "{ " + "__typename " * 20 + "}"}),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["exception"]["code"] == "PayloadTooLarge"


def test_a_syntax_error_is_still_a_located_graphql_error(client, db):
    status, body = post(client, "{ storefront(slug: ) }")
    assert status == 400
    (error,) = body["errors"]
    assert code(error) == "GraphQLError" and error["locations"]
