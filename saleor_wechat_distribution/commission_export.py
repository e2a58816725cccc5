"""The console's CSV export of commissions (``export/commissions.csv``): the money page's filters as query
parameters, the same as the ``commissions`` query's filter (``status``, ``referralCode``, ``orderId``,
``createdFrom``, ``createdTo``); amounts as decimal strings rounded to the currency's minor unit.

Served through the auditors' export route (:mod:`.audit_export`), so it is authorized the same way as the
GraphQL route: the host's authenticator (the dashboard's AppBridge token for the console) and
MANAGE_ORDERS.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time

from django.http import QueryDict
from django.utils.dateparse import parse_date, parse_datetime

from .domain.errors import DistributionError
from .graphql.commissions.filters import commission_filter
from .graphql.core.errors import QueryError
from .models import Commission
from .selectors.money_console import COMMISSION_EXPORT_COLUMNS, commission_export_rows

PARAMETERS = {"status", "referralCode", "orderId", "createdFrom", "createdTo"}


class ExportRefused(ValueError):
    """A query parameter the export cannot read (a 400 with this message)."""


def _when(name: str, raw: str | None) -> datetime | None:
    if raw is None or raw == "":
        return None
    value = parse_datetime(raw) if "T" in raw or " " in raw else None
    if value is None and (day := parse_date(raw)) is not None:
        value = datetime.combine(day, time.min)
    if value is None:
        raise ExportRefused(f"'{name}' is not an ISO 8601 date or date and time")
    return value


def commission_export(query: QueryDict) -> tuple[list[str], Iterator[list[object]]]:
    """The columns and the rows (streamed) of the export that ``query`` asks for."""
    unknown = set(query) - PARAMETERS
    if unknown:
        raise ExportRefused(f"unknown parameter: {sorted(unknown)[0]}")
    status = query.get("status") or None
    if status is not None:
        if status.lower() not in Commission.Status.values:
            names = ", ".join(v.upper() for v in Commission.Status.values)
            raise ExportRefused(f"'status' is one of {names}")
        status = status.lower()
    try:
        created_from = _when("createdFrom", query.get("createdFrom"))
        created_to = _when("createdTo", query.get("createdTo"))
    except (ValueError, OverflowError) as error:  # parse_datetime raises on an impossible date
        raise ExportRefused(str(error)) from None
    values = {
        "status": status,
        "referral_code": query.get("referralCode"),
        "order_id": query.get("orderId"),
        "created_from": created_from,
        "created_to": created_to,
    }
    try:
        filters = commission_filter(values)
    except (DistributionError, QueryError) as error:
        raise ExportRefused(str(error)) from None
    rows: Iterator[list[object]] = iter(()) if filters is None else commission_export_rows(filters)
    return COMMISSION_EXPORT_COLUMNS, rows
