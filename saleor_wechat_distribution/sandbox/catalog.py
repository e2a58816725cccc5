"""The sandbox's product catalog (Saleor's adapter reads Saleor's products): a fixed demo range of home
appliances, the same in every channel, searchable by Chinese or English name."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from ..ports import ProductSnapshot
from ..ports_center import ProductPage

CURRENCY = "CNY"
# (id, title, price); the demo storefronts curate some of these ids (sandbox/seed.py)
PRODUCTS: tuple[tuple[str, str, str], ...] = (
    ("fridge-bcd-520", "十字对开门冰箱 520L Refrigerator", "4999.00"),
    ("fridge-bcd-310", "三门冰箱 310L Refrigerator", "2699.00"),
    ("kettle-sw-15", "电热水壶 1.5L Kettle", "129.00"),
    ("washer-xqg-100", "滚筒洗衣机 10kg Washing machine", "3299.00"),
    ("dryer-gdhn-90", "热泵干衣机 9kg Heat-pump dryer", "3999.00"),
    ("aircon-kfr-35", "壁挂空调 1.5匹 Air conditioner", "2899.00"),
    ("rice-cooker-40", "电饭煲 4L Rice cooker", "399.00"),
    ("microwave-m23", "微波炉 23L Microwave oven", "599.00"),
    ("purifier-kj-500", "空气净化器 Air purifier", "1599.00"),
    ("water-heater-60", "电热水器 60L Water heater", "1899.00"),
    ("dishwasher-13", "洗碗机 13套 Dishwasher", "3599.00"),
    ("vacuum-v8", "无线吸尘器 Cordless vacuum", "1299.00"),
)
_BY_ID = {pid: (title, price) for pid, title, price in PRODUCTS}


def image_url(product_id: str) -> str:
    """The absolute address of a demo product's picture (``sandbox/demo_images.py``; "" while the
    sandbox's own address, ``SANDBOX_PUBLIC_URL``, is unknown)."""
    base = (getattr(settings, "SANDBOX_PUBLIC_URL", "") or "").rstrip("/")
    return f"{base}/demo-products/{product_id}.png" if base else ""


def _snapshot(product_id: str) -> ProductSnapshot:
    title, price = _BY_ID[product_id]
    return ProductSnapshot(
        product_id=product_id,
        title=title,
        price=Decimal(price),
        currency=CURRENCY,
        image_url=image_url(product_id),
    )


class SandboxProductCatalog:
    def products_search(
        self, *, channel: str, query: str, first: int, after: str | None = None
    ) -> ProductPage:
        term = (query or "").strip().casefold()
        matches = [pid for pid, title, _ in PRODUCTS if not term or term in title.casefold() or term in pid]
        start = int(after) if after and after.isdigit() else 0
        page = matches[start : start + first]
        has_next = start + first < len(matches)
        return ProductPage(
            items=tuple(_snapshot(pid) for pid in page),
            has_next=has_next,
            end_cursor=str(start + len(page)) if page else after,
        )

    def products_get(self, *, channel: str, product_ids: list[str]) -> dict[str, ProductSnapshot]:
        return {pid: _snapshot(pid) for pid in product_ids if pid in _BY_ID}
