"""Bad input through GraphQL and HTTP: coded errors, the right status, and nothing changed.

Business refusals come back as HTTP 200 with the mutation's ``errors`` list (``code`` is the
``DistributorErrorCode`` member name, ``field`` the input it is about) and ``distributor: null``; the
database (paths, statuses, counters, audit trail) must be exactly as before.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from graphql_relay import to_global_id

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import Distributor
from saleor_wechat_distribution.sandbox.tokens import issue_token
from saleor_wechat_distribution.services.distributors import distributor_reject
from saleor_wechat_distribution.testing.factories import customer, staff

from .conftest import GRAPHQL_URL, Gql, World, assert_top_level_error, auth_headers, snapshot

pytestmark = pytest.mark.django_db

ADMIN = staff(Permission.MANAGE_USERS)

APPLY = """
mutation($input: DistributorApplyInput!) {
  distributorApply(input: $input) { distributor { id } errors { field code message } }
}"""
MOVE = """
mutation($id: ID!, $newParentId: ID) {
  distributorMove(id: $id, newParentId: $newParentId) { distributor { id } errors { field code message } }
}"""


def status_mutation(name: str, reason: bool = False) -> str:
    reason_var, reason_arg = (", $reason: String", ", reason: $reason") if reason else ("", "")
    return f"""
