"""The host registry (``host.py``): one object holds what the core looks up from its host; the sandbox
installs its part at start-up; ``conf``'s accessors and the checkout lookup read it."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution import conf, host
from saleor_wechat_distribution.conf import ProgramConfig
from saleor_wechat_distribution.sandbox.categories import SandboxCategoryCatalog
from saleor_wechat_distribution.sandbox.vouchers.source import SandboxVoucherSource
from saleor_wechat_distribution.wechat.event_hooks import (
    event_handler_for,
    register_event_handler,
    unregister_event_handler,
)
from saleor_wechat_distribution.wechat.miniprogram import WeChatMiniProgramGateway
from saleor_wechat_distribution.wechat.web import WeChatGateway


def test_the_sandbox_installed_its_host_at_start_up():
    installed = host.current()
    assert isinstance(installed.voucher_source, SandboxVoucherSource)
    assert isinstance(installed.category_catalog, SandboxCategoryCatalog)
    assert conf.get_category_catalog() is installed.category_catalog
    assert isinstance(installed.official_account_gateway, WeChatGateway)
    assert isinstance(installed.mini_program_gateway, WeChatMiniProgramGateway)
    assert installed.mini_program_settings is None  # the sandbox: WECHAT_DISTRIBUTION_MINI_PROGRAMS
    assert installed.payout_gateway is not None and installed.coupon_gateways is not None
    # the legacy card events the coupon module takes are in the same registry
    assert {"user_get_card", "user_del_card", "user_consume_card"} <= set(installed.wechat_event_handlers)


def test_conf_reads_the_installed_host_and_overridden_restores_it():
    before = host.current()
    with host.overridden(
        program_config=lambda channel: ProgramConfig(auto_approve=channel == "vip"),
        channel_active=lambda channel: channel != "closed",
    ):
        assert conf.get_config("vip").auto_approve and not conf.get_config("other").auto_approve
        assert not conf.channel_is_active("closed") and conf.channel_is_active("open")
    assert host.current() is before
    assert conf.get_config("vip").auto_approve is False  # back to Django settings
    assert conf.channel_is_active("closed")  # the default: every channel with a program


def test_fill_defaults_keeps_what_the_host_installed():
    own = SandboxVoucherSource()
    with host.overridden(voucher_source=own, customer_sessions=None):
        host.fill_defaults(voucher_source=SandboxVoucherSource(), customer_sessions="default")
        assert host.current().voucher_source is own
        assert host.current().customer_sessions == "default"


def test_a_missing_lookup_is_not_configured():
    with host.overridden(payout_gateway=None, voucher_source=None):
        with pytest.raises(conf.PayoutNotConfigured):
            conf.get_payout_gateway("default-channel", "v3")
        assert not conf.payout_available("default-channel", "v3")
        with pytest.raises(conf.CouponsNotConfigured):
            conf.get_voucher_source()


def test_event_handlers_live_in_the_registry():
    def handler(event):
        return None

    register_event_handler("User_Custom_Event", handler)
    try:
        assert event_handler_for("user_custom_event") is handler
        assert host.current().wechat_event_handlers["user_custom_event"] is handler
    finally:
        unregister_event_handler("user_custom_event")
    assert event_handler_for("user_custom_event") is None
