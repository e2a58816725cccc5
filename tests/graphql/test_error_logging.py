"""What errors write to the server log (graphql/core/error_log.py): one INFO line with the code for what
the client got wrong; a traceback, under an error id the client also gets, only for what we got wrong."""

from __future__ import annotations

import json
import logging
import re

import pytest

from saleor_wechat_distribution.graphql.storefronts import schema as storefront_schema

from .conftest import GRAPHQL_URL, Gql, World

OUR_LOGGER = "saleor_wechat_distribution.graphql"


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def tracebacks(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


def our_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == OUR_LOGGER]


def test_permission_denied_is_one_info_line_with_its_code(world: World, gql: Gql, logged) -> None:
    result = gql("{ distributors(first: 5) { totalCount } }", principal=world.caller("distributor_a"))
    assert result["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    assert tracebacks(logged) == []
    (line,) = our_lines(logged)
    assert line.levelno == logging.INFO
    assert line.getMessage() == (
        f"GraphQL error code=PermissionDenied path=distributors operation=- "
        f"user={world.caller('distributor_a').user_id}"
    )
    assert not [r for r in logged.records if r.name.startswith("graphql.")]


def test_validation_errors_of_documents_and_mutations_are_one_line_each(
    world: World, gql: Gql, logged
) -> None:
    gql("query Named { myDistributor { nope } }", principal=world.caller("customer"), status=400)
    result = gql(
        'mutation { distributorApply(input: {displayName: "x", inviterCode: "NOPE"}) { errors { code } } }',
        principal=world.caller("customer"),
    )
    assert result["data"]["distributorApply"]["errors"]
    assert tracebacks(logged) == []
    messages = [r.getMessage() for r in our_lines(logged)]
    assert len(messages) == 2, messages
    assert messages[0].startswith("GraphQL error code=GraphQLError path=- operation=Named")
    assert re.match(r"GraphQL error code=\w+ path=distributorApply operation=- user=\d+$", messages[1])
    assert all(r.levelno == logging.INFO for r in our_lines(logged))


def test_refused_requests_are_one_line(client, db, logged) -> None:
    client.post(GRAPHQL_URL, data=b"{not json", content_type="application/json")
    client.post(
        GRAPHQL_URL,
        data=json.dumps({"query": "{ myDistributor { id } }"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer forged",
    )
    client.post(
        GRAPHQL_URL,
        data=json.dumps({"query": "{ " + "__typename " * 5000 + "}"}),
        content_type="application/json",
    )
    assert tracebacks(logged) == []
    codes = [re.search(r"code=(\w+)", r.getMessage()).group(1) for r in our_lines(logged)]
    assert codes == ["BadRequest", "InvalidToken", "QueryTooLarge"]


def test_an_unexpected_exception_logs_its_traceback_once_under_the_id_the_client_gets(
    world: World, gql: Gql, logged, monkeypatch
) -> None:
    def broken(*, slug: str) -> None:
        raise RuntimeError("the database said something private")

    monkeypatch.setattr(storefront_schema, "storefront_get_by_slug", broken)
    result = gql('query Shop { storefront(slug: "x") { title } }')
    (error,) = result["errors"]
    assert error["extensions"]["exception"]["code"] == "INTERNAL_ERROR"
    error_id = error["extensions"]["errorId"]
    assert re.fullmatch(r"[0-9a-f]{32}", error_id)
    assert error_id in error["message"] and "private" not in json.dumps(result)
    (record,) = tracebacks(logged)
    assert record.name == OUR_LOGGER and record.levelno == logging.ERROR
    assert record.getMessage() == (
        f"GraphQL unexpected error error_id={error_id} path=storefront operation=Shop user=anonymous"
    )
    assert record.exc_info[0] is RuntimeError


def test_callbacks_and_exports_refuse_without_a_traceback(client, db, logged) -> None:
    assert client.post("/wechat/wx0123456789abcdef/?timestamp=1&nonce=n&signature=s", data=b"<xml/>",
                       content_type="text/xml").status_code == 404  # fmt: skip
    assert client.get("/export/ledger.csv").status_code == 401
    assert client.post(
        "/wechatpay/default-channel/notify/", data=b"{}", content_type="application/json"
    ).status_code
    assert tracebacks(logged) == []
