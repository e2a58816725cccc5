"""App mode's customers over Saleor's API: network imports match and create Saleor customers
(``app/customers.py``); WeChat sign-in to the center finds or creates the customer and issues the App's
own center token, which the App's ``/graphql/`` accepts until Saleor says the customer is gone
(``app/customer_sessions.py``, ``app/auth.py``)."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution.app.auth import principal_from_token
from saleor_wechat_distribution.app.customer_sessions import (
    METADATA_KEY,
    SaleorApiCustomerSessions,
    center_token_encode,
    wechat_email,
)
from saleor_wechat_distribution.app.customers import SaleorApiCustomerDirectory
from saleor_wechat_distribution.graphql.views import AuthenticationFailed
from saleor_wechat_distribution.models import Distributor, WeChatIdentity
from saleor_wechat_distribution.ports import CustomerMatch, CustomerRequest, HostUnavailable
from tests.miniprogram.conftest import MINI_APP, mini  # noqa: F401 - fixture
from tests.network.conftest import csv_bytes, row, run
from tests.storefronts.conftest import SHOP_APP, mp, shop  # noqa: F401 - fixtures

from .conftest import gql

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]


def ask(*requests: CustomerRequest, create: bool, allowed: bool = True) -> list[CustomerMatch]:
    return SaleorApiCustomerDirectory(lambda: allowed).find_or_create_customers(list(requests), create=create)


def test_people_are_matched_by_email_then_by_phone_of_the_oldest_account(app_mode, saleor):
    saleor.add_user(11, "Wang.Fang@Example.com")
    saleor.add_user(12, "old@example.com", phones=("+8613800138000",))
    saleor.add_user(13, "newer@example.com", phones=("+8613800138000",))
    matches = ask(
        CustomerRequest("WANG.FANG@example.com ", "", "王芳"),
        CustomerRequest("", "138 0013 8000", "李雷"),
        CustomerRequest("unknown@example.com", "+86 138 0013 8000", "韩梅梅"),
        CustomerRequest("", "13900000000", "nobody"),
        create=False,
        allowed=False,
    )
    assert matches == [CustomerMatch(11), CustomerMatch(12), CustomerMatch(12), CustomerMatch(None)]
    assert not any(u for u in saleor.users if u > 13)


def test_missing_customers_are_created_once_where_allowed(app_mode, saleor):
    people = [
        CustomerRequest("new@example.com", "", "Li Lei"),
        CustomerRequest("NEW@example.com", "", "Li Lei"),
        CustomerRequest("", "13900000000", "phone only"),
        CustomerRequest("bad@x.invalid-for-saleor", "", "refused"),
    ]
    assert ask(*people, create=False) == [
        CustomerMatch(None, created=True),
        CustomerMatch(None, created=True),
        CustomerMatch(None),  # Saleor needs an e-mail
        CustomerMatch(None, created=True),
    ]
    assert saleor.users == {}  # a dry run creates nothing
    first, second, phone_only, refused = ask(*people, create=True)
    assert first == second and first.created and first.user_id is not None
    assert saleor.users[first.user_id] | {"privateMetadata": {}} == {
        "email": "new@example.com", "firstName": "Li", "lastName": "Lei", "isActive": True, "phones": [],
        "privateMetadata": {},
    }  # fmt: skip
    assert phone_only == CustomerMatch(None) and refused == CustomerMatch(None)
    assert ask(*people[:1], create=True) == [CustomerMatch(first.user_id)]  # found, not created again
    assert ask(CustomerRequest("other@example.com", "", "x"), create=True, allowed=False) == [
        CustomerMatch(None)
    ]


def test_a_network_import_in_app_mode_uses_saleors_customers(app_mode, saleor, settings):
    settings.WECHAT_DISTRIBUTION_IMPORT_CREATES_CUSTOMERS = True
    saleor.add_user(21, "e1@example.com")
    result = run(csv_bytes([row("E1", kind="enterprise"), row("P1", "E1", email="", phone="13800138000")]))
    assert result.file_error is None and codes_of_rows(result) == {"P1": ["no_customer"]}
    saleor.add_user(22, "p1@example.com", phones=("+8613800138000",))
    result = run(csv_bytes([row("E1", kind="enterprise"), row("P1", "E1", email="", phone="13800138000"),
                            row("P2", "E1")]))  # fmt: skip
    assert result.written, result
    users = dict(Distributor.objects.values_list("external_id", "user_id"))
    assert users["E1"] == 21 and users["P1"] == 22
    assert saleor.users[users["P2"]]["email"] == "p2@example.com"  # created in Saleor by the real run


def codes_of_rows(result) -> dict[str, list[str]]:
    return {r["external_id"]: [e["code"] for e in r["errors"]] for r in result.error_rows}


def test_saleor_down_or_too_old_fails_the_import_clearly_and_writes_nothing(app_mode, saleor):
    saleor.down = True
    result = run(csv_bytes([row("E1", kind="enterprise")]))
    assert result.file_error["code"] == "host_unavailable" and "Try again" in result.file_error["message"]
    assert not result.written and not Distributor.objects.exists()
    saleor.down = False
    saleor.before_3_22 = True
    with pytest.raises(HostUnavailable, match="3\\.22"):
        ask(CustomerRequest("", "13800138000", "x"), create=False)
    assert ask(CustomerRequest("a@example.com", "", "x"), create=False, allowed=False) == [
        CustomerMatch(None)
    ]


# --- WeChat sign-in -----------------------------------------------------------------------------------

SIGN_IN = """mutation($slug: String!, $code: String!) {
  centerSignIn(storefront: $slug, code: $code) { token expiresIn bound errors { field code message } } }"""
ME = '{ centerApplication(channel: "default-channel") { suggestedInviter { referralCode } } }'


def test_wechat_sign_in_makes_one_saleor_customer_and_a_center_token(app_mode, saleor, client, shop, mp):  # noqa: F811
    answer = gql(client, SIGN_IN, {"slug": "xiaowang", "code": mp.web.oauth_code(SHOP_APP, "o-new")}).json()
    signed = answer["data"]["centerSignIn"]
    assert signed["errors"] == [] and signed["bound"] is True and signed["expiresIn"] == 3600
    (pk,) = saleor.users
    email = wechat_email(app_id=SHOP_APP, openid="o-new", unionid="")
    assert saleor.users[pk]["email"] == email and saleor.users[pk]["isActive"]
    assert saleor.users[pk]["privateMetadata"] == {METADATA_KEY: f"{SHOP_APP}:o-new"}
    assert WeChatIdentity.objects.get(openid="o-new").user_id == pk
    principal = principal_from_token(signed["token"])
    assert (principal.user_id, principal.is_staff, principal.permissions) == (pk, False, frozenset())
    assert principal.email == email
    me = gql(client, ME, token=signed["token"])
    assert me.status_code == 200 and me.json()["data"]["centerApplication"]["suggestedInviter"] == {
        "referralCode": shop.distributor.referral_code
    }
    again = gql(client, SIGN_IN, {"slug": "xiaowang", "code": mp.web.oauth_code(SHOP_APP, "o-new")}).json()
    assert principal_from_token(again["data"]["centerSignIn"]["token"]).user_id == pk
    assert len(saleor.users) == 1


def test_an_existing_account_is_found_and_a_lost_race_finds_the_winner(app_mode, saleor, monkeypatch):
    sessions = SaleorApiCustomerSessions()
    email = wechat_email(app_id="wxa", openid="o-1", unionid="u-1")
    saleor.add_user(31, email)
    assert sessions.customer_for_wechat(app_id="wxa", openid="o-1", unionid="u-1", nickname="n") == 31
    # another process created the account between our look-up and our customerCreate
    from saleor_wechat_distribution.app import customer_sessions

    monkeypatch.setattr(customer_sessions, "users_by_email", lambda client, emails: {})
    assert sessions.customer_for_wechat(app_id="wxa", openid="o-1", unionid="u-1", nickname="n") == 31
    assert len(saleor.users) == 1


def test_a_center_token_stops_working_when_the_customer_is_deactivated(app_mode, saleor, client, settings):
    import time

    settings.WECHAT_DISTRIBUTION_TOKEN_RECHECK_S = 1
    saleor.add_user(41, "c@example.com")
    token = SaleorApiCustomerSessions().issue_token(user_id=41).token
    assert gql(client, "{ __typename }", token=token).status_code == 200
    assert gql(client, "{ __typename }", token=token).status_code == 200
    assert saleor.operation_counts["WeChatDistributionUser"] == 2  # one at issue, one check (then cached)
    saleor.deactivate(41)
    time.sleep(1.1)
    assert gql(client, "{ __typename }", token=token).status_code == 401
    with pytest.raises(AuthenticationFailed, match="expired"):
        principal_from_token(center_token_encode(user_id=41, email="", audience=saleor.api_url, ttl=-5))
    with pytest.raises(AuthenticationFailed, match="Invalid token"):  # another instance's
        principal_from_token(
            center_token_encode(user_id=41, email="", audience="http://other/graphql/", ttl=60)
        )


def test_saleor_down_during_sign_in_is_a_coded_error_and_keeps_nothing(app_mode, saleor, client, shop, mp):  # noqa: F811
    saleor.down = True
    answer = gql(client, SIGN_IN, {"slug": "xiaowang", "code": mp.web.oauth_code(SHOP_APP, "o-down")})
    assert answer.status_code == 200
    assert answer.json()["errors"][0]["extensions"]["exception"]["code"] == "HOST_UNAVAILABLE"
    assert not WeChatIdentity.objects.filter(openid="o-down").exists()


def test_many_new_customers_take_few_requests(app_mode, saleor):
    saleor.add_user(51, "p7@example.com")  # already in Saleor: found, not created
    people = [CustomerRequest(f"p{i}@example.com", "", f"P {i}") for i in range(30)]
    matches = SaleorApiCustomerDirectory(lambda: True).find_or_create_customers(people, create=True)
    assert all(m.user_id is not None for m in matches) and len({m.user_id for m in matches}) == 30
    assert matches[7] == CustomerMatch(51)
    assert saleor.operation_counts["WeChatDistributionCustomersCreate"] == 2  # 29 accounts, 25 per request
    assert saleor.operation_counts["WeChatDistributionUsersByEmail"] == 1  # 30 e-mails, 50 per request


MINI_SIGN_IN = """mutation($code: String!) { miniProgramSignIn(channel: "default-channel", code: $code) {
  token openid errors { code } } }"""


def test_mini_program_sign_in_gets_the_same_saleor_customer_and_a_center_token(
    app_mode,
    saleor,
    client,
    shop,  # noqa: F811
    mp,  # noqa: F811
    mini,  # noqa: F811
):
    first = gql(client, MINI_SIGN_IN, {"code": mp.wx_login(MINI_APP, "mini-o1")}).json()
    answer = first["data"]["miniProgramSignIn"]
    assert answer["errors"] == [] and answer["openid"] == "mini-o1"
    (pk,) = saleor.users
    assert saleor.users[pk]["email"] == wechat_email(app_id=MINI_APP, openid="mini-o1", unionid="")
    assert principal_from_token(answer["token"]).user_id == pk
    again = gql(client, MINI_SIGN_IN, {"code": mp.wx_login(MINI_APP, "mini-o1")}).json()
    assert principal_from_token(again["data"]["miniProgramSignIn"]["token"]).user_id == pk
    assert len(saleor.users) == 1
