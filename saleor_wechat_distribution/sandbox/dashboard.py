"""``/dashboard/``: a stand-in for the Saleor dashboard, so the console can be clicked through without Saleor.

It embeds a console page in an iframe exactly as Saleor's dashboard embeds an App extension (the page's
URL under the App's ``appUrl`` with ``?domain&saleorApiUrl&id&theme&locale``) and answers AppBridge the way
the dashboard does: the page's ``notifyReady`` gets the handshake (a token of the shape Saleor issues, see
``app_tokens.py``), then the theme and the locale; switching them here sends ``theme`` / ``localeChanged``
to the running page; ``notification`` actions become toasts. Pick a staff user: one with every
permission, one without MANAGE_USERS (to see a refusal).

Query parameters: ``page`` (a console page's slug, empty = the App's home), ``user`` (``staff`` /
``support`` / ``crm``), ``locale`` (``en`` / ``zh-Hans``), ``theme`` (``light`` / ``dark``), and a widget's
object (``orderId``...), passed on to the page as Saleor passes it.
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape

from ..console.pages import PAGES, page_by_slug
from ..ports import Principal
from .app_tokens import SANDBOX_APP_ID, issue_app_token
from .dashboard_page import PAGE_TEMPLATE
from .seed import CUSTOMERS_STAFF, STAFF, SUPPORT_STAFF

USERS: dict[str, tuple[str, Principal]] = {
    "staff": ("staff@brand.example: every permission", STAFF),
    "support": ("support@brand.example: MANAGE_ORDERS only (no MANAGE_USERS)", SUPPORT_STAFF),
    "crm": ("crm@brand.example: MANAGE_USERS only (no MANAGE_ORDERS)", CUSTOMERS_STAFF),
}
LOCALES = {"en": "English", "zh-Hans": "简体中文"}
#: what Saleor's dashboard passes to a widget (``AppDetailsUrlMountQueryParams``)
WIDGET_PARAMETERS = ("orderId", "customerId", "productId")
THEMES = {"light": "Light", "dark": "Dark"}


def _choice(value: str | None, choices: dict, default: str) -> str:
    return value if value in choices else default


def _options(choices: dict, selected: str) -> str:
    return "".join(
        f'<option value="{escape(key)}"{" selected" if key == selected else ""}>{escape(label)}</option>'
        for key, label in choices.items()
    )


def fake_dashboard_view(request: HttpRequest) -> HttpResponse:
    user = _choice(request.GET.get("user"), USERS, "staff")
    locale = _choice(request.GET.get("locale"), LOCALES, "en")
    theme = _choice(request.GET.get("theme"), THEMES, "light")
    slug = request.GET.get("page", "")
    page = page_by_slug(slug)
    api_url = request.build_absolute_uri("/graphql/")
    token = issue_app_token(USERS[user][1], issuer=api_url)
    params = {"domain": request.get_host(), "saleorApiUrl": api_url, "id": SANDBOX_APP_ID}
    # a widget's object, as Saleor's dashboard adds it to the iframe's URL (``orderId`` on an order page)
    params |= {k: request.GET[k][:200] for k in WIDGET_PARAMETERS if request.GET.get(k)}
    frame = "/console/" + (f"{page.slug}/" if page else "")
    links = [("", "WeChat distribution (app)"), *((p.slug, str(p.label)) for p in PAGES)]
    nav = "".join(
        f'<a href="?{escape(urlencode({"page": key, "user": user, "locale": locale, "theme": theme}))}"'
        f"{' aria-current=page' if key == (page.slug if page else '') else ''}>{escape(label)}</a>"
        for key, label in links
    )
    nonce = secrets.token_urlsafe(16)
    state = {"token": token, "frameUrl": frame + "?" + urlencode(params), "theme": theme, "locale": locale}
    html = PAGE_TEMPLATE.format(
        nonce=nonce,
        theme=escape(theme),
        nav=nav,
        users=_options({k: v[0] for k, v in USERS.items()}, user),
        locales=_options(LOCALES, locale),
        themes=_options(THEMES, theme),
        page=escape(slug),
        state=json.dumps(state).replace("<", "\\u003c"),
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
        "frame-src 'self'; object-src 'none'; base-uri 'none'"
    )
    return response
