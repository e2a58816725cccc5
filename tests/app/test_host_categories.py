"""App mode's category catalog (``app/categories.py``): the console's rules editor picks a commission rule's
category from Saleor's categories read through its API (``programCategories``), each shown with its path
in Saleor's category tree; the ids are the ones App mode's order lines carry."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution.app.host_client import app_client
from saleor_wechat_distribution.app.orders import order_fetch, order_snapshot

from .conftest import gql
from .fake_saleor import gid

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]

CATEGORIES = """query($search: String, $ids: [ID!], $first: Int, $after: String) {
  programCategories(search: $search, ids: $ids, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id name path ancestors } }
  }
}"""


@pytest.fixture
def tree(saleor) -> dict[str, str]:
    return {
        "appliances": saleor.add_category(1, "Appliances", slug="appliances"),
        "fridges": saleor.add_category(2, "Refrigerators", parent=1, slug="refrigerators"),
        "french": saleor.add_category(3, "French-door", parent=2, description="Wide refrigerators"),
        "kitchen": saleor.add_category(4, "Kitchen", slug="kitchen"),
        "kettles": saleor.add_category(5, "Kettles", parent=4),
    }


@pytest.fixture
def staff(app_mode, saleor) -> str:
    return saleor.token(5, is_staff=True, permissions=["MANAGE_PLUGINS"])


def categories(client, token: str, **variables) -> dict:
    answer = gql(client, CATEGORIES, variables, token).json()
    assert "errors" not in answer, answer
    return answer["data"]["programCategories"]


def test_search_shows_each_category_with_its_path(client, saleor, tree, staff):
    found = categories(client, staff, search="refrigerator")
    assert [e["node"] for e in found["edges"]] == [
        {"id": tree["french"], "name": "French-door", "path": "Appliances / Refrigerators / French-door",
         "ancestors": ["Appliances", "Refrigerators"]},  # its description names refrigerators
        {"id": tree["fridges"], "name": "Refrigerators", "path": "Appliances / Refrigerators",
         "ancestors": ["Appliances"]},
    ]  # fmt: skip
    assert saleor.operation_counts["WeChatDistributionCategorySearch"] == 1


def test_pages_in_name_order(client, tree, staff):
    first = categories(client, staff, first=3)
    assert [e["node"]["path"] for e in first["edges"]] == [
        "Appliances", "Appliances / Refrigerators / French-door", "Kitchen / Kettles"
    ]  # fmt: skip
    assert first["pageInfo"]["hasNextPage"]
    rest = categories(client, staff, first=3, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["name"] for e in rest["edges"]] == ["Kitchen", "Refrigerators"]
    assert rest["pageInfo"]["hasNextPage"] is False
    odd = categories(client, staff, after="not-a-cursor")  # a cursor Saleor refuses: an empty page
    assert odd["edges"] == [] and odd["pageInfo"]["hasNextPage"] is False


def test_the_rules_categories_by_id_in_one_call(client, saleor, tree, staff):
    ids = [tree["kettles"], gid("Product", 2), "refrigerators", tree["appliances"], tree["kettles"]]
    found = categories(client, staff, ids=ids)
    # a product's id is no category's (Saleor would find category 2 for it), nor a slug
    assert [e["node"]["path"] for e in found["edges"]] == ["Kitchen / Kettles", "Appliances"]
    assert saleor.operation_counts["WeChatDistributionCategories"] == 1
    assert categories(client, staff, ids=["garbage"])["edges"] == []
    assert saleor.operation_counts["WeChatDistributionCategories"] == 1, "nothing to ask Saleor"


def test_the_category_of_an_order_line_is_one_the_picker_names(client, saleor, tree, staff):
    """Rules match lines by the category id App mode reads on the order (``orders.py``)."""
    order = saleor.add_order("9", (1, 1, "100.00"))
    (line,) = order_snapshot(order_fetch(app_client(), order["id"])).lines
    assert line.category_id == tree["appliances"]
    found = categories(client, staff, ids=[line.category_id])
    assert [(e["node"]["id"], e["node"]["name"]) for e in found["edges"]] == [
        (line.category_id, "Appliances")
    ]


def test_saleor_down_is_a_coded_error(client, saleor, tree, staff):
    assert categories(client, staff, search="kit")["edges"]  # the token's check is cached
    saleor.down = True
    for variables in ({"search": "kit"}, {"ids": [tree["kitchen"]]}):
        answer = gql(client, CATEGORIES, variables, staff)
        assert answer.status_code == 200
        error = answer.json()["errors"][0]
        assert error["extensions"]["exception"]["code"] == "HOST_UNAVAILABLE" and "Saleor" in error["message"]


def test_refused_without_manage_plugins(client, saleor, app_mode, tree):
    token = saleor.token(6, is_staff=True, permissions=["MANAGE_ORDERS"])
    answer = gql(client, CATEGORIES, {"search": "kit"}, token).json()
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    assert saleor.operation_counts["WeChatDistributionCategorySearch"] == 0
