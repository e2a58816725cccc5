"""Saleor's category tree is what the console's rules editor picks a commission rule's category from
(``programCategories`` over ``saleor_adapter/categories.py``): each category with its path, ids as order
lines carry them; App mode (``app/categories.py``, through Saleor's own schema) answers the same."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from graphql_relay import to_global_id
from saleor.product.models import Category, Product

from saleor_wechat_distribution.app.categories import SaleorApiCategoryCatalog
from saleor_wechat_distribution.models import CommissionRule
from saleor_wechat_distribution.saleor_adapter.categories import SaleorCategoryCatalog
from saleor_wechat_distribution.saleor_adapter.snapshots import line_snapshot

from .saleor_fixtures import post_ours
from .test_app_host_in_saleor import app_mode  # noqa: F401 - the shared fixture
from .test_in_saleor import plugin_update, shop  # noqa: F401 - shop: a fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]

CATEGORIES = """query($search: String, $ids: [ID!]) {
  programCategories(search: $search, ids: $ids, first: 10) { edges { node { id name path ancestors } } }
}"""
RULES_SET = """mutation($channel: String!, $category: String!) {
  commissionRulesSet(channel: $channel,
                     rules: [{level: 1, rate: "10"}, {level: 1, rate: "15", categoryId: $category}]) {
    rules { categoryId } errors { field code message } } }"""


def gid(category: Category) -> str:
    return to_global_id("Category", category.pk)


@pytest.fixture
def tree() -> dict[str, Category]:
    appliances = Category.objects.create(name="Appliances", slug="wd-appliances")
    fridges = Category.objects.create(name="Refrigerators", slug="wd-refrigerators", parent=appliances)
    french = Category.objects.create(
        name="French-door", slug="wd-french-door", parent=fridges, description_plaintext="wide refrigerators"
    )
    kitchen = Category.objects.create(name="Kitchen", slug="wd-kitchen")
    kettles = Category.objects.create(name="Kettles", slug="wd-kettles", parent=kitchen)
    return {"appliances": appliances, "fridges": fridges, "french": french, "kitchen": kitchen,
            "kettles": kettles}  # fmt: skip


def test_staff_pick_a_rules_category_from_saleors_tree(
    shop,  # noqa: F811 - the fixture imported above
    tree,
    e2e_staff_api_client,
    e2e_logged_api_client,
):
    channel = shop["channel"]
    slug = channel["slug"]
    assert plugin_update(e2e_staff_api_client, channel["id"])["errors"] == []
    product = Product.objects.get()
    product.category = tree["fridges"]
    product.save(update_fields=["category"])

    def ours(client, query, **variables):
        answer = post_ours(client, slug, "graphql/", {"query": query, "variables": variables})
        assert answer.status_code == 200, answer.content
        return answer.json()

    found = ours(e2e_staff_api_client, CATEGORIES, search="refriger")["data"]["programCategories"]
    assert [e["node"] for e in found["edges"]] == [
        {"id": gid(tree["french"]), "name": "French-door", "path": "Appliances / Refrigerators / French-door",
         "ancestors": ["Appliances", "Refrigerators"]},  # its description names refrigerators
        {"id": gid(tree["fridges"]), "name": "Refrigerators", "path": "Appliances / Refrigerators",
         "ancestors": ["Appliances"]},
    ]  # fmt: skip
    ids = [
        gid(tree["kettles"]),
        to_global_id("Product", tree["fridges"].pk),
        "garbage",
        gid(tree["appliances"]),
    ]
    named = ours(e2e_staff_api_client, CATEGORIES, ids=ids)["data"]["programCategories"]
    assert [e["node"]["path"] for e in named["edges"]] == ["Kitchen / Kettles", "Appliances"]

    picked = found["edges"][1]["node"]["id"]
    saved = ours(e2e_staff_api_client, RULES_SET, channel=slug, category=picked)["data"]["commissionRulesSet"]
    assert saved["errors"] == []
    assert CommissionRule.objects.get(channel=slug, category_id__isnull=False).rate == Decimal("15")
    # the id the rule keeps is the one an order line of the product carries
    variant = product.variants.first()
    line = SimpleNamespace(id=1, variant=variant, variant_id=variant.pk, quantity=1, total_price_net_amount=1)
    assert line_snapshot(line).category_id == picked

    refused = ours(e2e_logged_api_client, CATEGORIES, search="kit")
    assert refused["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_pages_in_name_order_with_paths_read_in_one_query(tree, django_assert_max_num_queries):
    catalog, seen, after = SaleorCategoryCatalog(), [], None
    expected = list(Category.objects.order_by("name", "slug").values_list("name", flat=True))
    while True:
        with django_assert_max_num_queries(2):  # the page, its ancestors
            page = catalog.categories_search(query="", first=2, after=after)
        seen.extend(c.name for c in page.items)
        if not page.has_next:
            break
        after = page.end_cursor
    assert seen == expected
    assert catalog.categories_search(query="", first=5, after="not-a-cursor").items[0].name == expected[0]
    assert catalog.categories_search(query="no such category", first=5).items == ()
    assert catalog.categories_get(category_ids=[gid(tree["kettles"]), "garbage", "Q2F0ZWdvcnk6eA=="]) == {
        gid(tree["kettles"]): catalog.categories_search(query="kettles", first=1).items[0]
    }


def test_app_mode_reads_the_same_categories(app_mode, tree):  # noqa: F811
    ours, plugin = SaleorApiCategoryCatalog(), SaleorCategoryCatalog()

    def everything(catalog, query):
        found, after = [], None
        while True:
            page = catalog.categories_search(query=query, first=2, after=after)
            found.extend(page.items)
            if not page.has_next:
                return found
            after = page.end_cursor

    for query in ("", "refriger", "KIT"):
        assert everything(ours, query) == everything(plugin, query) != []
    ids = [gid(c) for c in tree.values()] + [to_global_id("Product", tree["kitchen"].pk), "garbage"]
    assert ours.categories_get(category_ids=ids) == plugin.categories_get(category_ids=ids)
    assert len(ours.categories_get(category_ids=ids)) == 5
