"""The console's URLs under a host's prefix (Saleor's plugin route, or the sandbox's root):

- ``app/manifest.json``  the Saleor App manifest (:mod:`.manifest`)
- ``app/register/``      Saleor posts the App's token here on install (:mod:`.register`)
- ``console/``           the App's page (appUrl); ``console/<slug>/`` each extension page
- ``console/<file>``     the built files (``assets/…`` hashed, ``logo.png``)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import translation
from django.utils.translation import gettext

from ..static_pages import render_page, route_prefix, serve_asset
from .manifest import CONSOLE_PATH, MANIFEST_PATH, REGISTER_PATH, build_manifest, schema_version
from .pages import PAGES, page_by_slug
from .register import RegistrationVerifier, register_view

STATIC = Path(__file__).resolve().parent / "static"
_PAGE = re.compile(r"^(?P<slug>[a-z0-9-]+)/$")
_LANGUAGES = ("en", "zh-hans")


@dataclass(frozen=True)
class ConsoleSite:
    """What the host tells the console."""

    #: an absolute path -> an absolute URL (the manifest's URLs; Saleor and browsers fetch them)
    absolute: Callable[[str], str]
    #: how to confirm that a token posted to ``app/register/`` is an App token of that Saleor
    verify_registration: RegistrationVerifier
    #: our GraphQL endpoint, same origin (None: not available, ``unavailable`` says why as a code)
    graphql_url: str | None
    unavailable: str = ""
    #: the sandbox's fake dashboard (a page opened on its own offers it)
    dashboard_url: str | None = None
    #: the channel whose program the pages edit (the route's channel under Saleor)
    channel: str | None = None


def dispatch(request: HttpRequest, route: str, site: ConsoleSite) -> HttpResponse | None:
    """The console's answer for ``route`` (the path after the prefix), or None when it is not ours."""
    prefix = route_prefix(request, route)
    if route == MANIFEST_PATH:
        return manifest_view(request, prefix, site)
    if route == REGISTER_PATH:
        return register_view(request, verify=site.verify_registration)
    if route == CONSOLE_PATH.rstrip("/"):
        return HttpResponseRedirect(prefix + CONSOLE_PATH)
    if not route.startswith(CONSOLE_PATH):
        return None
    rest = route[len(CONSOLE_PATH) :]
    if rest == "":
        return _page(request, prefix, site, "")
    if (match := _PAGE.match(rest)) and page_by_slug(match["slug"]):
        return _page(request, prefix, site, match["slug"])
    return serve_asset(request, STATIC, rest)


def manifest_view(request: HttpRequest, prefix: str, site: ConsoleSite) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"error": "Use GET."}, status=405)
    language = request.GET.get("lang", "").lower()
    manifest = build_manifest(
        prefix=prefix,
        absolute=site.absolute,
        saleor_version=schema_version(request.headers.get("Saleor-Schema-Version")),
        language=language if language in _LANGUAGES else settings.LANGUAGE_CODE,
    )
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


def _labels() -> list[dict]:
    """The pages the App's home lists: not the widgets, which need the object of their details page."""
    pages = []
    for page in PAGES:
        if page.target != "APP_PAGE":
            continue
        labels = {}
        for language, locale in (("en", "en"), ("zh-hans", "zh-Hans")):
            with translation.override(language):
                labels[locale] = gettext(str(page.label))
        pages.append({"slug": page.slug, "labels": labels})
    return pages


def _page(request: HttpRequest, prefix: str, site: ConsoleSite, slug: str) -> HttpResponse:
    config = {
        "graphqlUrl": site.graphql_url,
        "unavailable": site.unavailable,
        "page": slug,
        "pages": _labels(),
        "dashboardUrl": site.dashboard_url,
        "channel": site.channel,
    }
    return render_page(request, STATIC, base_href=prefix + CONSOLE_PATH, config=config)
