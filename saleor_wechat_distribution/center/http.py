"""The distributor center's URLs under a host's prefix: ``center/`` (the page) and ``center/<file>``."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from ..static_pages import content_security_policy, render_page, route_prefix, serve_asset

STATIC = Path(__file__).resolve().parent / "static"
CENTER_PATH = "center/"
#: product pictures and WeChat avatars come from the shop's and WeChat's image hosts
CSP = content_security_policy(img_src="'self' data: https:")


def dispatch(
    request: HttpRequest, route: str, *, graphql_url: str, config: dict | None = None
) -> HttpResponse | None:
    """The center's answer for ``route`` (the path after the prefix), or None when it is not ours.
    ``config``: more for the page (the sandbox's simulated WeChat: ``{"simulatedWeChat": {...}}``)."""
    prefix = route_prefix(request, route)
    if route == CENTER_PATH.rstrip("/"):
        return HttpResponseRedirect(prefix + CENTER_PATH)
    if not route.startswith(CENTER_PATH):
        return None
    rest = route[len(CENTER_PATH) :]
    if rest == "":
        page = {**(config or {}), "graphqlUrl": graphql_url}
        return render_page(request, STATIC, base_href=prefix + CENTER_PATH, config=page, csp=CSP)
    return serve_asset(request, STATIC, rest)
