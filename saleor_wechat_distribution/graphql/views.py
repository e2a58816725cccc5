"""A thin GraphQL-over-HTTP view. The host supplies authentication (Saleor JWT, sandbox tokens).

Saleor's own GraphQLView is not reused: its query-cost validation and introspection cache are tied to
Saleor's schema. What it guards against is guarded here too: a request must fit the limits
of ``core/query_limits.py`` (size, aliases, depth, repeated fields, cost) before it is validated or
executed, and errors are logged as ``core/error_log.py`` says.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from graphql import parse
from graphql.error import GraphQLError
from graphql.execution import ExecutionResult, execute
from graphql.language import ast
from graphql.validation import validate

from ..ports import HostUnavailable, Principal
from .core import error_log
from .core.backend import validated
from .core.context import GraphQLContext
from .core.error_log import RequestLog
from .core.errors import QueryError
from .core.query_limits import (
    QueryLimitExceeded,
    QueryLimits,
    check_document,
    check_query_size,
    query_limits,
    scan_tokens,
)
from .core.uploads import MultipartInvalid, UploadTooLarge, is_multipart, parse_multipart, upload_max_bytes
from .schema import schema


class AuthenticationFailed(Exception):
    """Raised by an authenticator for a token that is present but invalid, expired or revoked."""

    code = "InvalidToken"
    status = 401


class AuthenticationUnavailable(AuthenticationFailed):
    """The token could not be checked now (App mode: Saleor did not answer): 503, keep the token."""

    code = "AuthenticationUnavailable"
    status = 503


Authenticator = Callable[[HttpRequest], Principal]

#: GraphiQL and React, the packages' published builds copied from npm by ``ui/graphiql`` (``./dev ui-build``)
#: and shipped in the wheel: nothing is loaded from a CDN, so GraphiQL works without internet
GRAPHIQL_STATIC = Path(__file__).resolve().parent.parent / "graphiql" / "static"
GRAPHIQL_ASSETS = {
    "react.production.min.js": "text/javascript; charset=utf-8",
    "react-dom.production.min.js": "text/javascript; charset=utf-8",
    "graphiql.min.js": "text/javascript; charset=utf-8",
    "graphiql.min.css": "text/css; charset=utf-8",
}
#: the assets are fetched from the GraphQL route itself (``?graphiql-asset=<name>``): it is the one address
#: both the sandbox and Saleor's plugin route serve, so no route of its own is needed
ASSET_PARAMETER = "graphiql-asset"
GRAPHIQL_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>WeChat distribution GraphQL</title>
<link rel="stylesheet" href="?graphiql-asset=graphiql.min.css"></head>
<body style="margin:0"><div id="graphiql" style="height:100vh"></div>
<script src="?graphiql-asset=react.production.min.js"></script>
<script src="?graphiql-asset=react-dom.production.min.js"></script>
<script src="?graphiql-asset=graphiql.min.js"></script>
<script>
const fetcher = GraphiQL.createFetcher({url: window.location.pathname});
const defaultQuery = [
  "# Anonymous until you sign in: open Headers below and enter",
  '#   {"Authorization": "Bearer <an access token>"}',
  "# (the sandbox prints demo tokens at start; in Saleor: the accessToken of tokenCreate).",
  "",
  "{ storefront(slug: \\"brand-store\\") { title welcomeText } }",
  "",
].join("\\n");
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {fetcher, defaultQuery, defaultEditorToolsVisibility: true}));
</script></body></html>"""


