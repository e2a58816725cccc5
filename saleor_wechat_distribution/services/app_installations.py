"""Installations of the console's Saleor App (``models.SaleorAppInstallation``): written when Saleor
registers the App, read when an AppBridge token names its App."""

from __future__ import annotations

from ..models import SaleorAppInstallation
from ..sealing import seal


def app_installation_register(
    *, saleor_api_url: str, domain: str, app_id: str, auth_token: str, jwks: str = "", schema: str = ""
) -> SaleorAppInstallation:
    """One row per Saleor instance: a reinstallation (a new App, a new token) replaces the old one, and
    keeps its schema (App mode: the instance's rows)."""
    defaults = {"domain": domain, "app_id": app_id, "auth_token_sealed": seal(auth_token), "jwks": jwks}
    installation, _created = SaleorAppInstallation.objects.update_or_create(
        saleor_api_url=saleor_api_url, defaults=defaults | ({"schema": schema} if schema else {})
    )
    return installation
