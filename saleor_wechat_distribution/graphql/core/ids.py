"""Relay global ids: ``base64("Distributor:42")``; malformed or foreign ids are coded errors."""

from __future__ import annotations

import binascii

from django.utils.translation import gettext_lazy as _
from graphql_relay import from_global_id, to_global_id

from .errors import QueryError

__all__ = ["InvalidGlobalId", "decode_global_id", "decode_id_argument", "to_global_id"]


class InvalidGlobalId(ValueError):
    pass


def decode_global_id(global_id: str, *, expected_type: str) -> int:
    try:
        type_name, raw_pk = from_global_id(global_id)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise InvalidGlobalId(global_id) from None
    if type_name != expected_type or not (raw_pk.isascii() and raw_pk.isdigit()) or len(raw_pk) > 18:
        raise InvalidGlobalId(global_id)
    return int(raw_pk)


def decode_id_argument(global_id: str, *, expected_type: str, field: str = "id") -> int:
    """A query's id argument: the primary key, or an ``INVALID`` query error on ``field``."""
    try:
        return decode_global_id(global_id, expected_type=expected_type)
    except InvalidGlobalId:
        raise QueryError(
            _("Invalid ID: %(id)s.") % {"id": str(global_id)[:64]}, code="INVALID", field=field
        ) from None
