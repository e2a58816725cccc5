"""The Saleor plugin class: glue only (DESIGN.md §1). Saleor finds it through the ``saleor.plugins``
entry point, adds the entry point's name (this package) to INSTALLED_APPS and this class to PLUGINS.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from saleor.plugins.base_plugin import BasePlugin


class WeChatDistributionPlugin(BasePlugin):
    PLUGIN_ID = "wechat.distribution"
    PLUGIN_NAME = "WeChat distribution"
    PLUGIN_DESCRIPTION = _(
        "WeChat social distribution (微信分销): distributor networks, referral attribution, commissions, "
        "storefronts on Official Accounts and card-pack coupons."
    )
    CONFIGURATION_PER_CHANNEL = True
    DEFAULT_ACTIVE = False
    DEFAULT_CONFIGURATION: list[dict] = []
    CONFIG_STRUCTURE: dict[str, dict] = {}
