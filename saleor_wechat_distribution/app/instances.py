"""Which Saleor instances this server trusts: installed (``api/register`` stored a row) and allowed
(``WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS``). Webhooks, user tokens and tasks find their instance here
only, so taking a URL off the list stops trusting an instance that installed the App before.

Until every row is scoped to its instance (README, "Several Saleor instances on one server"), App mode's
settings insist on exactly one allowed URL: two instances' orders would otherwise pay into one program,
and user 5 of one instance would be user 5 of the other.
"""

from __future__ import annotations

from django.conf import settings

from ..models import SaleorAppInstallation


def allowed_saleor_urls() -> list[str]:
    return list(getattr(settings, "WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS", None) or [])


def installation_for(api_url: object) -> SaleorAppInstallation | None:
    if not isinstance(api_url, str) or not api_url:
        return None
    allowed = allowed_saleor_urls()
    if allowed and api_url not in allowed:
        return None
    return SaleorAppInstallation.objects.filter(saleor_api_url=api_url).first()