def graphiql_response(request: HttpRequest) -> HttpResponse:
    """The GraphiQL page, or one of its files (``?graphiql-asset=``): 404 for any other name."""
    name = request.GET.get(ASSET_PARAMETER)
    if name is None:
        return HttpResponse(GRAPHIQL_HTML)
    content_type = GRAPHIQL_ASSETS.get(name)
    if content_type is None:
        return HttpResponseNotFound()
    response = FileResponse((GRAPHIQL_STATIC / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


#: the code of an error the host caused (``ports.HostUnavailable``): try again later
HOST_UNAVAILABLE = "HOST_UNAVAILABLE"


def _error_payload(message: str, code: str, field: str | None = None, extra: dict | None = None) -> dict:
    exception: dict[str, Any] = {"code": code}
    if field:
        exception["field"] = field
    extra = dict(extra or {})
    extensions = {"exception": exception, **extra.pop("extensions", {})}
    return {"message": message, "extensions": extensions, **extra}


def format_error(error: Exception, log: RequestLog | None = None) -> dict[str, Any]:
    """An error as the client sees it, logged as ``core/error_log.py`` says (one line, or a traceback and
    an error id for what nobody expected)."""
    log = log or RequestLog()
    extra: dict[str, Any] = {}
    path = None
    if isinstance(error, GraphQLError):
        if error.locations:
            extra["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
        if getattr(error, "path", None):
            path = extra["path"] = error.path
    original = getattr(error, "original_error", None)
    if isinstance(original, QueryError):
        log.expected(original.code, path)
        return _error_payload(str(original), original.code, original.field, extra)
    if isinstance(original, HostUnavailable):  # App mode: Saleor did not answer; nothing was decided
        log.expected(HOST_UNAVAILABLE, path)
        return _error_payload(str(original.message), HOST_UNAVAILABLE, None, extra)
    unexpected = original if original is not None else error
    if not isinstance(unexpected, GraphQLError):
        error_id = log.unexpected(unexpected, path)
        extra["extensions"] = {"errorId": error_id}
        message = _("Internal server error (error id %(id)s).") % {"id": error_id}
        return _error_payload(message, "INTERNAL_ERROR", None, extra)
    log.expected("GraphQLError", path)
    return _error_payload(str(error), "GraphQLError", None, extra)


def _bad_request(message: str, status: int = 400, code: str = "BadRequest") -> JsonResponse:
    RequestLog().expected(code)
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
        return graphiql_response(request)
    if request.method != "POST":
        response = _bad_request(_("Use POST to send GraphQL requests."), status=405, code="MethodNotAllowed")
        response["Allow"] = "POST"
        return response
    limits = query_limits()
    body = _read_body(request, limits)
    if isinstance(body, HttpResponse):
        return body
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return _bad_request(_("Send a JSON object with a 'query' string."))
    variables = body.get("variables") or {}
    operation_name = body.get("operationName")
    if not isinstance(variables, dict) or not (operation_name is None or isinstance(operation_name, str)):
        return _bad_request(_("'variables' must be an object and 'operationName' a string."))
    # the limits come first: the same for every caller, and cheaper than authenticating
    log = RequestLog(operation=(operation_name or "-")[:64])
    try:
        document = _checked_document(body["query"], variables, limits)
    except QueryLimitExceeded as refused:
        log.expected(refused.code)
        payload = _error_payload(str(refused), refused.code, extra={"extensions": refused.extensions})
        return JsonResponse({"errors": [payload]}, status=refused.status)
    except GraphQLError as syntax_error:
        return JsonResponse({"data": None, "errors": [format_error(syntax_error, log)]}, status=400)
    try:
        principal = authenticate(request)
    except AuthenticationFailed as error:
        return _bad_request(str(error) or _("Invalid token."), status=error.status, code=error.code)
    log = RequestLog(
        operation=_operation(operation_name, document), user=str(principal.user_id or "anonymous")
    )
    context = GraphQLContext(principal=principal, request=request, channel=channel, log=log)
    with error_log.executing():
        result = _run(
            body["query"], document, variables=variables, context=context, operation_name=operation_name
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [format_error(error, log) for error in result.errors]
    return JsonResponse(payload, status=200 if result.data is not None or not result.invalid else 400)


def _read_body(request: HttpRequest, limits: QueryLimits) -> Any:
    """The request's JSON (or multipart operations), or the error response."""
    try:
        declared_length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _bad_request(_("The Content-Length header is not a number."))
    multipart = is_multipart(request)
    # a multipart request (GraphQL multipart request spec) carries files, streamed to disk
    limit = upload_max_bytes() + limits.max_body_bytes if multipart else limits.max_body_bytes
    if limits.max_body_bytes and declared_length > limit:
        return _too_large(multipart)
    if multipart:
        try:
            return parse_multipart(request)
        except UploadTooLarge:
            return _too_large(True)
        except MultipartInvalid as error:
            return _bad_request(_("The multipart request is malformed: %(why)s") % {"why": str(error)})
    if limits.max_body_bytes and len(request.body) > limits.max_body_bytes:
        return _too_large(False)
    try:
        return json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return _bad_request(_("The request body is not valid JSON."))


def _checked_document(query: str, variables: dict, limits: QueryLimits) -> ast.Document:
    """The parsed document, once it fits every limit (``core/query_limits.py``); raises
    ``QueryLimitExceeded``, or ``GraphQLError`` for a syntax error."""
    check_query_size(query, limits)
    scanned_under = (limits.max_aliases, limits.max_depth)
    if not validated.scan_passed(query, scanned_under):
        scan_tokens(query, limits)
        validated.mark_scanned(query, scanned_under)
    document = validated.get(query) or parse(query)
    check_document(document, schema, variables, limits)
    return document


def _operation(operation_name: str | None, document: ast.Document) -> str:
    """The operation's name for the log: the one asked for, else the document's only one (or "-")."""
    if operation_name:
        return operation_name[:64]
    names = [d.name for d in document.definitions if isinstance(d, ast.OperationDefinition)]
    return names[0].value[:64] if len(names) == 1 and names[0] is not None else "-"


def _run(
    query: str,
    document: ast.Document,
    *,
    variables: dict,
    context: GraphQLContext,
    operation_name: str | None,
) -> Any:
    """Validate (once per text: ``core/backend.py``) and execute an already parsed document."""
    try:
        if validated.get(query) is not document:
            errors = validate(schema, document)
            if errors:
                return ExecutionResult(errors=errors, invalid=True)
            validated.remember(query, document)
        return execute(
            schema, document, context_value=context, variable_values=variables, operation_name=operation_name
        )
    except Exception as error:  # as graphql-core's own entry point: an unknown operation, bad variables
        return ExecutionResult(errors=[error], invalid=True)
