"""AppBridge tokens on the sandbox's GraphQL route: tokens of the shape Saleor issues for an App on behalf of
a staff user. Accepted only for our App; the permissions are the token's ∩ the user's ∩ the App's."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from saleor_wechat_distribution.console.app_tokens import granted_permissions
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.sandbox.app_tokens import global_id, issue_app_token, principal_from_app_token
from saleor_wechat_distribution.sandbox.seed import STAFF, SUPPORT_STAFF
from saleor_wechat_distribution.testing.factories import make_distributor

pytestmark = pytest.mark.django_db

QUERY = "{ distributors(first: 5) { totalCount } }"


def ask(token: str) -> tuple[int, dict]:
    response = Client().post(
        "/graphql/",
        json.dumps({"query": QUERY}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, response.json()


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_shape_saleor_issues():
    token = issue_app_token(STAFF, issuer="http://sandbox/graphql/")
    payload = claims(token)
    assert payload["type"] == "thirdparty" and payload["owner"] == "saleor"
    assert payload["app"] == global_id("App", 1) and payload["user_id"] == global_id("User", 1)
    assert payload["permissions"] == ["MANAGE_DISCOUNTS", "MANAGE_ORDERS", "MANAGE_PLUGINS", "MANAGE_USERS"]
    assert "MANAGE_PLUGINS" in payload["user_permissions"]
    support = claims(issue_app_token(SUPPORT_STAFF))
    assert support["permissions"] == ["MANAGE_ORDERS"], "user ∩ App"
    assert payload["exp"] > payload["iat"]


def test_our_apps_token_is_accepted_with_intersected_permissions():
    make_distributor()
    status, answer = ask(issue_app_token(STAFF))
    assert status == 200 and answer["data"]["distributors"]["totalCount"] == 1
    principal = principal_from_app_token(issue_app_token(STAFF))
    assert principal.user_id == 1 and principal.is_staff
    assert principal.permissions == {
        Permission.MANAGE_USERS,
        Permission.MANAGE_ORDERS,
        Permission.MANAGE_DISCOUNTS,
        Permission.MANAGE_PLUGINS,  # the program page: settings and commission rules
    }
    support = principal_from_app_token(issue_app_token(SUPPORT_STAFF))
    assert support.permissions == {Permission.MANAGE_ORDERS}, "what the user holds, within the App's"


def test_a_staff_user_without_manage_users_is_refused_the_data():
    status, answer = ask(issue_app_token(SUPPORT_STAFF))
    assert status == 200 and answer["data"]["distributors"] is None
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_another_apps_token_is_refused():
    status, answer = ask(issue_app_token(STAFF, app_id=global_id("App", 2)))
    assert status == 401
    assert answer["errors"][0]["message"] == "This token was issued for another app."


@pytest.mark.parametrize("case", ["signature", "expired", "algorithm", "garbage"])
def test_forged_or_stale_tokens_are_refused(case, settings):
    token = issue_app_token(STAFF)
    header, payload, signature = token.split(".")
    if case == "signature":
        token = f"{header}.{payload}.{signature[::-1]}"
    elif case == "expired":
        settings.SANDBOX_TOKEN_MAX_AGE = -1
        token = issue_app_token(STAFF)
    elif case == "algorithm":
        none = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
        token = f"{none}.{payload}."
    else:
        token = "a.b.c"
    status, answer = ask(token)
    assert status == 401 and answer["errors"][0]["extensions"]["exception"]["code"] == "InvalidToken"


def test_permissions_are_intersected_again():
    """A permission the user or the App no longer holds is gone, whatever the token says."""
    everything = [p.value for p in Permission]
    assert granted_permissions(token=everything, user=["MANAGE_USERS"], app=everything) == {
        Permission.MANAGE_USERS
    }
    assert granted_permissions(token=["MANAGE_USERS"], user=everything, app=["MANAGE_ORDERS"]) == frozenset()
    assert granted_permissions(token=[*everything, "MANAGE_APPS"], user=everything, app=everything) == set(
        Permission
    )
    assert Principal().permissions == frozenset()
