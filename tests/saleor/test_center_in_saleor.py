"""The distributor center's host side inside Saleor: Saleor's products are the catalog (curation through
our GraphQL route), and WeChat sign-in (the fake WeChat over HTTP, wechatpy's real client) creates or
finds a Saleor customer and hands out Saleor's own JWT, which our route and Saleor's accept, never with
staff rights."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client, TestCase
from graphql_relay import to_global_id
from saleor.account.models import User
from saleor.core.jwt import jwt_decode
from saleor.product.models import Product, ProductChannelListing

from saleor_wechat_distribution import conf
from saleor_wechat_distribution.models import OfficialAccount, Storefront, WeChatIdentity
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.saleor_adapter.customer_sessions import wechat_email
from saleor_wechat_distribution.sealing import seal
from saleor_wechat_distribution.services.distributors import distributor_apply, distributor_approve
from saleor_wechat_distribution.testing.fake_wechat_mp import FakeWeChatMp

from .test_in_saleor import plugin_update, shop  # noqa: F401 - shop: a fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]

APP = "wxcenter000000001"
SIGN_IN = """mutation($code: String!) { centerSignIn(storefront: "brand-shop", code: $code) {
  token expiresIn errors { code } } }"""


def ours(slug: str, body: dict, token: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client().post(
            f"/plugins/channel/{slug}/wechat.distribution/graphql/",
            json.dumps(body),
            content_type="application/json",
            **headers,
        )


@pytest.fixture
def wechat(settings):
    cache.clear()
    with FakeWeChatMp() as world:
        settings.WECHAT_DISTRIBUTION_API_BASE_URL = world.base_url + "/"
        yield world
    cache.clear()
    assert world.errors == []


@pytest.fixture
def center(shop, wechat, e2e_staff_api_client):  # noqa: F811
    channel = shop["channel"]
    assert plugin_update(e2e_staff_api_client, channel["id"])["errors"] == []
    brand = Storefront.objects.create(slug="brand-shop", title="Brand", channel=channel["slug"])
    remote = wechat.add_account(APP)
    OfficialAccount.objects.create(
        storefront=brand, app_id=APP, mode="credentials", app_secret_sealed=seal(remote.secret),
        token_sealed=seal(remote.token), aes_key_sealed=seal(remote.aes_key),
    )  # fmt: skip
    return shop


def test_saleors_products_are_the_catalog(center):
    slug = center["channel"]["slug"]
    product = Product.objects.get()
    catalog = conf.get_product_catalog()
    page = catalog.products_search(channel=slug, query=product.name[:4].lower(), first=5)
    (found,) = page.items
    assert found.product_id == to_global_id("Product", product.pk) and found.title == product.name
    assert found.price > 0 and found.currency == center["channel"]["currencyCode"]
    assert catalog.products_get(channel=slug, product_ids=[found.product_id, "bm9wZToy", "garbage"]) == {
        found.product_id: found
    }
    assert catalog.products_search(channel=slug, query="no such product name", first=5).items == ()
    ProductChannelListing.objects.update(is_published=False)
    assert catalog.products_get(channel=slug, product_ids=[found.product_id]) == {}


def test_wechat_sign_in_creates_a_customer_with_a_saleor_token(center, wechat, e2e_staff_api_client):
    slug = center["channel"]["slug"]
    answer = ours(slug, {"query": SIGN_IN, "variables": {"code": wechat.web.oauth_code(APP, "o-1")}})
    payload = answer.json()["data"]["centerSignIn"]
    assert payload["errors"] == [] and payload["expiresIn"] == 3600
    user = User.objects.get(email=wechat_email(app_id=APP, openid="o-1", unionid=""))
    assert not user.has_usable_password() and not user.is_staff
    assert WeChatIdentity.objects.get(app_id=APP, openid="o-1").user_id == user.pk
    claims = jwt_decode(payload["token"])
    assert claims["type"] == "access" and claims["email"] == user.email and claims["permissions"] == []
    # the token works on our route: apply, then the application shows
    applied = ours(
        slug, {"query": 'mutation { distributorApply(input: {displayName: "小明"}) { errors { code } } }'},
        payload["token"],
    )  # fmt: skip
    assert applied.json()["data"]["distributorApply"]["errors"] == []
    state = ours(slug, {"query": f'{{ centerApplication(channel: "{slug}") {{ status displayName }} }}'},
                 payload["token"])  # fmt: skip
    assert state.json()["data"]["centerApplication"] == {"status": "PENDING", "displayName": "小明"}
    # the same WeChat user again: the same customer
    again = ours(slug, {"query": SIGN_IN, "variables": {"code": wechat.web.oauth_code(APP, "o-1")}})
    assert jwt_decode(again.json()["data"]["centerSignIn"]["token"])["email"] == user.email
    assert User.objects.filter(email__endswith="@wechat.invalid").count() == 1


def test_a_staff_members_wechat_never_carries_staff_rights(center, wechat, e2e_staff_api_client):
    slug = center["channel"]["slug"]
    staff = e2e_staff_api_client.user
    WeChatIdentity.objects.create(app_id=APP, openid="o-staff", user_id=staff.pk)
    applied = distributor_apply(principal=Principal(user_id=staff.pk, email=staff.email), display_name="S")
    distributor_approve(actor=SYSTEM, distributor_id=applied.pk)
    answer = ours(slug, {"query": SIGN_IN, "variables": {"code": wechat.web.oauth_code(APP, "o-staff")}})
    token = answer.json()["data"]["centerSignIn"]["token"]
    staff_only = ours(slug, {"query": "{ distributors(first: 1) { totalCount } }"}, token).json()
    assert staff_only["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    own = ours(slug, {"query": "{ myDistributor { displayName } }"}, token).json()
    assert own["data"]["myDistributor"]["displayName"] == "S"
