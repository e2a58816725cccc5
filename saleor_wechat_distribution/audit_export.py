"""Streaming CSV exports for auditors (staff with MANAGE_ORDERS): the network, the ledger and the
commissions (filtered as on the console's money page, :mod:`.commission_export`).

Authentication is the host's (the same authenticator as the GraphQL view). Text cells that a spreadsheet
would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone

from .commission_export import ExportRefused, commission_export
from .domain.permissions import Permission
from .graphql.views import AuthenticationFailed, Authenticator
from .selectors.exports import LEDGER_COLUMNS, NETWORK_COLUMNS, ledger_rows, network_rows

EXPORTS = {"network": (NETWORK_COLUMNS, network_rows), "ledger": (LEDGER_COLUMNS, ledger_rows)}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def _stream(columns: list[str], rows: Iterable[list[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so spreadsheet programs read the Chinese names as UTF-8
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_safe(cell) for cell in row])


def audit_export_view(request: HttpRequest, kind: str, *, authenticate: Authenticator) -> HttpResponse:
    if request.method != "GET":
        return JsonResponse({"error": "GET only"}, status=405)
    if kind not in EXPORTS and kind != "commissions":
        return JsonResponse({"error": "unknown export"}, status=404)
    try:
        principal = authenticate(request)
    except AuthenticationFailed as error:
        return JsonResponse({"error": str(error)}, status=error.status)
    if not principal.is_authenticated:
        return JsonResponse({"error": "sign in"}, status=401)
    if not principal.has_perms(Permission.MANAGE_ORDERS):
        return JsonResponse({"error": "MANAGE_ORDERS required"}, status=403)
    if kind == "commissions":  # the console's money page, with its filters
        try:
            columns, rows = commission_export(request.GET)
        except ExportRefused as error:
            return JsonResponse({"error": str(error)}, status=400)
    else:
        columns, make_rows = EXPORTS[kind]
        rows = make_rows()
    response = StreamingHttpResponse(_stream(columns, rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="wechat-distribution-{kind}-{stamp}.csv"'
    return response
