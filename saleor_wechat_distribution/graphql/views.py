"""A thin GraphQL-over-HTTP view. The host supplies authentication (Saleor JWT, sandbox tokens).

Saleor's own GraphQLView is not reused: its query-cost validation and introspection cache are tied to
Saleor's schema (DESIGN.md §2).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from graphql.error import GraphQLError

from ..ports import Principal
from .core.context import GraphQLContext
from .core.errors import QueryError
from .core.uploads import MultipartInvalid, UploadTooLarge, is_multipart, parse_multipart, upload_max_bytes
from .schema import schema

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1 << 20


class AuthenticationFailed(Exception):
    """Raised by an authenticator for a token that is present but invalid, expired or revoked."""

    code = "InvalidToken"


Authenticator = Callable[[HttpRequest], Principal]

GRAPHIQL_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>WeChat distribution GraphQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css"></head>
<body style="margin:0"><div id="graphiql" style="height:100vh"></div>
<script src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
<script src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
<script src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
<script>
const fetcher = GraphiQL.createFetcher({url: window.location.pathname});
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {fetcher, defaultEditorToolsVisibility: true,
    defaultHeaders: '{"Authorization": "Bearer <token printed by the sandbox>"}'}));
</script></body></html>"""


def _error_payload(message: str, code: str, field: str | None = None, extra: dict | None = None) -> dict:
    exception: dict[str, Any] = {"code": code}
    if field:
        exception["field"] = field
    payload: dict[str, Any] = {"message": message, "extensions": {"exception": exception}}
    payload.update(extra or {})
    return payload


def format_error(error: Exception) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if isinstance(error, GraphQLError):
        if error.locations:
            extra["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
        if getattr(error, "path", None):
            extra["path"] = error.path
    original = getattr(error, "original_error", None)
    if isinstance(original, QueryError):
        return _error_payload(str(original), original.code, original.field, extra)
    if original is not None and not isinstance(original, GraphQLError):
        logger.error("GraphQL resolver failed", exc_info=original)
        return _error_payload(_("Internal server error."), "INTERNAL_ERROR", None, extra)
    return _error_payload(str(error), "GraphQLError", None, extra)


def _bad_request(message: str, status: int = 400, code: str = "BadRequest") -> JsonResponse:
    return JsonResponse({"errors": [_error_payload(message, code)]}, status=status)


def _too_large(upload: bool) -> JsonResponse:
    if upload:
        message = _("The file is larger than %(max)d MB.") % {"max": upload_max_bytes() // (1024 * 1024)}
        return _bad_request(message, status=413, code="FILE_TOO_LARGE")
    return _bad_request(_("The request body is too large."), status=413, code="PayloadTooLarge")


def execute_graphql(
    request: HttpRequest, *, authenticate: Authenticator, graphiql: bool = False, channel: str | None = None
) -> HttpResponse:
    """Serve one GraphQL request; ``graphiql`` shows the in-browser IDE on GET. ``channel``: the channel
    the address belongs to (Saleor's per-channel plugin route), which then decides every operation's."""
    with translation.override(translation.get_language_from_request(request)):
        return _execute(request, authenticate=authenticate, graphiql=graphiql, channel=channel)


def _execute(
    request: HttpRequest, *, authenticate: Authenticator, graphiql: bool, channel: str | None
) -> HttpResponse:
    if request.method == "GET" and graphiql:
        return HttpResponse(GRAPHIQL_HTML)
    if request.method != "POST":
        response = _bad_request(_("Use POST to send GraphQL requests."), status=405, code="MethodNotAllowed")
        response["Allow"] = "POST"
        return response
    try:
        declared_length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _bad_request(_("The Content-Length header is not a number."))
    multipart = is_multipart(request)
    # a multipart request (GraphQL multipart request spec) carries files, streamed to disk
    limit = upload_max_bytes() + MAX_BODY_BYTES if multipart else MAX_BODY_BYTES
    if declared_length > limit:
        return _too_large(multipart)
    if multipart:
        try:
            body = parse_multipart(request)
        except UploadTooLarge:
            return _too_large(True)
        except MultipartInvalid as error:
            return _bad_request(_("The multipart request is malformed: %(why)s") % {"why": str(error)})
    else:
        try:
            body = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError):
            return _bad_request(_("The request body is not valid JSON."))
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return _bad_request(_("Send a JSON object with a 'query' string."))
    variables = body.get("variables") or {}
    operation_name = body.get("operationName")
    if not isinstance(variables, dict) or not (operation_name is None or isinstance(operation_name, str)):
        return _bad_request(_("'variables' must be an object and 'operationName' a string."))
    try:
        principal = authenticate(request)
    except AuthenticationFailed as error:
        return _bad_request(str(error) or _("Invalid token."), status=401, code=AuthenticationFailed.code)
    context = GraphQLContext(principal=principal, request=request, channel=channel)
    result = schema.execute(
        body["query"], variable_values=variables, context_value=context, operation_name=operation_name
    )
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [format_error(error) for error in result.errors]
    return JsonResponse(payload, status=200 if result.data is not None or not result.invalid else 400)
