"""The fake WeChat the browser tests' sandbox talks to: started in the test process, reached by the
server (another process) over HTTP, and by the browser for WeChat's own pages (web authorization, the
确认收款 page of a transfer)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from saleor_wechat_distribution.testing.fake_wechat_app import install_transfer
from saleor_wechat_distribution.testing.fake_wechat_mp import FakeWeChatMp
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay

#: the brand's Official Account, which is also the payout app of the tests' channel
CENTER_APP = "wxcentertest00001"
CHANNEL = "default-channel"


@dataclass
class WeChatWorld:
    mp: FakeWeChatMp
    pay: FakeWeChatPay

    @classmethod
    @contextmanager
    def started(cls) -> Iterator[WeChatWorld]:
        with FakeWeChatMp() as mp, FakeWeChatPay(appids=(CENTER_APP,)) as pay:
            install_transfer(pay)
            yield cls(mp, pay)

    @property
    def origins(self) -> tuple[str, ...]:
        return (self.mp.base_url, self.pay.base_url)

    def server_env(self, base: str) -> dict[str, str]:
        """What the sandbox server needs to call these fakes (read by tests/screens/server_settings.py)."""
        notify = f"{base}/wechatpay/{CHANNEL}/notify/"
        return {
            "WECHAT_DISTRIBUTION_API_BASE_URL": self.mp.base_url + "/",
            "WECHAT_DISTRIBUTION_OAUTH_BASE_URL": self.mp.base_url + "/connect/",
            "WECHAT_DISTRIBUTION_PAYOUTS": json.dumps({"*": {"v3": self.pay.v3_settings(notify_url=notify)}}),
            "SANDBOX_PUBLIC_URL": base,
            # the card-pack coupons page: the brand's 商家券 merchant; the Open Platform of the storefronts
            # page (its authorization page is the fake's: fake_wechat_app.component_login_page)
            "WECHAT_DISTRIBUTION_COUPONS": json.dumps(
                {"*": [{"v3": self.pay.v3_settings(), "api_key_v2": self.pay.merchant.api_key_v2}]}
            ),
            "WECHAT_DISTRIBUTION_COMPONENT": json.dumps(self.mp.component_settings()),
            "WECHAT_DISTRIBUTION_COMPONENT_LOGIN_URL": self.mp.base_url + "/cgi-bin/componentloginpage",
        }
