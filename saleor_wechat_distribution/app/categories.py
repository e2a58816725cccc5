"""``ports_center.CategoryCatalog`` over Saleor's GraphQL API (App mode's ``saleor_adapter/categories.py``):
the console's rules editor picks a commission rule's category from Saleor's categories.

``categories`` needs no permission in Saleor's schema (a storefront reads the category tree), so it is
read without the App's token (``host_client.shopper_client``), like the product catalog.

- ids: Saleor's global ids (``Category:<pk>``), as App mode's order lines carry them (``orders.py``);
  Saleor's ``filter: {ids}`` does not check an id's type (a ``Product:<pk>`` would find the category with
  that pk) and fails the whole request on an id it cannot read, so only category ids are sent;
- path: the category's ``ancestors`` (root first, by their ``level``), at most ``ANCESTORS_MAX`` deep;
- search: Saleor's ``filter: {search}`` (a substring of the name, slug or description: what the plugin's
  ORM query matches); pages in ``sortBy: NAME`` order, the cursor is Saleor's (opaque). A cursor Saleor
  refuses is a page with nothing on it.
"""

from __future__ import annotations

from typing import Any

from ..ports_center import CategoryPage, HostCategory
from .catalog import SALEOR_PAGE_MAX, is_saleor_id
from .host_client import asking, shopper_client
from .saleor_api import SaleorApiError

#: deeper category trees than this are not seen in shops; the path keeps the top ones
ANCESTORS_MAX = 20

_NODE = f"id name level ancestors(first: {ANCESTORS_MAX}) {{ edges {{ node {{ name level }} }} }}"

SEARCH_QUERY = f"""
query WeChatDistributionCategorySearch($first: Int!, $after: String, $search: String) {{
  categories(first: $first, after: $after, filter: {{search: $search}},
             sortBy: {{field: NAME, direction: ASC}}) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {_NODE} }} }}
  }}
}}
"""
GET_QUERY = f"""
query WeChatDistributionCategories($first: Int!, $ids: [ID!]!) {{
  categories(first: $first, filter: {{ids: $ids}}) {{
    edges {{ node {{ {_NODE} }} }}
  }}
}}
"""


def is_category_id(category_id: str) -> bool:
    return is_saleor_id(category_id, "Category")


def category(node: dict[str, Any]) -> HostCategory:
    edges = (node.get("ancestors") or {}).get("edges") or ()
    above = [e["node"] for e in edges if isinstance(e, dict) and isinstance(e.get("node"), dict)]
    return HostCategory(
        category_id=node["id"],
        name=node.get("name") or "",
        ancestors=tuple(a.get("name") or "" for a in sorted(above, key=lambda a: a.get("level") or 0)),
    )


def _categories(connection: dict[str, Any] | None) -> list[HostCategory]:
    edges = (connection or {}).get("edges") or ()
    return [category(e["node"]) for e in edges if isinstance(e, dict) and isinstance(e.get("node"), dict)]


class SaleorApiCategoryCatalog:
    def categories_search(self, *, query: str, first: int, after: str | None = None) -> CategoryPage:
        variables = {
            "first": max(1, min(first, SALEOR_PAGE_MAX)),
            "after": after or None,
            "search": (query or "").strip() or None,
        }
        client = shopper_client()
        with asking("category search"):
            try:
                data = client.query(SEARCH_QUERY, variables)
            except SaleorApiError:
                if not after:
                    raise
                return CategoryPage(items=(), has_next=False, end_cursor=after)  # a cursor Saleor refuses
        connection = data.get("categories") or {}
        page_info = connection.get("pageInfo") or {}
        return CategoryPage(
            items=tuple(_categories(connection)),
            has_next=bool(page_info.get("hasNextPage")),
            end_cursor=page_info.get("endCursor") or after,
        )

    def categories_get(self, *, category_ids: list[str]) -> dict[str, HostCategory]:
        ids = list(dict.fromkeys(c for c in category_ids if is_category_id(c)))
        if not ids:
            return {}
        client = shopper_client()
        found: dict[str, HostCategory] = {}
        with asking("categories by id"):
            for start in range(0, len(ids), SALEOR_PAGE_MAX):
                chunk = ids[start : start + SALEOR_PAGE_MAX]
                data = client.query(GET_QUERY, {"first": len(chunk), "ids": chunk})
                found.update((c.category_id, c) for c in _categories(data.get("categories")))
        return found
