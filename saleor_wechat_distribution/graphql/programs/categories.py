"""``programCategories``: the shop's product categories as the program page's rules editor picks a rule's
category from them (``ports_center.CategoryCatalog``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...conf import get_category_catalog
from ...domain.errors import CommissionErrorCode
from ...ports_center import HostCategory
from ..core.connection import page_size
from ..core.errors import QueryError
from ..core.inputs import clean_text
from .products import PRODUCT_IDS_MAX, SEARCH_MAX_LENGTH, host_page, wanted_ids
from .types import ProgramCategory, ProgramCategoryConnection

#: a rules list names a few dozen categories at most; one host call for all of them
CATEGORY_IDS_MAX = PRODUCT_IDS_MAX


def _node(category: HostCategory) -> ProgramCategory:
    return ProgramCategory(
        id=category.category_id, name=category.name, path=category.path, ancestors=list(category.ancestors)
    )


def program_categories_page(
    *, search: str | None, ids: list[str] | None, first: int | None, after: str | None
) -> ProgramCategoryConnection:
    """A page of the host's category search, or the categories of ``ids`` in their order (one call)."""
    catalog = get_category_catalog()
    if catalog is None:
        raise QueryError(_("This shop has no product categories to search."), code="NOT_CONFIGURED")
    if ids is not None:
        too_many = _("Ask for at most %(max)d categories at once.") % {"max": CATEGORY_IDS_MAX}
        wanted = wanted_ids(ids, maximum=CATEGORY_IDS_MAX, too_many=too_many)
        found = catalog.categories_get(category_ids=wanted) if wanted else {}
        nodes = [_node(found[i]) for i in wanted if i in found]
        return host_page(ProgramCategoryConnection, nodes, has_next=False, cursor=None, after=False)
    term = clean_text(search, field="search", code=CommissionErrorCode.INVALID, max_length=SEARCH_MAX_LENGTH)
    page = catalog.categories_search(query=term or "", first=page_size(first), after=after)
    nodes = [_node(c) for c in page.items]
    return host_page(
        ProgramCategoryConnection, nodes, has_next=page.has_next, cursor=page.end_cursor, after=bool(after)
    )
