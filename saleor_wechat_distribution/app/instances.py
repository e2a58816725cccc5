"""Which Saleor instances this server trusts, and which one a request or a task belongs to.

Trusted = installed (``api/register`` stored a row, with the schema of the instance's rows:
``schemas.py``) and allowed (``WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS``; empty = any). Webhooks, user
tokens, tasks and callbacks find their instance here only, so taking a URL off the list stops trusting an
instance that installed the App before.

The registry lives in public, which every instance's ``search_path`` ends with: it reads the same in any
scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from ..instance_scope import SCHEMA_NAME, current, scoped
from ..models import SaleorAppInstallation


def allowed_saleor_urls() -> list[str]:
    return list(getattr(settings, "WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS", None) or [])


def _trusted(installation: SaleorAppInstallation | None) -> SaleorAppInstallation | None:
    if installation is None or not SCHEMA_NAME.match(installation.schema or ""):
        return None  # a plugin-mode row, or one whose schema was never made
    allowed = allowed_saleor_urls()
    return installation if not allowed or installation.saleor_api_url in allowed else None


def installation_for(api_url: object) -> SaleorAppInstallation | None:
    """The trusted installation of the Saleor whose API URL is ``api_url``."""
    if not isinstance(api_url, str) or not api_url:
        return None
    return _trusted(SaleorAppInstallation.objects.filter(saleor_api_url=api_url).first())


def installation_of_schema(schema: object) -> SaleorAppInstallation | None:
    """The trusted installation whose rows live in ``schema`` (the ``/i/<schema>/`` URL prefix, a task's
    header)."""
    if not isinstance(schema, str) or not SCHEMA_NAME.match(schema):
        return None
    return _trusted(SaleorAppInstallation.objects.filter(schema=schema).first())


def trusted_installations() -> list[SaleorAppInstallation]:
    rows = list(SaleorAppInstallation.objects.exclude(schema="").order_by("pk"))
    return [row for row in rows if _trusted(row) is not None]


def only_installation() -> SaleorAppInstallation | None:
    """The trusted installation when there is exactly one (requests that name no instance), else None."""
    trusted = trusted_installations()
    return trusted[0] if len(trusted) == 1 else None


def installation_in_scope() -> SaleorAppInstallation | None:
    """The trusted installation of the instance in scope; outside any, the only one (else None). What the
    host lookups (catalog, customers, vouchers: ``host_client.py``) ask Saleor with."""
    schema = current()
    return installation_of_schema(schema) if schema is not None else only_installation()


@contextmanager
def instance(installation: SaleorAppInstallation) -> Iterator[SaleorAppInstallation]:
    """Run the block in ``installation``'s schema."""
    with scoped(installation.schema):
        yield installation
