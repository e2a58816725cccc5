"""``ports_center.CategoryCatalog`` over Saleor's categories (the console's rules editor picks a commission
rule's category from them).

Ids are Saleor's global ids (``Category:<pk>``), as order line snapshots carry them (``snapshots.py``).
Categories are a tree (MPTT): each is shown with its ancestors' names, read for a whole page in one
query (same tree, ``lft`` below and ``rght`` above the category's). Search matches a substring of the
name, slug or description, as Saleor's own ``categories(filter: {search})``; pages in Saleor's
``sortBy: NAME`` order (name, then slug, which is unique), the cursor the last category's (name, slug).
App mode (``app/categories.py``) asks Saleor's API the same and gets the same pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.db.models import Q
from graphql_relay import from_global_id, to_global_id
from saleor.core.db.connection import allow_writer
from saleor.product.models import Category

from ..ports_center import CategoryPage, HostCategory


def _pk(category_id: str) -> int | None:
    try:
        type_name, raw = from_global_id(category_id)
    except Exception:
        return None
    return int(raw) if type_name == "Category" and raw.isascii() and raw.isdigit() else None


def _cursor(category: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([category.name, category.slug]).encode()).decode()


def _after(cursor: str | None) -> tuple[str, str] | None:
    """The (name, slug) in a cursor; None for one this catalog did not make (read from the start)."""
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return value[0], value[1]
    return None


def _with_ancestors(categories: list[Any]) -> list[HostCategory]:
    """Each category with its ancestors' names, root first: one query for the whole page."""
    nested = [c for c in categories if c.level > 0]
    above: list[Any] = []
    if nested:
        condition = Q()
        for c in nested:
            condition |= Q(tree_id=c.tree_id, lft__lt=c.lft, rght__gt=c.rght)
        above = list(Category.objects.filter(condition).only("name", "tree_id", "lft", "rght", "level"))
    return [
        HostCategory(
            category_id=to_global_id("Category", c.pk),
            name=c.name,
            ancestors=tuple(
                a.name
                for a in sorted(above, key=lambda a: a.level)
                if a.tree_id == c.tree_id and a.lft < c.lft and a.rght > c.rght
            ),
        )
        for c in categories
    ]


class SaleorCategoryCatalog:
    def categories_search(self, *, query: str, first: int, after: str | None = None) -> CategoryPage:
        with allow_writer():
            categories = Category.objects.all()
            term = (query or "").strip()
            if term:
                categories = categories.filter(
                    Q(name__icontains=term)
                    | Q(slug__icontains=term)
                    | Q(description_plaintext__icontains=term)
                )
            last = _after(after)
            if last is not None:
                name, slug = last
                categories = categories.filter(Q(name__gt=name) | Q(name=name, slug__gt=slug))
            page = list(categories.order_by("name", "slug")[: first + 1])
            items = _with_ancestors(page[:first])
        return CategoryPage(
            items=tuple(items),
            has_next=len(page) > first,
            end_cursor=_cursor(page[:first][-1]) if page[:first] else after,
        )

    def categories_get(self, *, category_ids: list[str]) -> dict[str, HostCategory]:
        pks = [pk for pk in (_pk(c) for c in category_ids) if pk is not None]
        if not pks:
            return {}
        with allow_writer():
            found = _with_ancestors(list(Category.objects.filter(pk__in=pks)))
        return {c.category_id: c for c in found}
