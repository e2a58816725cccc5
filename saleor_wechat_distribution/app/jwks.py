"""The JSON Web Key Set of each installed Saleor instance: what webhook signatures and user tokens are
checked against.

Kept on the installation row (``SaleorAppInstallation.jwks``, fetched at registration), so every process
shares it and a restart costs no request. A signature or token whose key id (``kid``) the stored set does
not hold makes us fetch ``/.well-known/jwks.json`` again, once (Saleor rotated its key): at most once per
``REFRESH_INTERVAL_S`` per instance, so a flood of made-up key ids cannot turn us into a fetch loop.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.cache import cache
from jwt import PyJWK
from jwt.exceptions import PyJWKError

from ..console.remote_registration import fetch_jwks
from ..models import SaleorAppInstallation

REFRESH_INTERVAL_S = 60


class UnknownKey(Exception):
    """No key of the instance's JWKS (even after a refetch) has this key id."""


def _keys(jwks: str) -> dict[str, Any]:
    try:
        data = json.loads(jwks or "{}")
    except ValueError:
        return {}
    keys = data.get("keys") if isinstance(data, dict) else None
    return {k.get("kid"): k for k in keys or () if isinstance(k, dict) and k.get("kid")}


def _refresh(installation: SaleorAppInstallation) -> bool:
    """Fetch the instance's JWKS again unless that was done in the last ``REFRESH_INTERVAL_S``."""
    # the row's creation time in the key: a reinstallation (a new row) starts afresh
    key = f"wd-app-jwks-refresh:{installation.pk}:{installation.created_at.timestamp()}"
    if not cache.add(key, time.time(), timeout=REFRESH_INTERVAL_S):
        return False
    fetched = fetch_jwks(installation.saleor_api_url)
    if fetched is None or fetched == installation.jwks:
        return False
    installation.jwks = fetched
    SaleorAppInstallation.objects.filter(pk=installation.pk).update(jwks=fetched)
    return True


def signing_key(installation: SaleorAppInstallation, kid: str | None) -> Any:
    """The public key (a ``cryptography`` key) of ``kid``; refetches the JWKS once when it is unknown."""
    if not kid:
        raise UnknownKey("The token names no key id.")
    jwk = _keys(installation.jwks).get(kid)
    if jwk is None and _refresh(installation):
        jwk = _keys(installation.jwks).get(kid)
    if jwk is None:
        raise UnknownKey(f"Unknown key id {kid!r}.")
    try:
        return PyJWK(jwk).key
    except PyJWKError as error:
        raise UnknownKey(f"Unusable key {kid!r}.") from error
