"""A storefront that binds another Official Account detaches the one it had: the old row stays (identities,
QR codes name its app id) but serves nobody, its secrets are wiped and its cached tokens dropped."""

# ruff: noqa: F811 - pytest fixtures imported by name
from __future__ import annotations

from saleor_wechat_distribution.models import OfficialAccount, QrCode
from saleor_wechat_distribution.sealing import unseal
from saleor_wechat_distribution.testing.factories import customer, make_distributor
from saleor_wechat_distribution.wechat.mp import CacheSessionStorage
from tests.graphql.conftest import gql  # noqa: F401 - fixture

from .conftest import CHANNEL, SHOP_APP
from .messages import callback, event_xml
from .test_component import AUTH_APP, COMPLETE, notice, push_ticket
from .test_storefront_api import BIND

NEW_APP = "wxnewshop00000001"
QR = '{ storefront(slug: "xiaowang") { appId qrCode { appId } officialAccount { appId status } } }'
PREPARE_QR = "mutation { storefrontQrCodeCreate { qrCode { appId } errors { code } } }"
SECRET_FIELDS = ("app_secret_sealed", "token_sealed", "aes_key_sealed", "refresh_token_sealed")


def cached_token(app_id: str) -> str | None:
    return CacheSessionStorage().get(f"{app_id}_access_token")


def bind(gql, principal, remote, **variables):
    values = {"appId": remote.app_id, "appSecret": remote.secret, "token": remote.token}
    answer = gql(BIND, {"input": values, **variables}, principal)["data"]["storefrontAccountBind"]
    assert answer["errors"] == [], answer
    return answer


def assert_detached(app_id: str) -> OfficialAccount:
    old = OfficialAccount.objects.get(app_id=app_id)
    assert old.storefront_id is None and old.status == OfficialAccount.Status.DETACHED
    assert all(getattr(old, name) == "" for name in SECRET_FIELDS)
    assert old.access_token_expires_at is None
    assert cached_token(app_id) is None
    return old


def test_binding_another_account_by_credentials_detaches_the_old_one(
    client,
    gql,
    shop,
    mp,
    django_capture_on_commit_callbacks,
):
    # the old account has a cached token and a QR code
    prepared = gql(PREPARE_QR, principal=shop.owner)["data"]["storefrontQrCodeCreate"]
    assert prepared["qrCode"]["appId"] == SHOP_APP
    assert gql(QR, principal=shop.owner)["data"]["storefront"]["qrCode"]["appId"] == SHOP_APP
    assert cached_token(SHOP_APP)
    remote = mp.add_account(NEW_APP)
    with django_capture_on_commit_callbacks(execute=True):
        answer = bind(gql, shop.owner, remote)
    assert answer["storefront"]["officialAccount"]["appId"] == NEW_APP
    assert_detached(SHOP_APP)
    assert QrCode.objects.filter(app_id=SHOP_APP).exists()  # history kept
    # the old account's code no longer shows: the storefront is served by the new account
    assert gql(QR, principal=shop.owner)["data"]["storefront"]["qrCode"] is None
    gql(PREPARE_QR, principal=shop.owner)
    shown = gql(QR, principal=shop.owner)["data"]["storefront"]
    assert shown == {"appId": NEW_APP, "qrCode": {"appId": NEW_APP},
                     "officialAccount": {"appId": NEW_APP, "status": "active"}}  # fmt: skip
    # WeChat keeps calling the old account's callback URL: refused, nothing written
    query, body = callback(shop.fake, event_xml("o-1", "subscribe"))
    assert client.post(f"/wechat/{SHOP_APP}/?{query}", body, content_type="text/xml").status_code == 404


