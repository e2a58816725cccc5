"""Serving the built screens (the staff console, the distributor center) from the package.

Vite builds each into a directory of the package (``console/static/``, ``center/static/``): an
``index.html`` and content-hashed files under ``assets/``. The HTML is rendered per request (a ``<base
href>`` so that its relative asset URLs resolve wherever the host mounts the pages, and a JSON script with
what the page needs to know) and never cached; hashed assets are cached for a year, since their names
change with their content. Nothing is loaded from another host: the Content-Security-Policy says so to the
browser as well.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.html import escape

#: Vite's content hash in a file name: ``index-bP1GG30W.js``, ``Inter-roman.var-C-r5W2Hj.woff2``
_HASHED = re.compile(r"-[A-Za-z0-9_-]{8}\.[a-z0-9]+$")
_SAFE_PART = re.compile(r"^[A-Za-z0-9_.\[\]-]+$")
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
#: not hashed (the App's logo): Saleor fetches it at install time, browsers may keep it a while
UNHASHED = "public, max-age=3600"


def content_security_policy(img_src: str = "'self' data:") -> str:
    """Pages load scripts, styles, fonts and data only from their own origin (inline styles: React and
    Radix set style attributes). No ``frame-ancestors``: the Saleor dashboard that embeds the console may
    live on any host."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
        f"img-src {img_src}; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
    )


def _methods(request: HttpRequest) -> HttpResponse | None:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return None


def route_prefix(request: HttpRequest, route: str) -> str:
    """The path under which the host mounts ``route`` (the request's path without the route)."""
    return request.path[: len(request.path) - len(route)] if route else request.path


def serve_asset(request: HttpRequest, directory: Path, relpath: str) -> HttpResponse:
    """One built file (not ``index.html``), with its content type and cache lifetime; 404 otherwise."""
    refused = _methods(request)
    if refused is not None:
        return refused
    parts = relpath.split("/")
    if not relpath or not all(_SAFE_PART.match(part) and not part.startswith(".") for part in parts):
        raise Http404("no such file")
    path = directory.joinpath(*parts)
    content_type = CONTENT_TYPES.get(path.suffix)
    if content_type is None or path.name == "index.html" or not path.is_file():
        raise Http404("no such file")
    response = FileResponse(path.open("rb"), content_type=content_type)
    hashed = parts[0] == "assets" and _HASHED.search(path.name) is not None
    response["Cache-Control"] = IMMUTABLE if hashed else UNHASHED
    response["X-Content-Type-Options"] = "nosniff"
    return response


def render_page(
    request: HttpRequest,
    directory: Path,
    *,
    base_href: str,
    config: dict[str, Any],
    csp: str | None = None,
) -> HttpResponse:
    """``index.html`` of a build, with ``<base href>`` and the page's configuration (``#wd-config``)."""
    refused = _methods(request)
    if refused is not None:
        return refused
    index = directory / "index.html"
    if not index.is_file():  # a source checkout without a build: say how to make one
        return HttpResponse(
            "The screens are not built: run ./dev ui-build", status=503, content_type="text/plain"
        )
    html = index.read_text(encoding="utf-8")
    # JSON inside <script>: "<" escaped so that no value can close the element
    data = json.dumps(config, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    html = html.replace("<head>", f'<head>\n    <base href="{escape(base_href)}">', 1)
    html = html.replace(
        "</head>", f'  <script id="wd-config" type="application/json">{data}</script>\n  </head>', 1
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Content-Security-Policy"] = csp or content_security_policy()
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return response
