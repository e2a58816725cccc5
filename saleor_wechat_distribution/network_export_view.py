"""Staff download of the network (or one subtree) as CSV or XLSX: the columns the import reads, plus
levels, counts and balances. Requires MANAGE_USERS. ``?under=<external id or referral code>``.

CSV streams row by row; XLSX is written (write-only openpyxl) to a spooled temporary file first, since a
zip archive cannot be streamed before it is complete.
"""

from __future__ import annotations

import tempfile

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone

from .domain.permissions import Permission
from .graphql.views import AuthenticationFailed, Authenticator
from .selectors.distributors import distributor_get_by_key
from .selectors.network_export import EXPORT_COLUMNS, network_export_rows
from .tabular import csv_chunks, write_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def network_export_view(
    request: HttpRequest, file_format: str, *, authenticate: Authenticator
) -> HttpResponse:
    if request.method != "GET":
        return JsonResponse({"error": "GET only"}, status=405)
    if file_format not in ("csv", "xlsx"):
        return JsonResponse({"error": "csv or xlsx"}, status=404)
    try:
        principal = authenticate(request)
    except AuthenticationFailed as error:
        return JsonResponse({"error": str(error)}, status=error.status)
    if not principal.is_authenticated:
        return JsonResponse({"error": "sign in"}, status=401)
    if not principal.has_perms(Permission.MANAGE_USERS):
        return JsonResponse({"error": "MANAGE_USERS required"}, status=403)
    under = None
    key = request.GET.get("under")
    if key is not None:
        if not key or len(key) > 64 or "\x00" in key:
            return JsonResponse({"error": "invalid 'under'"}, status=400)
        under = distributor_get_by_key(key=key)
        if under is None:
            return JsonResponse({"error": "no distributor has this external id or code"}, status=404)
    rows = network_export_rows(under=under)
    name = f"distributors-{timezone.now():%Y%m%d-%H%M%S}.{file_format}"
    if file_format == "csv":
        response: HttpResponse = StreamingHttpResponse(
            csv_chunks(EXPORT_COLUMNS, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    write_xlsx(spool, EXPORT_COLUMNS, rows)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_TYPE)
