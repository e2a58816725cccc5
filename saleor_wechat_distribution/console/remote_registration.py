"""Verifying a registration over HTTP, as ``@saleor/app-sdk`` does, for a host that is not inside Saleor
(the sandbox; later App mode): ask the claimed Saleor ``{ app { id } }`` with the token, then fetch its JWKS.

A Saleor that answers with an App id for the token has issued it; anything else is refused. Which Saleor
instances may register at all: ``WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS`` (a list of API URLs; empty or
unset = any, as app-sdk's ``allowedSaleorUrls``).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from .register import Registration, RegistrationRefused

TIMEOUT_S = 10
MAX_ANSWER_BYTES = 256 * 1024
APP_ID_QUERY = "query AppId { app { id } }"


def _read_json(request: urllib.request.Request) -> Any:
    # only http(s) URLs reach here (register_view checks the scheme)
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # noqa: S310
        return json.loads(answer.read(MAX_ANSWER_BYTES + 1)[:MAX_ANSWER_BYTES])


def _app_id(api_url: str, token: str) -> str | None:
    request = urllib.request.Request(  # noqa: S310
        api_url,
        data=json.dumps({"query": APP_ID_QUERY}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        answer = _read_json(request)
    except (OSError, ValueError):
        return None
    app = ((answer or {}).get("data") or {}).get("app") if isinstance(answer, dict) else None
    app_id = app.get("id") if isinstance(app, dict) else None
    return app_id if isinstance(app_id, str) and app_id else None


def fetch_jwks(api_url: str) -> str | None:
    """The instance's JWKS as compact JSON, or None when it cannot be fetched or is not a key set."""
    parts = urlsplit(api_url)
    url = urlunsplit((parts.scheme, parts.netloc, "/.well-known/jwks.json", "", ""))
    try:
        answer = _read_json(urllib.request.Request(url))  # noqa: S310
    except (OSError, ValueError):
        return None
    if not isinstance(answer, dict) or not isinstance(answer.get("keys"), list):
        return None
    return json.dumps(answer, separators=(",", ":"))


def verify_with_saleor(api_url: str, token: str) -> Registration:
    allowed = getattr(settings, "WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS", None) or []
    if allowed and api_url not in allowed:
        raise RegistrationRefused(
            "SALEOR_URL_PROHIBITED", "This app expects to be installed only in allowed Saleor instances", 403
        )
    app_id = _app_id(api_url, token)
    if app_id is None:
        raise RegistrationRefused(
            "UNKNOWN_APP_ID",
            f"The auth data given during registration could not be used to fetch the app id from {api_url}.",
        )
    jwks = fetch_jwks(api_url)
    if jwks is None:
        raise RegistrationRefused("JWKS_NOT_AVAILABLE", "Can't fetch the remote JWKS.")
    return Registration(app_id=app_id, jwks=jwks)
