"""``programProducts``: the shop's catalog as the program page's rules editor picks products from it."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...conf import get_product_catalog
from ...domain.errors import CommissionErrorCode
from ...ports import ProductSnapshot
from ..core.connection import page_size
from ..core.errors import QueryError
from ..core.inputs import clean_text
from ..core.money import money
from .types import ProgramProduct, ProgramProductConnection

SEARCH_MAX_LENGTH = 100
#: a rules list names a few dozen products at most; one catalog call for all of them
PRODUCT_IDS_MAX = 100


def _node(product: ProductSnapshot) -> ProgramProduct:
    return ProgramProduct(
        id=product.product_id,
        title=product.title,
        price=money(product.price, product.currency),
        image_url=product.image_url or None,
    )


def host_page(connection: type, nodes: list, *, has_next: bool, cursor: str | None, after: bool) -> Any:
    """A relay connection of ``connection`` over one page the host answered (its cursor is opaque)."""
    edges = [connection.Edge(node=node, cursor=cursor or "") for node in nodes]
    return connection(
        edges=edges,
        page_info=graphene.relay.PageInfo(
            has_next_page=has_next, has_previous_page=after, start_cursor=None, end_cursor=cursor
        ),
    )


def wanted_ids(ids: list[str], *, maximum: int, too_many: str) -> list[str]:
    """``ids`` stripped, blanks and repeats left out, in their order; more than ``maximum``: INVALID."""
    wanted = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
    if len(wanted) > maximum:
        raise QueryError(too_many, code="INVALID", field="ids")
    return wanted


def program_products_page(
    *, channel: str, search: str | None, ids: list[str] | None, first: int | None, after: str | None
) -> ProgramProductConnection:
    """A page of the catalog's search, or the products of ``ids`` in their order (one catalog call)."""
    catalog = get_product_catalog()
    if catalog is None:
        raise QueryError(_("This shop has no product catalog to search."), code="NOT_CONFIGURED")
    if ids is not None:
        too_many = _("Ask for at most %(max)d products at once.") % {"max": PRODUCT_IDS_MAX}
        wanted = wanted_ids(ids, maximum=PRODUCT_IDS_MAX, too_many=too_many)
        found = catalog.products_get(channel=channel, product_ids=wanted) if wanted else {}
        nodes = [_node(found[i]) for i in wanted if i in found]
        return host_page(ProgramProductConnection, nodes, has_next=False, cursor=None, after=False)
    term = clean_text(search, field="search", code=CommissionErrorCode.INVALID, max_length=SEARCH_MAX_LENGTH)
    page = catalog.products_search(channel=channel, query=term or "", first=page_size(first), after=after)
    nodes = [_node(p) for p in page.items]
    return host_page(
        ProgramProductConnection, nodes, has_next=page.has_next, cursor=page.end_cursor, after=bool(after)
    )
