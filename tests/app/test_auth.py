"""Storefront and console tokens in App mode: Saleor's JWTs checked against the issuing instance's JWKS."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from saleor_wechat_distribution.app.auth import principal_from_token
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.graphql.views import AuthenticationFailed

from .fake_saleor import APP_ID, gid

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]

STAFF_PERMS = ["MANAGE_USERS", "MANAGE_ORDERS", "MANAGE_PRODUCTS"]


def refused(token: str, message: str) -> None:
    with pytest.raises(AuthenticationFailed, match=message):
        principal_from_token(token)


def test_a_customer_access_token_is_the_customer(installed, saleor):
    principal = principal_from_token(saleor.token(42))
    assert (principal.user_id, principal.is_staff, principal.permissions) == (42, False, frozenset())
    assert principal.email == "user42@example.com"


def test_a_staff_access_token_carries_our_permissions_only(installed, saleor):
    principal = principal_from_token(saleor.token(5, is_staff=True, permissions=STAFF_PERMS))
    assert principal.is_staff and principal.permissions == {Permission.MANAGE_USERS, Permission.MANAGE_ORDERS}


def test_an_app_bridge_token_of_our_app_grants_the_intersection(installed, saleor):
    token = saleor.token(
        5, type_="thirdparty", is_staff=True, app=APP_ID,
        permissions=["MANAGE_USERS", "MANAGE_ORDERS"], user_permissions=["MANAGE_USERS"],
    )  # fmt: skip
    assert principal_from_token(token).permissions == {Permission.MANAGE_USERS}


def test_an_app_bridge_token_of_another_app_is_refused(installed, saleor):
    other = gid("App", 99)
    refused(
        saleor.token(5, type_="thirdparty", is_staff=True, app=other, permissions=STAFF_PERMS), "another app"
    )


def test_forged_expired_foreign_and_odd_tokens_are_refused(installed, saleor):
    forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused(saleor.token(42, key=forged), "Invalid token")
    refused(saleor.token(42, ttl=-10), "expired")
    refused(saleor.token(42, iss="http://elsewhere/graphql/"), "not a Saleor this App is installed in")
    refused(saleor.token(42, type_="refresh"), "Invalid token type")
    refused("not-a-jwt", "Invalid token")


def test_a_rotated_key_is_fetched_once(installed, saleor):
    fetched = saleor.calls["jwks"]
    saleor.rotate()
    assert principal_from_token(saleor.token(42)).user_id == 42
    assert principal_from_token(saleor.token(43)).user_id == 43
    assert saleor.calls["jwks"] == fetched + 1


def test_our_graphql_answers_401_for_a_bad_token_and_serves_a_customer(installed, saleor, client):
    query = {"query": "{ __typename }"}
    bad = client.post(
        "/graphql/", query, content_type="application/json", headers={"Authorization": "Bearer x.y.z"}
    )
    assert bad.status_code == 401
    good = client.post(
        "/graphql/", query, content_type="application/json",
        headers={"Authorization": f"Bearer {saleor.token(42)}"},
    )  # fmt: skip
    assert good.status_code == 200 and good.json()["data"] == {"__typename": "Query"}


# --- revocation: Saleor's word on a token, reused for a few seconds ---------------------------------------

QUERY = {"query": "{ __typename }"}


def ask(client, token: str):
    return client.post(
        "/graphql/", QUERY, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


def test_saleor_is_asked_once_per_token_within_the_recheck_window(installed, saleor, client):
    token = saleor.token(42)
    for _ in range(5):
        assert ask(client, token).status_code == 200
    assert saleor.operation_counts["WeChatDistributionTokenVerify"] == 1
    assert ask(client, saleor.token(43)).status_code == 200  # another token: its own check
    assert saleor.operation_counts["WeChatDistributionTokenVerify"] == 2


def test_a_revoked_token_is_refused_once_the_window_passes(installed, saleor, client, settings):
    import time

    settings.WECHAT_DISTRIBUTION_TOKEN_RECHECK_S = 1
    token = saleor.token(42)
    assert ask(client, token).status_code == 200
    saleor.revoke(42)  # "log out everywhere" in Saleor
    time.sleep(1.1)
    refused = ask(client, token)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["exception"]["code"] == "InvalidToken"
    assert "revoked" in refused.json()["errors"][0]["message"]
    assert ask(client, saleor.token(42)).status_code == 200  # a token issued after the revocation


def test_a_deactivated_staff_members_app_bridge_token_is_refused(installed, saleor, client):
    saleor.deactivate(5)
    token = saleor.token(5, type_="thirdparty", is_staff=True, app=APP_ID, permissions=STAFF_PERMS)
    assert ask(client, token).status_code == 401


def test_the_recheck_window_is_at_most_a_minute(settings):
    from saleor_wechat_distribution.app.auth import recheck_seconds

    settings.WECHAT_DISTRIBUTION_TOKEN_RECHECK_S = 3600
    assert recheck_seconds() == 60


def test_a_forged_token_costs_saleor_nothing(installed, saleor, client):
    forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert ask(client, saleor.token(42, key=forged)).status_code == 401
    assert saleor.operation_counts["WeChatDistributionTokenVerify"] == 0


def test_saleor_down_while_checking_is_a_503_never_a_500(installed, saleor, client):
    saleor.down = True
    answer = ask(client, saleor.token(42))
    assert answer.status_code == 503
    error = answer.json()["errors"][0]
    assert (
        error["extensions"]["exception"]["code"] == "AuthenticationUnavailable"
        and "Saleor" in error["message"]
    )
    saleor.down = False
    assert ask(client, saleor.token(42)).status_code == 200
