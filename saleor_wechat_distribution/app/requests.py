"""Which instance an HTTP request is for: every view of App mode that reads or writes an instance's rows
runs inside that instance's scope (``instance_scope``), found in this order:

1. the URL's ``/i/<key>/`` prefix (``key`` = the instance's schema, listed by ``wechat-distribution-app
   instances``): WeChat's
   callbacks and notifications, and any request that wants to say it;
2. the JWT of ``Authorization``: Saleor's (its issuer ``iss``) or the App's own center token (its audience,
   the instance's API URL); ``auth.py`` then verifies the token against that instance and refuses one
   issued for another instance than the prefix names;
3. the ``Saleor-Api-Url`` header (anonymous storefront requests; webhooks use only this, ``webhooks.py``);
4. the only installed instance, when there is exactly one (a single-instance server needs no prefix).

Anything else is refused before a row is read: 404 for a key no trusted instance has, 400 when the request
does not say which of several instances it is for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any

import jwt
from django.http import HttpRequest, HttpResponse, JsonResponse

from ..instance_scope import scoped
from ..models import SaleorAppInstallation
from .customer_sessions import CENTER_TOKEN_ISSUER
from .instances import installation_for, installation_of_schema, only_installation

INSTANCE_PREFIX = "i/<str:instance_key>/"


class NoInstance(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _token_issuer(request: HttpRequest) -> str | None:
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() not in ("bearer", "jwt") or not token.strip():
        return None
    try:
        claims = jwt.decode(token.strip(), options={"verify_signature": False})
    except jwt.PyJWTError:
        return None  # authentication refuses it in its scope
    # the App's own center tokens (``customer_sessions.py``) name their instance as their audience
    issuer = claims.get("aud") if claims.get("iss") == CENTER_TOKEN_ISSUER else claims.get("iss")
    return issuer if isinstance(issuer, str) else None


def request_installation(request: HttpRequest, instance_key: str | None) -> SaleorAppInstallation:
    if instance_key is not None:
        installation = installation_of_schema(instance_key)
        if installation is None:
            raise NoInstance(404, "No Saleor instance of this server has this key.")
        return installation
    for api_url in (_token_issuer(request), (request.headers.get("Saleor-Api-Url") or "").strip()):
        if api_url:
            installation = installation_for(api_url)
            if installation is None:
                raise NoInstance(
                    401, "The App is not installed in this Saleor instance (or it is not allowed)."
                )
            return installation
    installation = only_installation()
    if installation is None:
        raise NoInstance(
            400, "Which Saleor instance? Send its token or a Saleor-Api-Url header, or use /i/<key>/ URLs."
        )
    return installation


def _scoped_chunks(schema: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """A streamed body (CSV exports) is produced after the view returned: each chunk in the scope again."""
    iterator = iter(chunks)
    while True:
        with scoped(schema):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


def in_instance(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view run in the scope of the request's instance (``instance_key``: the URL's prefix, if any)."""

    @wraps(view)
    def scoped_view(request: HttpRequest, *args: Any, instance_key: str | None = None, **kwargs: Any):
        try:
            installation = request_installation(request, instance_key)
        except NoInstance as refusal:
            return JsonResponse({"errors": [{"message": refusal.message}]}, status=refusal.status)
        with scoped(installation.schema):
            response = view(request, *args, **kwargs)
        if getattr(response, "streaming", False):
            response.streaming_content = _scoped_chunks(installation.schema, response.streaming_content)
        return response

    return scoped_view