def test_a_detached_account_can_be_bound_again_elsewhere(
    gql,
    shop,
    mp,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        bind(gql, shop.owner, mp.add_account(NEW_APP))
    other = customer()
    make_distributor(principal=other)
    created = gql(
        'mutation($c: String!) { storefrontUpdate(input: {slug: "others", title: "T", channel: $c}) '
        "{ errors { code } } }",
        {"c": CHANNEL},
        other,
    )
    assert created["data"]["storefrontUpdate"]["errors"] == []
    answer = bind(gql, other, shop.fake)
    assert answer["storefront"]["slug"] == "others"
    again = OfficialAccount.objects.get(app_id=SHOP_APP)
    assert again.status == OfficialAccount.Status.ACTIVE and again.storefront.slug == "others"
    assert unseal(again.app_secret_sealed) == shop.fake.secret


def test_rebinding_the_same_account_keeps_it(gql, shop, mp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bind(gql, shop.owner, shop.fake)
    account = OfficialAccount.objects.get(app_id=SHOP_APP)
    assert account.status == OfficialAccount.Status.ACTIVE and account.storefront_id == shop.storefront.pk
    assert cached_token(SHOP_APP)  # the verification's token
    assert OfficialAccount.objects.filter(status=OfficialAccount.Status.DETACHED).count() == 0


def test_a_refused_binding_detaches_nothing(gql, shop, mp, django_capture_on_commit_callbacks):
    remote = mp.add_account(NEW_APP)
    values = {"appId": remote.app_id, "appSecret": "wrong-secret", "token": "tok123"}
    with django_capture_on_commit_callbacks(execute=True):
        answer = gql(BIND, {"input": values}, shop.owner)["data"]["storefrontAccountBind"]
    assert [e["code"] for e in answer["errors"]] == ["ACCOUNT_VERIFICATION_FAILED"]
    account = OfficialAccount.objects.get(app_id=SHOP_APP)
    assert account.status == OfficialAccount.Status.ACTIVE and account.storefront_id == shop.storefront.pk
    assert unseal(account.app_secret_sealed) == shop.fake.secret


def test_authorizing_through_the_open_platform_detaches_the_credentials_account_and_back(
    client,
    gql,
    shop,
    mp,
    django_capture_on_commit_callbacks,
):
    mp.add_account(AUTH_APP)
    push_ticket(client, mp)
    with django_capture_on_commit_callbacks(execute=True):
        answer = gql(COMPLETE, {"code": mp.authorize(AUTH_APP)}, shop.owner)
    assert answer["data"]["storefrontAccountAuthorizationComplete"]["errors"] == []
    assert_detached(SHOP_APP)
    authorized = OfficialAccount.objects.get(app_id=AUTH_APP)
    assert authorized.refresh_token_sealed and authorized.access_token_expires_at is not None
    assert cached_token(AUTH_APP)
    # and back to credentials: the authorized account loses its refresh token and cached token
    with django_capture_on_commit_callbacks(execute=True):
        bind(gql, shop.owner, mp.add_account(NEW_APP))
    assert_detached(AUTH_APP)
    assert OfficialAccount.objects.get(storefront=shop.storefront).app_id == NEW_APP


def test_open_platform_notices_do_not_revive_a_detached_account(
    client, gql, shop, mp, django_capture_on_commit_callbacks
):
    mp.add_account(AUTH_APP)
    push_ticket(client, mp)
    assert (
        gql(COMPLETE, {"code": mp.authorize(AUTH_APP)}, shop.owner)["data"][
            "storefrontAccountAuthorizationComplete"
        ]["errors"]
        == []
    )
    with django_capture_on_commit_callbacks(execute=True):
        bind(gql, shop.owner, mp.add_account(NEW_APP))
    fields = {
        "InfoType": "updateauthorized",
        "AuthorizerAppid": AUTH_APP,
        "AuthorizationCode": mp.authorize(AUTH_APP),
    }
    for info in (fields, {"InfoType": "unauthorized", "AuthorizerAppid": AUTH_APP}):
        query, body = notice(mp, info)
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(f"/wechat/component/?{query}", body, content_type="text/xml")
        assert answer.content == b"success"
        assert_detached(AUTH_APP)
    # a new authorization (the completion mutation) binds it again
    with django_capture_on_commit_callbacks(execute=True):
        answer = gql(COMPLETE, {"code": mp.authorize(AUTH_APP)}, shop.owner)
    assert answer["data"]["storefrontAccountAuthorizationComplete"]["errors"] == []
    account = OfficialAccount.objects.get(app_id=AUTH_APP)
    assert account.status == OfficialAccount.Status.ACTIVE and account.storefront_id == shop.storefront.pk
    assert_detached(NEW_APP)
