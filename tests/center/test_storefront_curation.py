"""Curating my storefront from the brand's catalog (the sandbox's demo catalog): search, add, remove,
reorder; what customers see keeps the order; refusals are coded and change nothing; concurrent edits
from two phones lose nothing."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution.models import ChannelProgram, Storefront
from saleor_wechat_distribution.services.storefront_curation import storefront_product_add
from saleor_wechat_distribution.testing.concurrency import run_concurrently
from saleor_wechat_distribution.testing.factories import customer, make_distributor

CATALOG = """query($search: String, $after: String) {
  centerCatalog(search: $search, first: 3, after: $after) { pageInfo { hasNextPage endCursor }
  edges { node { id title price { amount currency } inStorefront shareLink } }
} }"""
MINE = "{ myStorefront { storefront { slug allProducts productIds } products { id title inStorefront } } }"
ADD = """mutation($p: ID!, $pos: Int) { storefrontProductAdd(productId: $p, position: $pos) {
  storefront { allProducts productIds } errors { field code message } } }"""
REMOVE = """mutation($p: ID!) { storefrontProductRemove(productId: $p) {
  storefront { productIds } errors { field code } } }"""
REORDER = """mutation($ids: [ID!]!) { storefrontProductsReorder(productIds: $ids) {
  storefront { productIds } errors { field code } } }"""


@pytest.fixture
def owner(db):
    ChannelProgram.objects.create(channel="default-channel", storefront_base_url="https://shop.example.com")
    principal = customer()
    distributor = make_distributor(principal=principal, name="小王")
    Storefront.objects.create(
        distributor=distributor, slug="xiaowang", title="小王精选", channel="default-channel"
    )
    return principal


def ids(gql, owner) -> list[str]:
    return gql(MINE, principal=owner)["data"]["myStorefront"]["storefront"]["productIds"]


def test_search_the_catalog_in_pages(gql, owner):
    page = gql(CATALOG, {"search": "冰箱"}, owner)["data"]["centerCatalog"]
    assert [e["node"]["id"] for e in page["edges"]] == ["fridge-bcd-520", "fridge-bcd-310"]
    assert page["edges"][0]["node"]["price"] == {"amount": "4999.00", "currency": "CNY"}
    assert page["edges"][0]["node"]["inStorefront"] is True  # "everything the brand offers" so far
    assert page["edges"][0]["node"]["shareLink"].startswith(
        "https://shop.example.com/products/fridge-bcd-520/"
    )
    everything = gql(CATALOG, {}, owner)["data"]["centerCatalog"]
    assert len(everything["edges"]) == 3 and everything["pageInfo"]["hasNextPage"]
    nxt = gql(CATALOG, {"after": everything["pageInfo"]["endCursor"]}, owner)["data"]["centerCatalog"]
    assert {e["node"]["id"] for e in nxt["edges"]}.isdisjoint({e["node"]["id"] for e in everything["edges"]})
    assert gql(CATALOG, {"search": "no such thing"}, owner)["data"]["centerCatalog"]["edges"] == []


def test_add_remove_and_reorder(gql, owner):
    first = gql(ADD, {"p": "kettle-sw-15"}, owner)["data"]["storefrontProductAdd"]
    assert first["errors"] == [] and first["storefront"] == {
        "allProducts": False,
        "productIds": ["kettle-sw-15"],
    }
    gql(ADD, {"p": "fridge-bcd-520"}, owner)
    gql(ADD, {"p": "vacuum-v8", "pos": 0}, owner)
    assert ids(gql, owner) == ["vacuum-v8", "kettle-sw-15", "fridge-bcd-520"]
    again = gql(ADD, {"p": "kettle-sw-15"}, owner)["data"]["storefrontProductAdd"]  # already there: no change
    assert again["storefront"]["productIds"] == ["vacuum-v8", "kettle-sw-15", "fridge-bcd-520"]
    gql(ADD, {"p": "fridge-bcd-520", "pos": 0}, owner)  # moves
    assert ids(gql, owner) == ["fridge-bcd-520", "vacuum-v8", "kettle-sw-15"]
    removed = gql(REMOVE, {"p": "vacuum-v8"}, owner)["data"]["storefrontProductRemove"]
    assert removed["storefront"]["productIds"] == ["fridge-bcd-520", "kettle-sw-15"]
    reordered = gql(REORDER, {"ids": ["kettle-sw-15", "fridge-bcd-520"]}, owner)["data"][
        "storefrontProductsReorder"
    ]
    assert reordered["storefront"]["productIds"] == ["kettle-sw-15", "fridge-bcd-520"]
    mine = gql(MINE, principal=owner)["data"]["myStorefront"]
    assert [p["id"] for p in mine["products"]] == ["kettle-sw-15", "fridge-bcd-520"]
    assert all(p["inStorefront"] for p in mine["products"])
    listed = gql(CATALOG, {"search": "Refrigerator"}, owner)["data"]["centerCatalog"]["edges"]
    assert {e["node"]["id"]: e["node"]["inStorefront"] for e in listed} == {
        "fridge-bcd-520": True, "fridge-bcd-310": False,
    }  # fmt: skip


def test_refusals_are_coded_and_change_nothing(gql, owner):
    gql(ADD, {"p": "kettle-sw-15"}, owner)
    cases = [
        (ADD, {"p": "no-such-product"}, "PRODUCT_NOT_FOUND"),
        (ADD, {"p": "   "}, "INVALID"),
        (ADD, {"p": "fridge-bcd-520", "pos": 5}, "INVALID"),
        (REMOVE, {"p": "fridge-bcd-520"}, "PRODUCT_NOT_FOUND"),
        (REORDER, {"ids": ["kettle-sw-15", "fridge-bcd-520"]}, "INVALID"),
        (REORDER, {"ids": ["kettle-sw-15", "kettle-sw-15"]}, "INVALID"),
        (REORDER, {"ids": []}, "INVALID"),
        (REORDER, {"ids": ["x"] * 501}, "TOO_LONG"),
    ]
    for query, variables, code in cases:
        (payload,) = gql(query, variables, owner)["data"].values()
        assert [e["code"] for e in payload["errors"]] == [code], (variables, payload)
    assert ids(gql, owner) == ["kettle-sw-15"]


def test_the_brand_decides_what_may_be_offered(gql, owner):
    Storefront.objects.create(
        slug="brand-shop",
        title="Brand",
        channel="default-channel",
        all_products=False,
        product_ids=["kettle-sw-15"],
    )
    refused = gql(ADD, {"p": "fridge-bcd-520"}, owner)["data"]["storefrontProductAdd"]
    assert [e["code"] for e in refused["errors"]] == ["PRODUCT_NOT_ALLOWED"]
    assert gql(ADD, {"p": "kettle-sw-15"}, owner)["data"]["storefrontProductAdd"]["errors"] == []


def test_who_may_curate(gql, owner):
    assert (
        gql(ADD, {"p": "kettle-sw-15"})["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    )
    stranger = gql(ADD, {"p": "kettle-sw-15"}, customer())["data"]["storefrontProductAdd"]
    assert [e["code"] for e in stranger["errors"]] == ["NOT_A_DISTRIBUTOR"]
    lonely = customer()
    make_distributor(principal=lonely)
    no_shop = gql(ADD, {"p": "kettle-sw-15"}, lonely)["data"]["storefrontProductAdd"]
    assert [e["code"] for e in no_shop["errors"]] == ["NOT_FOUND"]
    assert gql(MINE, principal=lonely)["data"]["myStorefront"] is None
    assert gql(CATALOG, {}, lonely)["errors"][0]["extensions"]["exception"]["code"] == "NOT_FOUND"


def test_two_phones_adding_at_once_lose_nothing(transactional_db):
    ChannelProgram.objects.create(channel="default-channel")
    principal = customer()
    distributor = make_distributor(principal=principal)
    Storefront.objects.create(distributor=distributor, slug="xiaowang", title="t", channel="default-channel")
    products = ["kettle-sw-15", "fridge-bcd-520", "vacuum-v8", "microwave-m23"]
    calls = [lambda p=p: storefront_product_add(principal=principal, product_id=p) for p in products]
    results = run_concurrently(calls)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(Storefront.objects.get(slug="xiaowang").product_ids) == sorted(products)
