"""``app/register/``: Saleor posts the App's token here when the App is installed (``tokenTargetUrl``).

The request is checked the way ``@saleor/app-sdk``'s register handler checks it: POST, a
``Saleor-Api-Url`` header, a JSON body with ``auth_token``; then the host's verifier confirms that the
token really is an App token of that Saleor (``RegistrationRefused`` otherwise, with app-sdk's codes:
``SALEOR_URL_PROHIBITED``, ``UNKNOWN_APP_ID``, ``JWKS_NOT_AVAILABLE``), and the installation is stored per
Saleor instance (its API URL). Answers use app-sdk's shape, ``{"success": bool, "error": {code, message}}``,
whose message Saleor shows when an installation fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse

from ..services.app_installations import app_installation_register

#: a register request is a token in a small JSON object
MAX_BODY_BYTES = 16 * 1024
API_URL_MAX_LENGTH = 500


@dataclass(frozen=True)
class Registration:
    """What the verifier learnt: the App's global id in that Saleor, and its JWKS (for App mode); App mode's
    verifier also made the schema of the instance's rows (``app/schemas.py``)."""

    app_id: str
    jwks: str = ""
    schema: str = ""


class RegistrationRefused(Exception):
    def __init__(self, code: str, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


#: (Saleor API URL, App token) -> Registration, or RegistrationRefused
RegistrationVerifier = Callable[[str, str], Registration]


def _refused(message: str, status: int, code: str | None = None) -> JsonResponse:
    error = {"message": message} | ({"code": code} if code else {})
    return JsonResponse({"success": False, "error": error}, status=status)


def register_view(request: HttpRequest, *, verify: RegistrationVerifier) -> HttpResponse:
    if request.method != "POST":
        response = _refused("Use POST.", 405)
        response["Allow"] = "POST"
        return response
    api_url = (request.headers.get("Saleor-Api-Url") or "").strip()
    if not api_url:
        return _refused("Missing saleor-api-url header.", 400)
    parts = urlsplit(api_url)
    if len(api_url) > API_URL_MAX_LENGTH or parts.scheme not in ("http", "https") or not parts.hostname:
        return _refused("The saleor-api-url header is not an http(s) URL.", 400)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = MAX_BODY_BYTES + 1
    if declared > MAX_BODY_BYTES:
        return _refused("The request body is too large.", 413)
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return _refused("Invalid request json.", 400)
    token = body.get("auth_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token.strip():
        return _refused("Missing auth token.", 400)
    try:
        registration = verify(api_url, token)
    except RegistrationRefused as refusal:
        return _refused(refusal.message, refusal.status, refusal.code)
    app_installation_register(
        saleor_api_url=api_url,
        domain=parts.netloc,
        app_id=registration.app_id,
        auth_token=token,
        jwks=registration.jwks,
        schema=registration.schema,
    )
    return JsonResponse({"success": True})
