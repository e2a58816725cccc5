"""``ports_center.ProductCatalog`` over Saleor's GraphQL API (App mode's ``saleor_adapter/catalog.py``):
the distributor center's search and curation, and share posters' product lookup (``conf.product_lookup``
falls back to the catalog).

Read as a shopper reads it (``host_client.shopper_client``: no token), so "on sale in a channel" is what
Saleor shows a storefront: ``products(channel:)`` for an anonymous caller holds only products whose
listing in the channel is published (publication date passed), visible in listings, with a priced
variant, in an active channel; the plugin's ORM query asks the same. With the App's token (MANAGE_ORDERS)
Saleor would include unpublished and hidden products, and no product permission is needed this way.

- price: the cheapest variant's price as a shopper sees it (``pricing.priceRange.start``: discounts
  applied; gross or net as the channel displays prices). The plugin reads the listing's stored discounted
  price, which is the same amount where prices are entered as displayed;
- image: the product's thumbnail (its first image) at ``IMAGE_SIZE`` px;
- ids: Saleor's global ids (``Product:<pk>``), as order lines carry them;
- search: Saleor's own product search (``search:``, word prefixes over name, description, SKUs and
  attributes: what the storefront's search finds), where the plugin matches a substring of the name or
  slug; pages in creation order, the cursor is Saleor's (opaque). A cursor Saleor refuses is a page
  with nothing on it (the plugin ignores a cursor it cannot read).
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from ..ports import ProductSnapshot
from ..ports_center import ProductPage
from .host_client import asking, shopper_client
from .saleor_api import SaleorApiError

IMAGE_SIZE = 1024
#: Saleor answers at most 100 nodes a page
SALEOR_PAGE_MAX = 100

_NODE = f"""id name thumbnail(size: {IMAGE_SIZE}) {{ url }}
pricing {{ displayGrossPrices priceRange {{ start {{ net {{ amount }} gross {{ amount currency }} }} }} }}"""

SEARCH_QUERY = f"""
query WeChatDistributionProductSearch($channel: String!, $first: Int!, $after: String, $search: String) {{
  products(channel: $channel, first: $first, after: $after, search: $search,
           sortBy: {{field: CREATED_AT, direction: ASC}}) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {_NODE} }} }}
  }}
}}
"""
GET_QUERY = f"""
query WeChatDistributionProducts($channel: String!, $first: Int!, $ids: [ID!]!) {{
  products(channel: $channel, first: $first, where: {{ids: $ids}}) {{
    edges {{ node {{ {_NODE} }} }}
  }}
}}
"""


def is_saleor_id(value: str, type_name: str) -> bool:
    """A Saleor global id of ``type_name`` (``<type>:<pk>``, base64): anything else names nothing of that
    type in Saleor (and Saleor would refuse the whole request for it)."""
    if not isinstance(value, str) or not value or len(value) > 100:
        return False
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return False
    found_type, _, pk = decoded.partition(":")
    return found_type == type_name and pk.isascii() and pk.isdigit()


def is_product_id(product_id: str) -> bool:
    return is_saleor_id(product_id, "Product")


def _amount(money: Any) -> Decimal | None:
    value = money.get("amount") if isinstance(money, dict) else None
    return Decimal(str(value)) if value is not None else None


def snapshot(node: dict[str, Any]) -> ProductSnapshot | None:
    """One product node -> its snapshot; None when Saleor shows no price for it in the channel."""
    pricing = node.get("pricing") or {}
    start = (pricing.get("priceRange") or {}).get("start") or {}
    gross = start.get("gross") or {}
    price = _amount(gross) if pricing.get("displayGrossPrices", True) else _amount(start.get("net"))
    if price is None or not gross.get("currency"):
        return None
    return ProductSnapshot(
        product_id=node["id"],
        title=node.get("name") or "",
        price=price,
        currency=gross["currency"],
        image_url=(node.get("thumbnail") or {}).get("url") or "",
    )


def _snapshots(connection: dict[str, Any] | None) -> list[ProductSnapshot]:
    edges = (connection or {}).get("edges") or ()
    found = (snapshot(edge["node"]) for edge in edges if isinstance(edge, dict) and edge.get("node"))
    return [s for s in found if s is not None]


class SaleorApiProductCatalog:
    def products_search(
        self, *, channel: str, query: str, first: int, after: str | None = None
    ) -> ProductPage:
        variables = {
            "channel": channel,
            "first": max(1, min(first, SALEOR_PAGE_MAX)),
            "after": after or None,
            "search": (query or "").strip() or None,
        }
        client = shopper_client()
        with asking("product search"):
            try:
                data = client.query(SEARCH_QUERY, variables)
            except SaleorApiError:
                if not after:
                    raise
                return ProductPage(items=(), has_next=False, end_cursor=after)  # a cursor Saleor refuses
        connection = data.get("products") or {}
        page_info = connection.get("pageInfo") or {}
        return ProductPage(
            items=tuple(_snapshots(connection)),
            has_next=bool(page_info.get("hasNextPage")),
            end_cursor=page_info.get("endCursor") or after,
        )

    def products_get(self, *, channel: str, product_ids: list[str]) -> dict[str, ProductSnapshot]:
        ids = list(dict.fromkeys(p for p in product_ids if is_product_id(p)))
        if not ids:
            return {}
        client = shopper_client()
        found: dict[str, ProductSnapshot] = {}
        with asking("products by id"):
            for start in range(0, len(ids), SALEOR_PAGE_MAX):
                chunk = ids[start : start + SALEOR_PAGE_MAX]
                data = client.query(GET_QUERY, {"channel": channel, "first": len(chunk), "ids": chunk})
                found.update((s.product_id, s) for s in _snapshots(data.get("products")))
        return found
