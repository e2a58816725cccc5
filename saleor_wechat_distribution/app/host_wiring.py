"""App mode's part of the host registry (``host.Host``): the lookups the plugin answers from Saleor's ORM
(``saleor_adapter/wiring.py``), answered through Saleor's GraphQL API. Installed by App mode's
``apps.ready`` (``apps.py``; the core's ``apps.ready`` fills only the fields left unset).

Share posters' ``product_lookup`` stays unset: ``conf.product_lookup`` asks the catalog, as in plugin mode.
Payouts, coupons, the Open Platform component, Mini Programs and program defaults keep the core's
defaults (Django settings), read through ``setting``: the instance in scope's own values where it has some
(``instance_settings.py``).
"""

from __future__ import annotations

from typing import Any

from .. import host
from .catalog import SaleorApiProductCatalog
from .categories import SaleorApiCategoryCatalog
from .channels import saleor_api_channels
from .checkouts import checkout_lookup
from .customer_sessions import SaleorApiCustomerSessions
from .customers import SaleorApiCustomerDirectory
from .instance_settings import setting
from .vouchers import SaleorApiVoucherSource


def app_host() -> dict[str, Any]:
    return {
        "channel_list": saleor_api_channels,
        "product_catalog": SaleorApiProductCatalog(),
        "category_catalog": SaleorApiCategoryCatalog(),
        "customer_directory": SaleorApiCustomerDirectory(),
        "customer_sessions": SaleorApiCustomerSessions(),
        "checkout_lookup": checkout_lookup,
        "voucher_source": SaleorApiVoucherSource(),
        "setting": setting,
    }


def install() -> None:
    host.update(**app_host())
