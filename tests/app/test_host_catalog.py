"""App mode's product catalog (``app/catalog.py``) through the distributor center's GraphQL at the App's
``/graphql/``, signed in with a Saleor token: search and pages as a shopper sees Saleor's products,
curation checked against it, Saleor down -> a coded error and nothing changed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saleor_wechat_distribution.models import ChannelProgram, Storefront
from saleor_wechat_distribution.testing.factories import customer, make_distributor

from .conftest import gql

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]

CATALOG = """query($search: String, $after: String) {
  centerCatalog(search: $search, first: 3, after: $after) { pageInfo { hasNextPage endCursor }
  edges { node { id title price { amount currency } imageUrl inStorefront } }
} }"""
MINE = "{ myStorefront { storefront { productIds } products { id title price { amount } } } }"
ADD = """mutation($p: ID!) { storefrontProductAdd(productId: $p) {
  storefront { productIds } errors { field code message } } }"""
USER = 42


@pytest.fixture
def shop(app_mode, saleor):
    ChannelProgram.objects.create(channel="default-channel", storefront_base_url="https://shop.example.com")
    distributor = make_distributor(principal=customer(USER), name="小王")
    Storefront.objects.create(
        distributor=distributor, slug="xiaowang", title="小王精选", channel="default-channel"
    )
    ids = {
        "fridge-520": saleor.add_product(1, "Haier Fridge BCD-520", "4999.00", image="https://cdn/f520.png"),
        "fridge-310": saleor.add_product(2, "Haier Fridge BCD-310", "2999.50"),
        "kettle": saleor.add_product(3, "Midea Kettle SW-15", "199.00"),
        "vacuum": saleor.add_product(4, "Dyson Vacuum V8", "1999.00"),
        "unpublished": saleor.add_product(5, "Haier Fridge Prototype", "1.00", published=False),
        "hidden": saleor.add_product(6, "Haier Fridge Staff Only", "1.00", visible=False),
        "elsewhere": saleor.add_product(7, "Haier Fridge Export", "1.00", channel="other-channel"),
    }
    return ids


def test_search_and_pages_show_what_a_shopper_sees(client, saleor, shop):
    token = saleor.token(USER)
    page = gql(client, CATALOG, {"search": "fridge"}, token).json()["data"]["centerCatalog"]
    assert [e["node"]["id"] for e in page["edges"]] == [shop["fridge-520"], shop["fridge-310"]]
    first = page["edges"][0]["node"]
    assert first["price"] == {"amount": "4999.00", "currency": "CNY"}
    assert first["title"] == "Haier Fridge BCD-520" and first["imageUrl"] == "https://cdn/f520.png"
    assert page["edges"][1]["node"]["price"]["amount"] == "2999.50"
    everything = gql(client, CATALOG, {}, token).json()["data"]["centerCatalog"]
    assert len(everything["edges"]) == 3 and everything["pageInfo"]["hasNextPage"]
    after = everything["pageInfo"]["endCursor"]
    rest = gql(client, CATALOG, {"after": after}, token).json()["data"]["centerCatalog"]
    assert [e["node"]["id"] for e in rest["edges"]] == [shop["vacuum"]]
    assert rest["pageInfo"]["hasNextPage"] is False
    # a cursor Saleor cannot read is an empty page, not an error
    odd = gql(client, CATALOG, {"after": "not-a-cursor"}, token).json()["data"]["centerCatalog"]
    assert odd["edges"] == [] and odd["pageInfo"]["hasNextPage"] is False
    # read without the App's token: with it Saleor would also list the unpublished and hidden products
    assert saleor.operation_counts["WeChatDistributionProductSearch"] == 4


def test_curation_accepts_only_products_on_sale_in_the_channel(client, saleor, shop):
    token = saleor.token(USER)
    added = gql(client, ADD, {"p": shop["kettle"]}, token).json()["data"]["storefrontProductAdd"]
    assert added == {"storefront": {"productIds": [shop["kettle"]]}, "errors": []}
    for refused in ("unpublished", "hidden", "elsewhere"):
        answer = gql(client, ADD, {"p": shop[refused]}, token).json()["data"]["storefrontProductAdd"]
        assert [e["code"] for e in answer["errors"]] == ["PRODUCT_NOT_FOUND"], refused
    not_saleors = gql(client, ADD, {"p": "kettle-sw-15"}, token).json()["data"]["storefrontProductAdd"]
    assert [e["code"] for e in not_saleors["errors"]] == ["PRODUCT_NOT_FOUND"]
    gql(client, ADD, {"p": shop["fridge-520"]}, token)
    mine = gql(client, MINE, token=token).json()["data"]["myStorefront"]
    assert mine["storefront"]["productIds"] == [shop["kettle"], shop["fridge-520"]]
    assert [(p["id"], p["title"], p["price"]["amount"]) for p in mine["products"]] == [
        (shop["kettle"], "Midea Kettle SW-15", "199.00"),
        (shop["fridge-520"], "Haier Fridge BCD-520", "4999.00"),
    ]


def test_saleor_down_is_a_coded_error_and_changes_nothing(client, saleor, shop):
    token = saleor.token(USER)
    assert gql(client, ADD, {"p": shop["kettle"]}, token).status_code == 200  # the token's check is cached
    saleor.down = True
    answer = gql(client, CATALOG, {"search": "fridge"}, token)
    assert answer.status_code == 200
    error = answer.json()["errors"][0]
    assert error["extensions"]["exception"]["code"] == "HOST_UNAVAILABLE" and "Saleor" in error["message"]
    added = gql(client, ADD, {"p": shop["vacuum"]}, token)
    assert added.status_code == 200
    assert added.json()["errors"][0]["extensions"]["exception"]["code"] == "HOST_UNAVAILABLE"
    assert Storefront.objects.get(slug="xiaowang").product_ids == [shop["kettle"]]


def test_share_posters_and_mini_program_codes_describe_products_through_the_catalog(shop, saleor):
    from saleor_wechat_distribution import conf

    assert conf.has_product_lookup()
    found = conf.product_lookup("default-channel", shop["kettle"])
    assert (found.title, found.price, found.currency) == ("Midea Kettle SW-15", Decimal("199.00"), "CNY")
    assert conf.product_lookup("default-channel", shop["hidden"]) is None


def test_the_host_unavailable_message_follows_accept_language(client, saleor, shop):
    token = saleor.token(USER)
    assert gql(client, MINE, token=token).status_code == 200  # the token's check is cached
    saleor.down = True
    answer = client.post(
        "/graphql/", {"query": CATALOG, "variables": {}}, content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-hans"},
    )  # fmt: skip
    assert answer.json()["errors"][0]["message"] == "Saleor 未响应，未做任何更改。请稍后重试。"
