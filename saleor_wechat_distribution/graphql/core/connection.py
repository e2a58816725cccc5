"""Keyset-cursor connections (Relay shape, plus ``totalCount``).

The cursor encodes the last row's sort key, so page N costs what page 1 costs (no OFFSET).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import graphene
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from graphene import relay

from .errors import QueryError

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class CountableConnection(relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="Number of items across all pages.")

    @staticmethod
    def resolve_total_count(root: Any, info: Any) -> int:
        return root.count_queryset.count()


def _encode(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([value]).encode()).decode()


def _decode(cursor: str, expected: type) -> Any:
    """The sort key in a cursor, refused unless it is a one-element JSON list of the key's type."""
    invalid = QueryError(_("Invalid cursor."), code="INVALID", field="after")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(decoded, list) or len(decoded) != 1:
        raise invalid
    (value,) = decoded
    if type(value) is not expected or (isinstance(value, str) and ("\x00" in value or len(value) > 255)):
        raise invalid
    if isinstance(value, int) and not 0 <= value < 2**63:
        raise invalid
    return value


def page_size(first: int | None) -> int:
    """``first`` checked (1 to ``MAX_PAGE_SIZE``), the default page size when absent."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise QueryError(
            _("'first' must be between 1 and %(max)d.") % {"max": MAX_PAGE_SIZE},
            code="INVALID",
            field="first",
        )
    return size


def keyset_connection(
    queryset: QuerySet,
    connection_type: type[CountableConnection],
    *,
    key: str,
    first: int | None,
    after: str | None,
) -> CountableConnection:
    """One page of ``queryset`` ordered by the unique column ``key`` ("-pk" for descending)."""
    size = page_size(first)
    descending = key.startswith("-")
    column = key.lstrip("-")
    page = queryset
    if after:
        expected = int if column in ("pk", "id") else str
        page = page.filter(**{f"{column}__{'lt' if descending else 'gt'}": _decode(after, expected)})
    rows = list(page.order_by(key)[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    edges = [connection_type.Edge(node=row, cursor=_encode(getattr(row, column))) for row in rows]
    connection = connection_type(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=has_next,
            has_previous_page=bool(after),
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
    connection.count_queryset = queryset
    return connection
