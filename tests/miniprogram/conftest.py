"""Mini Program tests: the fake WeChat (with its Mini Program endpoints) over HTTP, wechatpy's real client
code talking to it, the storefront world of tests/storefronts, and the GraphQL client."""

# ruff: noqa: F401 - pytest fixtures imported by name
from __future__ import annotations

import pytest

from saleor_wechat_distribution import host
from saleor_wechat_distribution.sealing import seal
from saleor_wechat_distribution.testing.fake_wechat_mp import FakeMiniProgram, FakeWeChatMp
from tests.commissions.conftest import payable, program
from tests.graphql.conftest import gql
from tests.storefronts.conftest import BRAND_APP, CHANNEL, SHOP_APP, bind_account, mp, shop

MINI_APP = "wxmini00000000001"
TEMPLATES = {
    "commission_new": {
        "template_id": "TPL-NEW",
        "fields": {"order": "character_string1", "amount": "amount2", "time": "time3"},
        "page": "pages/wallet/index",
    },
    "commission_available": {"template_id": "TPL-AVAILABLE", "fields": {"amount": "amount1"}},
    "withdrawal_paid": {
        "template_id": "TPL-PAID",
        "fields": {"amount": "amount1", "order": "character_string2"},
    },
}


@pytest.fixture(autouse=True)
def _no_registered_mini_program():
    """No host Mini Program provider: the settings come from ``WECHAT_DISTRIBUTION_MINI_PROGRAMS``, and
    apps.ready's default gateway (wechatpy) talks to the fake WeChat."""
    with host.overridden(mini_program_settings=None):
        yield


@pytest.fixture
def mini(mp: FakeWeChatMp, settings, tmp_path) -> FakeMiniProgram:  # noqa: F811
    """The brand's Mini Program in the fake WeChat, configured for CHANNEL (secret sealed)."""
    app = mp.add_mini_program(MINI_APP)
    app.published.add("pages/product/index")
    app.templates = {
        "TPL-NEW": {"character_string1", "amount2", "time3"},
        "TPL-AVAILABLE": {"amount1"},
        "TPL-PAID": {"amount1", "character_string2"},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WECHAT_DISTRIBUTION_MINI_PROGRAMS = {
        CHANNEL: {
            "app_id": MINI_APP,
            "app_secret_sealed": seal(app.account.secret),
            "page": "pages/index/index",
            "check_path": True,
            "subscribe_templates": TEMPLATES,
        }
    }
    return app
