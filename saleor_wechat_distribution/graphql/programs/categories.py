"""``programCategories``: the shop's product categories as the program page's rules editor picks a rule's
category from them (``ports_center.CategoryCatalog``)."""

from __future__ import annotations

import graphene
from django.utils.translation import gettext_lazy as _

from ...conf import get_category_catalog
from ...domain.errors import CommissionErrorCode
from ...ports_center import HostCategory
from ..core.connection import page_size
from ..core.errors import QueryError
from ..core.inputs import clean_text
from .products import PRODUCT_IDS_MAX, SEARCH_MAX_LENGTH
from .types import ProgramCategory, ProgramCategoryConnection

#: a rules list names a few dozen categories at most; one host call for all of them
CATEGORY_IDS_MAX = PRODUCT_IDS_MAX


def _node(category: HostCategory) -> ProgramCategory:
    return ProgramCategory(
        id=category.category_id, name=category.name, path=category.path, ancestors=list(category.ancestors)
    )


def _connection(categories: list[HostCategory], *, has_next: bool, cursor: str | None, after: bool):
    edges = [ProgramCategoryConnection.Edge(node=_node(c), cursor=cursor or "") for c in categories]
    return ProgramCategoryConnection(
        edges=edges,
        page_info=graphene.relay.PageInfo(
            has_next_page=has_next, has_previous_page=after, start_cursor=None, end_cursor=cursor
        ),
    )


def program_categories_page(
    *, search: str | None, ids: list[str] | None, first: int | None, after: str | None
) -> ProgramCategoryConnection:
    """A page of the host's category search, or the categories of ``ids`` in their order (one call)."""
    catalog = get_category_catalog()
    if catalog is None:
        raise QueryError(_("This shop has no product categories to search."), code="NOT_CONFIGURED")
    if ids is not None:
        wanted = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
        if len(wanted) > CATEGORY_IDS_MAX:
            raise QueryError(
                _("Ask for at most %(max)d categories at once.") % {"max": CATEGORY_IDS_MAX},
                code="INVALID",
                field="ids",
            )
        found = catalog.categories_get(category_ids=wanted) if wanted else {}
        return _connection([found[i] for i in wanted if i in found], has_next=False, cursor=None, after=False)
    term = clean_text(search, field="search", code=CommissionErrorCode.INVALID, max_length=SEARCH_MAX_LENGTH)
    page = catalog.categories_search(query=term or "", first=page_size(first), after=after)
    return _connection(list(page.items), has_next=page.has_next, cursor=page.end_cursor, after=bool(after))
