"""Inside Saleor the adapter installs the host registry (``host.py``) at start-up: every lookup the core
makes is answered by Saleor, and the WeChat defaults fill only what the adapter left open."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution import host
from saleor_wechat_distribution.saleor_adapter import wiring
from saleor_wechat_distribution.saleor_adapter.catalog import SaleorProductCatalog
from saleor_wechat_distribution.saleor_adapter.categories import SaleorCategoryCatalog
from saleor_wechat_distribution.saleor_adapter.channels import saleor_channels
from saleor_wechat_distribution.saleor_adapter.config import PLUGIN_ID
from saleor_wechat_distribution.saleor_adapter.customer_sessions import SaleorCustomerSessions
from saleor_wechat_distribution.saleor_adapter.customers import SaleorCustomerDirectory
from saleor_wechat_distribution.saleor_adapter.plugin import WeChatDistributionPlugin
from saleor_wechat_distribution.saleor_adapter.voucher_source import SaleorVoucherSource
from saleor_wechat_distribution.wechat.miniprogram import WeChatMiniProgramGateway
from saleor_wechat_distribution.wechat.web import WeChatGateway

pytestmark = [pytest.mark.saleor]


def test_the_adapter_installed_saleors_host():
    installed = host.current()
    assert installed.program_config is wiring.program_config
    assert installed.channel_active is wiring.plugin_active_in
    assert installed.channel_list is saleor_channels
    assert installed.payout_gateway is wiring.payout_gateway
    assert installed.coupon_gateways is wiring.coupon_gateways
    assert installed.checkout_lookup is wiring.checkout_channel
    assert installed.mini_program_settings is wiring.mini_program
    assert isinstance(installed.voucher_source, SaleorVoucherSource)
    assert isinstance(installed.product_catalog, SaleorProductCatalog)
    assert isinstance(installed.category_catalog, SaleorCategoryCatalog)
    assert isinstance(installed.customer_directory, SaleorCustomerDirectory)
    assert isinstance(installed.customer_sessions, SaleorCustomerSessions)
    assert isinstance(installed.official_account_gateway, WeChatGateway)  # apps.ready's default
    assert isinstance(installed.mini_program_gateway, WeChatMiniProgramGateway)  # apps.ready's default
    assert "user_get_card" in installed.wechat_event_handlers


def test_the_plugin_id_is_defined_once():
    assert WeChatDistributionPlugin.PLUGIN_ID is PLUGIN_ID == "wechat.distribution"


@pytest.mark.django_db
def test_the_channel_list_is_saleors_channels(channel_USD, channel_PLN):
    """The console's channel picker (``programChannels``) lists Saleor's channels with their currency."""
    found = {c.slug: c for c in saleor_channels()}
    assert (found[channel_USD.slug].currency, found[channel_USD.slug].name) == ("USD", channel_USD.name)
    assert found[channel_PLN.slug].currency == "PLN"
    assert [c.slug for c in saleor_channels()] == sorted(found)
