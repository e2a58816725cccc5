"""The sandbox's product categories (Saleor's adapter reads Saleor's category tree): a small demo tree
whose ids are the ones the demo orders' lines carry (``demo_orders.CATALOG``) and the seeded rule names
(``seed.py``: ``category_id="refrigerators"``), searchable by Chinese or English name."""

from __future__ import annotations

from ..ports_center import CategoryPage, HostCategory

# (id, name, parent id), parents first: the order pages list them in
CATEGORIES: tuple[tuple[str, str, str | None], ...] = (
    ("appliances", "家电 Appliances", None),
    ("refrigerators", "冰箱 Refrigerators", "appliances"),
    ("washing-machines", "洗衣机 Washing machines", "appliances"),
    ("air-conditioners", "空调 Air conditioners", "appliances"),
    ("small-appliances", "小家电 Small appliances", "appliances"),
    ("kitchen-appliances", "厨房电器 Kitchen appliances", "small-appliances"),
)
_BY_ID = {cid: (name, parent) for cid, name, parent in CATEGORIES}


def _category(category_id: str) -> HostCategory:
    name, parent = _BY_ID[category_id]
    ancestors: list[str] = []
    while parent is not None:
        parent_name, parent = _BY_ID[parent]
        ancestors.insert(0, parent_name)
    return HostCategory(category_id=category_id, name=name, ancestors=tuple(ancestors))


class SandboxCategoryCatalog:
    def categories_search(self, *, query: str, first: int, after: str | None = None) -> CategoryPage:
        term = (query or "").strip().casefold()
        matches = [cid for cid, name, _ in CATEGORIES if not term or term in name.casefold() or term in cid]
        start = int(after) if after and after.isascii() and after.isdigit() else 0
        page = matches[start : start + first]
        return CategoryPage(
            items=tuple(_category(cid) for cid in page),
            has_next=start + first < len(matches),
            end_cursor=str(start + len(page)) if page else after,
        )

    def categories_get(self, *, category_ids: list[str]) -> dict[str, HostCategory]:
        return {cid: _category(cid) for cid in category_ids if cid in _BY_ID}
