"""``ports_center.ProductCatalog`` over Saleor's products (the center's curation, share posters).

A product is on sale in a channel when its channel listing is published (``published_at`` passed) and
visible in listings. Its price is the listing's cheapest discounted variant price (Saleor keeps it in
``discounted_price_amount``), else the cheapest variant listing price; its image the first image of its
media, as an absolute URL. Ids are Saleor's global ids (``Product:<pk>``), as order lines carry them.
Search is by name (case-insensitive), pages in ascending id order with the last id as the cursor.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Min, Prefetch, Q
from graphql_relay import from_global_id, to_global_id
from saleor.core.db.connection import allow_writer
from saleor.core.utils import build_absolute_uri
from saleor.product import ProductMediaTypes
from saleor.product.models import Product, ProductChannelListing, ProductMedia, ProductVariantChannelListing

from ..ports import ProductSnapshot
from ..ports_center import ProductPage


def _pk(product_id: str) -> int | None:
    try:
        type_name, raw = from_global_id(product_id)
    except Exception:
        return None
    return int(raw) if type_name == "Product" and raw.isascii() and raw.isdigit() else None


def _on_sale(channel: str) -> Any:
    listings = ProductChannelListing.objects.published().filter(
        channel__slug=channel, visible_in_listings=True
    )
    return Product.objects.filter(channel_listings__in=listings).prefetch_related(
        Prefetch("channel_listings", queryset=listings, to_attr="listings_here"),
        Prefetch(
            "media",
            queryset=ProductMedia.objects.filter(type=ProductMediaTypes.IMAGE).order_by("sort_order", "pk"),
            to_attr="images",
        ),
    )


def _prices(channel: str, pks: list[int]) -> dict[int, Decimal]:
    rows = (
        ProductVariantChannelListing.objects.filter(
            channel__slug=channel, variant__product_id__in=pks, price_amount__isnull=False
        )
        .values("variant__product_id")
        .annotate(low=Min("price_amount"))
    )
    return {row["variant__product_id"]: row["low"] for row in rows}


def _image(product: Any) -> str:
    for media in getattr(product, "images", []):
        if media.image:
            return build_absolute_uri(media.image.url)
        if media.external_url:
            return media.external_url
    return ""


def _snapshots(channel: str, products: list[Any]) -> list[ProductSnapshot]:
    fallback = _prices(channel, [p.pk for p in products])
    found = []
    for product in products:
        listing = product.listings_here[0] if product.listings_here else None
        price = listing.discounted_price_amount if listing is not None else None
        price = price if price is not None else fallback.get(product.pk)
        if listing is None or price is None:
            continue  # no variant priced in the channel: not on sale
        found.append(
            ProductSnapshot(
                product_id=to_global_id("Product", product.pk),
                title=product.name,
                price=price,
                currency=listing.currency,
                image_url=_image(product),
            )
        )
    return found


class SaleorProductCatalog:
    def products_search(
        self, *, channel: str, query: str, first: int, after: str | None = None
    ) -> ProductPage:
        with allow_writer():
            products = _on_sale(channel).distinct()
            term = (query or "").strip()
            if term:
                products = products.filter(Q(name__icontains=term) | Q(slug__icontains=term))
            if after and after.isascii() and after.isdigit():
                products = products.filter(pk__gt=int(after))
            page = list(products.order_by("pk")[: first + 1])
            items = _snapshots(channel, page[:first])
        return ProductPage(
            items=tuple(items),
            has_next=len(page) > first,
            end_cursor=str(page[:first][-1].pk) if page[:first] else after,
        )

    def products_get(self, *, channel: str, product_ids: list[str]) -> dict[str, ProductSnapshot]:
        pks = [pk for pk in (_pk(p) for p in product_ids) if pk is not None]
        if not pks:
            return {}
        with allow_writer():
            products = list(_on_sale(channel).filter(pk__in=pks).distinct())
            return {s.product_id: s for s in _snapshots(channel, products)}