mutation($id: ID!{reason_var}) {{
  {name}(id: $id{reason_arg}) {{ distributor {{ id }} errors {{ field code message }} }}
}}"""


APPROVE = status_mutation("distributorApprove")
REJECT = status_mutation("distributorReject", reason=True)
SUSPEND = status_mutation("distributorSuspend", reason=True)
REACTIVATE = status_mutation("distributorReactivate")


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def assert_mutation_refused(
    result: dict[str, Any], mutation: str, code: str, field: str | None, before: list
) -> None:
    assert "errors" not in result, result
    payload = result["data"][mutation]
    assert payload["distributor"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert payload["errors"][0]["message"]
    assert snapshot() == before, "a refused mutation changed the database"


# --------------------------------------------------------------------------------------------------
# Business refusals of the mutations
# --------------------------------------------------------------------------------------------------


DOCUMENTS = {
    "distributorApply": APPLY,
    "distributorMove": MOVE,
    "distributorApprove": APPROVE,
    "distributorReject": REJECT,
    "distributorSuspend": SUSPEND,
    "distributorReactivate": REACTIVATE,
}


@dataclass(frozen=True)
class Case:
    mutation: str
    caller: Callable[[World], Any]
    variables: Callable[[World], dict[str, Any]]
    code: str
    field: str | None
    setup: Callable[[World, Gql], None] | None = None  # runs before the "before" snapshot


def apply_input(**values: Any) -> Callable[[World], dict[str, Any]]:
    """Variables of distributorApply; a node name as ``inviterCode`` stands for its referral code."""

    def build(world: World) -> dict[str, Any]:
        data = {"displayName": "Newcomer", **values}
        if data.get("inviterCode") in world.nodes:
            data["inviterCode"] = world[data["inviterCode"]].referral_code
        return {"input": data}

    return build


def newcomer(world: World) -> Any:
    return world.caller("customer")


def admin(world: World) -> Any:
    return ADMIN


def reject_ap(world: World, gql: Gql) -> None:
    distributor_reject(actor=ADMIN, distributor_id=world["AP"].pk, reason="try again")


def apply_once(world: World, gql: Gql) -> None:
    result = gql(APPLY, apply_input(inviterCode="A")(world), world.caller("customer"))
    assert result["data"]["distributorApply"]["errors"] == []


def ids(**names: str | None) -> Callable[[World], dict[str, Any]]:
    return lambda world: {key: world.gid(name) if name else None for key, name in names.items()}


CASES = {
    # distributorApply
    "unknown inviter code": Case(
        "distributorApply",
        newcomer,
        apply_input(inviterCode="NOSUCHCODE"),
        "INVITER_NOT_FOUND",
        "inviterCode",
    ),
    "blank inviter code": Case(
        "distributorApply", newcomer, apply_input(inviterCode="   "), "INVITER_NOT_FOUND", "inviterCode"
    ),
    "suspended inviter code": Case(
        "distributorApply", newcomer, apply_input(inviterCode="AS"), "INVITER_INACTIVE", "inviterCode"
    ),
    "pending inviter code": Case(
        "distributorApply", newcomer, apply_input(inviterCode="AP"), "INVITER_INACTIVE", "inviterCode"
    ),
    "own inviter code when reapplying after rejection": Case(
        "distributorApply",
        lambda w: w.principals["AP"],
        apply_input(inviterCode="AP"),
        "SELF_INVITE",
        "inviterCode",
        setup=reject_ap,
    ),
    "applying twice": Case(
        "distributorApply",
        newcomer,
        apply_input(inviterCode="A"),
        "ALREADY_APPLIED",
        None,
        setup=apply_once,
    ),
    "pending applicant applying again": Case(
        "distributorApply",
        lambda w: w.principals["AP"],
        apply_input(inviterCode="A2"),
        "ALREADY_APPLIED",
        None,
    ),
    "active distributor applying": Case(
        "distributorApply", lambda w: w.principals["A11"], apply_input(), "ALREADY_APPLIED", None
    ),
    "enterprise under an individual": Case(
        "distributorApply",
        newcomer,
        apply_input(kind="ENTERPRISE", inviterCode="A2"),
        "KIND_NOT_ALLOWED_UNDER_PARENT",
        "kind",
    ),
    "display name of 65 characters": Case(
        "distributorApply", newcomer, apply_input(displayName="x" * 65), "TOO_LONG", "displayName"
    ),
    "empty display name": Case(
        "distributorApply", newcomer, apply_input(displayName=""), "REQUIRED", "displayName"
    ),
    "blank display name": Case(
        "distributorApply", newcomer, apply_input(displayName=" \t\n "), "REQUIRED", "displayName"
    ),
    # distributorMove
    "move under its own descendant": Case(
        "distributorMove", admin, ids(id="A1", newParentId="A111"), "MOVE_INTO_OWN_SUBTREE", "newParentId"
    ),
    "move under its own child": Case(
        "distributorMove", admin, ids(id="A", newParentId="A1"), "MOVE_INTO_OWN_SUBTREE", "newParentId"
    ),
    "move under itself": Case(
        "distributorMove", admin, ids(id="A11", newParentId="A11"), "MOVE_INTO_OWN_SUBTREE", "newParentId"
    ),
    "move under a pending applicant": Case(
        "distributorMove", admin, ids(id="B1", newParentId="AP"), "INVALID_MOVE_TARGET", "newParentId"
    ),
    "move an enterprise under an individual": Case(
        "distributorMove",
        admin,
        ids(id="A1", newParentId="A2"),
        "KIND_NOT_ALLOWED_UNDER_PARENT",
        "newParentId",
    ),
    "move an unknown distributor": Case(
        "distributorMove", admin, lambda w: {"id": to_global_id("Distributor", 999999)}, "NOT_FOUND", "id"
    ),
    "move under an unknown parent": Case(
        "distributorMove",
        admin,
        lambda w: {"id": w.gid("B1"), "newParentId": to_global_id("Distributor", 999999)},
        "NOT_FOUND",
        "newParentId",
    ),
    # status changes
    "approve an active distributor": Case("distributorApprove", admin, ids(id="A1"), "INVALID_STATUS", "id"),
    "approve a suspended distributor": Case(
        "distributorApprove", admin, ids(id="AS"), "INVALID_STATUS", "id"
    ),
    "reject an active distributor": Case("distributorReject", admin, ids(id="A1"), "INVALID_STATUS", "id"),
    "suspend a pending applicant": Case("distributorSuspend", admin, ids(id="AP"), "INVALID_STATUS", "id"),
    "suspend a suspended distributor": Case(
        "distributorSuspend", admin, ids(id="AS"), "INVALID_STATUS", "id"
    ),
    "reactivate an active distributor": Case(
        "distributorReactivate", admin, ids(id="A1"), "INVALID_STATUS", "id"
    ),
    "approve an unknown distributor": Case(
        "distributorApprove",
        admin,
        lambda w: {"id": to_global_id("Distributor", 999999)},
        "NOT_FOUND",
        "id",
    ),
    "reject reason of 501 characters": Case(
        "distributorReject", admin, lambda w: {"id": w.gid("AP"), "reason": "r" * 501}, "TOO_LONG", "reason"
    ),
    "suspend reason of 501 characters": Case(
        "distributorSuspend",
        admin,
        lambda w: {"id": w.gid("A1"), "reason": "r" * 501},
        "TOO_LONG",
        "reason",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_mutation_refusal(world: World, gql: Gql, case: Case) -> None:
    if case.setup is not None:
        case.setup(world, gql)
    before = snapshot()
    result = gql(DOCUMENTS[case.mutation], case.variables(world), case.caller(world))
    assert_mutation_refused(result, case.mutation, case.code, case.field, before)


@pytest.mark.parametrize(
    ("document", "mutation", "variables"),
    [
        (APPLY, "distributorApply", {"input": {"displayName": "x" * 64}}),
        (APPLY, "distributorApply", {"input": {"displayName": "  " + "x" * 64 + "  "}}),
        (REJECT, "distributorReject", {"reason": "r" * 500}),
        (REJECT, "distributorReject", {"reason": "  " + "r" * 500 + "  "}),
    ],
    ids=["name-64", "name-64-padded", "reason-500", "reason-500-padded"],
)
def test_limits_are_inclusive(world: World, gql: Gql, document: str, mutation: str, variables: dict) -> None:
    if mutation == "distributorReject":
        variables = {**variables, "id": world.gid("AP")}
        caller = ADMIN
    else:
        caller = world.caller("customer")
    result = gql(document, variables, caller)
    assert result["data"][mutation]["errors"] == []
    assert result["data"][mutation]["distributor"] is not None


# --------------------------------------------------------------------------------------------------
# Malformed global ids
# --------------------------------------------------------------------------------------------------

BAD_IDS = {
    "random text": "not a global id!",
    "Order:1": b64("Order:1"),
    "Distributor:abc": b64("Distributor:abc"),
    "Distributor:": b64("Distributor:"),
    "Distributor:-1": b64("Distributor:-1"),
    "Distributor:1.0": b64("Distributor:1.0"),
    "19 digits": b64("Distributor:" + "9" * 19),
    "bare number": "1",
    "empty": "",
}

ID_ARGUMENTS = [
    pytest.param(APPROVE, "distributorApprove", "id", id="approve"),
    pytest.param(REJECT, "distributorReject", "id", id="reject"),
    pytest.param(SUSPEND, "distributorSuspend", "id", id="suspend"),
    pytest.param(REACTIVATE, "distributorReactivate", "id", id="reactivate"),
    pytest.param(MOVE, "distributorMove", "id", id="move-id"),
    pytest.param(MOVE, "distributorMove", "newParentId", id="move-newParentId"),
]


def id_variables(world: World, argument: str, bad_id: str) -> dict[str, Any]:
    if argument == "newParentId":
        return {"id": world.gid("B1"), "newParentId": bad_id}
    return {"id": bad_id}


@pytest.mark.parametrize("document, mutation, argument", ID_ARGUMENTS)
@pytest.mark.parametrize("bad_id", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_malformed_id_in_mutations(
    world: World, gql: Gql, document: str, mutation: str, argument: str, bad_id: str
) -> None:
    before = snapshot()
    result = gql(document, id_variables(world, argument, bad_id), ADMIN)
    assert_mutation_refused(result, mutation, "INVALID", argument, before)


@pytest.mark.parametrize("bad_id", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_malformed_id_in_distributor_query(world: World, gql: Gql, bad_id: str) -> None:
    result = gql("query($id: ID!) { distributor(id: $id) { id } }", {"id": bad_id}, ADMIN)
    error = assert_top_level_error(result, "INVALID", ["distributor"])
    assert error["extensions"]["exception"]["field"] == "id"
    assert result["data"] == {"distributor": None}


@pytest.mark.parametrize(
    "bad_id", [*BAD_IDS.values(), b64("DistributorEvent:1"), b64("Query:1"), b64("String:1")],
    ids=[*BAD_IDS.keys(), "DistributorEvent:1", "Query:1", "String:1"],
)  # fmt: skip
def test_malformed_id_in_node_query_is_null(world: World, gql: Gql, bad_id: str) -> None:
    assert gql("query($id: ID!) { node(id: $id) { id } }", {"id": bad_id}, ADMIN) == {"data": {"node": None}}


SUPERSCRIPT_ID = b64("Distributor:²")  # "²".isdigit() is True, int("²") raises ValueError


@pytest.mark.parametrize("document, mutation, argument", ID_ARGUMENTS[:1] + ID_ARGUMENTS[-1:])
def test_superscript_digit_id_in_mutations(
    world: World, gql: Gql, document: str, mutation: str, argument: str
) -> None:
    before = snapshot()
    result = gql(document, id_variables(world, argument, SUPERSCRIPT_ID), ADMIN)
    assert_mutation_refused(result, mutation, "INVALID", argument, before)


def test_superscript_digit_id_in_distributor_query(world: World, gql: Gql) -> None:
    result = gql("query($id: ID!) { distributor(id: $id) { id } }", {"id": SUPERSCRIPT_ID}, ADMIN)
    assert_top_level_error(result, "INVALID", ["distributor"])


def test_superscript_digit_id_in_node_query(world: World, gql: Gql) -> None:
    assert gql("query($id: ID!) { node(id: $id) { id } }", {"id": SUPERSCRIPT_ID}, ADMIN) == {
        "data": {"node": None}
    }


@pytest.mark.parametrize("type_name", ["Node", "DistributorKind", "DistributorApplyInput"])
def test_node_query_with_id_of_a_non_object_type(world: World, gql: Gql, type_name: str) -> None:
    result = gql("query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id(type_name, 1)}, ADMIN)
    assert result == {"data": {"node": None}}


# --------------------------------------------------------------------------------------------------
# NUL bytes: PostgreSQL text cannot hold them
# --------------------------------------------------------------------------------------------------


def test_display_name_with_nul_byte(world: World, gql: Gql) -> None:
    before = snapshot()
    result = gql(APPLY, {"input": {"displayName": "Wang\x00Fang"}}, world.caller("customer"))
    assert_mutation_refused(result, "distributorApply", "INVALID", "displayName", before)


def test_search_with_nul_byte(world: World, gql: Gql) -> None:
    result = gql(
        "query($s: String) { distributors(filter: {search: $s}) { totalCount } }", {"s": "a\x00"}, ADMIN
    )
    error = assert_top_level_error(result, "INVALID", ["distributors"])
    assert error["extensions"]["exception"]["field"] == "search"


# --------------------------------------------------------------------------------------------------
# HTTP level
# --------------------------------------------------------------------------------------------------

QUERY = "{ myDistributor { id } }"


def post_raw(client: Client, body: bytes | str, **extra: Any) -> Any:
    return client.generic("POST", GRAPHQL_URL, body, content_type="application/json", **extra)


def http_error_code(response: Any) -> str:
    (error,) = response.json()["errors"]
    assert error["message"]
    return error["extensions"]["exception"]["code"]


BAD_BODIES = {
    "invalid-json": b"{not json",
    "empty-body": b"",
    "not-utf8": b"\xff\xfe",
    "json-array": b'["{ myDistributor { id } }"]',
    "missing-query": b"{}",
    "only-variables": b'{"variables": {}}',
    "query-not-a-string": b'{"query": 42}',
    "query-null": b'{"query": null}',
    "variables-list": b'{"query": "{ myDistributor { id } }", "variables": [1]}',
    "variables-string": b'{"query": "{ myDistributor { id } }", "variables": "{}"}',
    "operation-name-not-a-string": b'{"query": "{ myDistributor { id } }", "operationName": 1}',
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_malformed_request_body_is_400(client: Client, world: World, body: bytes) -> None:
    before = snapshot()
    response = post_raw(client, body, **auth_headers(world.caller("distributor_a")))
    assert response.status_code == 400
    assert http_error_code(response) == "BadRequest"
    assert snapshot() == before


def test_body_too_large_is_413(client: Client, world: World) -> None:
    padding = " " * (1 << 20)
    response = post_raw(client, json.dumps({"query": QUERY + padding}))
    assert response.status_code == 413
    assert http_error_code(response) == "PayloadTooLarge"


def test_malformed_content_length_is_400(world: World) -> None:
    client = Client(raise_request_exception=False)
    response = post_raw(client, json.dumps({"query": QUERY}), CONTENT_LENGTH="abc")
    assert response.status_code == 400


def test_get_serves_graphiql(client: Client) -> None:
    response = client.get(GRAPHQL_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"graphiql" in response.content.lower()


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_are_405(client: Client, world: World, method: str) -> None:
    before = snapshot()
    body = json.dumps({"query": 'mutation { distributorApprove(id: "x") { errors { code } } }'})
    response = client.generic(method, GRAPHQL_URL, body, content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert http_error_code(response) == "MethodNotAllowed"
    assert snapshot() == before


BAD_DOCUMENTS = {
    "syntax-error": ("{ myDistributor { id }", "Syntax Error"),
    "syntax-error-in-mutation": ("mutation { distributorApprove(id: ) { errors { code } } }", "Syntax Error"),
    "unknown-field": ("{ myDistributor { noSuchField } }", "noSuchField"),
    "unknown-enum-value": (
        'mutation { distributorApply(input: {displayName: "x", kind: CORPORATE}) { errors { code } } }',
        "CORPORATE",
    ),
    "missing-argument": ("mutation { distributorApprove { errors { code } } }", '"id"'),
}


@pytest.mark.parametrize(("query", "fragment"), BAD_DOCUMENTS.values(), ids=BAD_DOCUMENTS.keys())
def test_invalid_document_is_400_with_errors(gql: Gql, world: World, query: str, fragment: str) -> None:
    before = snapshot()
    result = gql(query, principal=ADMIN, status=400)
    assert result["data"] is None
    assert result["errors"]
    assert any(fragment in error["message"] for error in result["errors"]), result
    assert snapshot() == before


# --------------------------------------------------------------------------------------------------
# Bearer tokens
# --------------------------------------------------------------------------------------------------

TOKEN_SALT = "saleor_wechat_distribution.sandbox.token"


def forged_old_token(age_seconds: int) -> str:
    """A correctly signed token whose timestamp lies ``age_seconds`` in the past."""
    then = signing.b62_encode(int(time.time()) - age_seconds)
    with mock.patch.object(signing.TimestampSigner, "timestamp", return_value=then):
        return issue_token(customer())


def assert_invalid_token(client: Client, header: str) -> None:
    before = snapshot()
    body = json.dumps(
        {"query": 'mutation { distributorApply(input: {displayName: "X"}) { errors { code } } }'}
    )
    response = post_raw(client, body, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert http_error_code(response) == "InvalidToken"
    assert snapshot() == before


def test_expired_token_is_401(client: Client, world: World, settings: Any) -> None:
    token = issue_token(world.caller("distributor_a"))
    settings.SANDBOX_TOKEN_MAX_AGE = -1  # every token is older than that
    assert_invalid_token(client, f"Bearer {token}")


def test_token_older_than_the_max_age_is_401(client: Client, world: World, settings: Any) -> None:
    assert settings.SANDBOX_TOKEN_MAX_AGE == 3600
    assert_invalid_token(client, f"Bearer {forged_old_token(3601 + 60)}")
    # the same forgery within the max age is accepted
    response = post_raw(
        client, json.dumps({"query": QUERY}), HTTP_AUTHORIZATION=f"Bearer {forged_old_token(60)}"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-token",
        "Bearer " + signing.dumps({"uid": 1, "staff": True, "perms": ["MANAGE_USERS"]}, salt="another salt"),
        "Bearer " + signing.dumps({"uid": 1}, salt=TOKEN_SALT, key="another secret key" * 3),
        "Bearer " + signing.dumps({"email": "no-uid@example.com"}, salt=TOKEN_SALT),
        "Bearer " + signing.dumps({"uid": "abc"}, salt=TOKEN_SALT),
        "Bearer " + signing.dumps({"uid": 1, "perms": ["SUPERUSER"]}, salt=TOKEN_SALT),
        "Basic dXNlcjpwYXNz",
        "Bearer ",
        "Bearer",
    ],
    ids=[
        "garbage", "wrong-salt", "wrong-key", "no-uid", "uid-not-a-number", "unknown-permission",
        "basic-scheme", "empty-token", "scheme-only",
    ],
)  # fmt: skip
def test_invalid_token_is_401(client: Client, world: World, header: str) -> None:
    assert_invalid_token(client, header)


def test_tampered_token_is_401(client: Client, world: World) -> None:
    token = issue_token(world.caller("distributor_a"))
    assert_invalid_token(client, f"Bearer {token[:-2]}{'AA' if token[-2:] != 'AA' else 'BB'}")


def test_jwt_scheme_is_accepted(client: Client, world: World) -> None:
    token = issue_token(world.caller("distributor_a"))
    response = post_raw(client, json.dumps({"query": QUERY}), HTTP_AUTHORIZATION=f"JWT {token}")
    assert response.json() == {"data": {"myDistributor": {"id": world.gid("A")}}}


# --------------------------------------------------------------------------------------------------
# Accept-Language: zh-hans
# --------------------------------------------------------------------------------------------------

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_chinese_accept_language_keeps_working(client: Client, gql: Gql, world: World) -> None:
    a = world.caller("distributor_a")
    assert gql(QUERY, principal=a, **ZH) == {"data": {"myDistributor": {"id": world.gid("A")}}}
    # coded errors keep their codes whatever the language of the message
    denied = gql("{ distributors { totalCount } }", principal=a, **ZH)
    assert assert_top_level_error(denied, "PermissionDenied", ["distributors"])["message"]
    invalid = gql("{ myTeam(first: 0) { totalCount } }", principal=a, **ZH)
    assert assert_top_level_error(invalid, "INVALID", ["myTeam"])["message"]
    before = snapshot()
    refused = gql(APPLY, {"input": {"displayName": "x" * 65}}, world.caller("customer"), **ZH)
    assert_mutation_refused(refused, "distributorApply", "TOO_LONG", "displayName", before)
    applied = gql(APPLY, {"input": {"displayName": "王芳", "inviterCode": world["A"].referral_code}},
                  world.caller("customer"), **ZH)  # fmt: skip
    assert applied["data"]["distributorApply"]["errors"] == []
    assert Distributor.objects.get(user_id=world.caller("customer").user_id).display_name == "王芳"
    # HTTP-level errors too
    response = post_raw(client, b"{not json", **ZH)
    assert response.status_code == 400 and http_error_code(response) == "BadRequest"
    response = post_raw(client, json.dumps({"query": QUERY}), HTTP_AUTHORIZATION="Bearer nope", **ZH)
    assert response.status_code == 401 and http_error_code(response) == "InvalidToken"
    assert gql("{ myDistributor { id }", principal=a, status=400, **ZH)["errors"]
