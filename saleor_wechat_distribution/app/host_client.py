"""Which Saleor the App's host lookups (``catalog.py``, ``customers.py``, ``customer_sessions.py``,
``checkouts.py``) ask, and how a failed answer reaches the core.

The Saleor of the instance in scope (``instances.installation_in_scope``: the request's, the task's). Two
clients:

- ``app_client``: with the App's token, for what needs the App's permissions (customers, and a checkout's
  customer: MANAGE_USERS);
- ``shopper_client``: without any token, for what a storefront may read (products on sale in a channel,
  categories). The App's token would show more than a shopper sees: with MANAGE_ORDERS Saleor's
  ``products`` include unpublished and hidden products.

These lookups run while a person waits (the center, a mutation), so they try twice with a short timeout
instead of the tasks' four attempts with backoff. :func:`asking` turns Saleor's failures into
``ports.HostUnavailable`` (a coded GraphQL error, never a 500).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _

from ..models import SaleorAppInstallation
from ..ports import HostUnavailable
from ..sealing import unseal
from .instances import installation_in_scope
from .saleor_api import SaleorApiError, SaleorClient, SaleorUnavailable

logger = logging.getLogger(__name__)

#: a person waits: two attempts, five seconds each (tasks keep ``saleor_api``'s defaults)
INTERACTIVE_ATTEMPTS = 2
INTERACTIVE_TIMEOUT_S = 5.0


def current_installation() -> SaleorAppInstallation:
    installation = installation_in_scope()
    if installation is None:
        raise HostUnavailable(_("The App is not installed in Saleor yet."))
    return installation


def app_client() -> SaleorClient:
    installation = current_installation()
    return SaleorClient(
        installation.saleor_api_url,
        unseal(installation.auth_token_sealed),
        attempts=INTERACTIVE_ATTEMPTS,
        timeout_s=INTERACTIVE_TIMEOUT_S,
    )


def shopper_client() -> SaleorClient:
    return SaleorClient(
        current_installation().saleor_api_url,
        "",
        attempts=INTERACTIVE_ATTEMPTS,
        timeout_s=INTERACTIVE_TIMEOUT_S,
    )


@contextmanager
def asking(what: str) -> Iterator[None]:
    """Saleor unreachable, or refusing (a revoked App token, a schema it does not know) ->
    ``HostUnavailable``; ``what`` names the lookup in the log."""
    try:
        yield
    except SaleorUnavailable as error:
        logger.warning("Saleor did not answer (%s): %s", what, error)
        raise HostUnavailable(_("Saleor did not answer; nothing was changed. Try again shortly.")) from error
    except SaleorApiError as error:
        logger.error("Saleor refused the App's request (%s): %s", what, error)
        raise HostUnavailable(_("Saleor refused the App's request; nothing was changed.")) from error
