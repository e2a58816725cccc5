"""WeChat simulated inside the sandbox, so that a newcomer can click through the distributor center
without WeChat: the fake Official Account API and the fake WeChat Pay of ``testing/`` run in this
process (daemon threads on free loopback ports), the brand's storefront is bound to a simulated service
account, payouts go to the simulated merchant, and the demo people are WeChat *personas* whose identities
are linked to their demo accounts. Web authorization and a transfer's 确认收款 are pages of the fakes
(``testing/fake_wechat_app.py``), opened in the browser as WeChat would.

Started by ``python -m saleor_wechat_distribution.sandbox`` (set ``SANDBOX_REAL_WECHAT=1`` to keep the
settings' own WeChat); tests start their own fakes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from ..domain.payouts import PayoutMethod
from ..models import OfficialAccount, Storefront
from ..ports import SYSTEM
from ..sealing import seal
from ..services.identities import identity_link_customer
from ..services.programs import channel_program_update
from ..testing.fake_wechat_app import install_transfer
from ..testing.fake_wechat_mp import FakeWeChatMp
from ..testing.fake_wechatpay import FakeWeChatPay
from .seed import BRAND_STOREFRONT, DEMO_CHANNEL, NETWORK, NEW_CUSTOMER

BRAND_APP = "wxsandboxbrand0001"
#: withdrawals below this are paid without staff approval in the demo (the confirmation step shows at once)
DEMO_AUTO_APPROVE = Decimal("500")


@dataclass(frozen=True)
class SimulatedWeChat:
    mp: FakeWeChatMp
    pay: FakeWeChatPay
    app_id: str

    @property
    def page_config(self) -> dict[str, str]:
        """What the center needs to know: WeChat is simulated, and where its transfer page is."""
        return {"transferPage": self.pay.base_url + "/fake/merchant-transfer"}


_running: SimulatedWeChat | None = None


def running() -> SimulatedWeChat | None:
    return _running


def _secret(purpose: str) -> str:
    """Stable across restarts (the bound account's sealed secrets stay valid): derived from the key."""
    return hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).hexdigest()[:32]


def start(*, public_url: str) -> SimulatedWeChat:
    """Start the fakes, point the settings at them and bind the demo world (idempotent per database)."""
    global _running
    mp = FakeWeChatMp().start()
    pay = FakeWeChatPay(appids=(BRAND_APP,)).start()
    install_transfer(pay)
    remote = mp.add_account(
        BRAND_APP, secret=_secret("app-secret"), token=_secret("token"), name="品牌服务号 Brand (simulated)"
    )
    settings.WECHAT_DISTRIBUTION_API_BASE_URL = mp.base_url + "/"
    settings.WECHAT_DISTRIBUTION_OAUTH_BASE_URL = mp.base_url + "/connect/"
    notify = f"{public_url.rstrip('/')}/wechatpay/{DEMO_CHANNEL}/notify/"
    settings.WECHAT_DISTRIBUTION_PAYOUTS = {"*": {PayoutMethod.V3: pay.v3_settings(notify_url=notify)}}
    brand = Storefront.objects.filter(slug=BRAND_STOREFRONT["slug"]).first()
    OfficialAccount.objects.update_or_create(
        app_id=BRAND_APP,
        defaults={
            "storefront": brand,
            "mode": OfficialAccount.Mode.CREDENTIALS,
            "status": OfficialAccount.Status.ACTIVE,
            "name": remote.name,
            "app_secret_sealed": seal(remote.secret),
            "token_sealed": seal(remote.token),
            "aes_key_sealed": seal(remote.aes_key),
            "service_type": remote.service_type,
            "verify_type": remote.verify_type,
        },
    )
    channel_program_update(
        actor=SYSTEM,
        channel=DEMO_CHANNEL,
        changes={"payout_app_id": BRAND_APP, "withdrawal_auto_approve_below": DEMO_AUTO_APPROVE},
    )
    people = [(uid, name) for uid, name, *_ in NETWORK] + [(NEW_CUSTOMER.user_id, "新顾客 New customer")]
    app = mp.web.app
    assert app is not None
    for uid, name in people:
        persona = app.add_persona(f"user{uid}", name)
        identity_link_customer(
            app_id=BRAND_APP, openid=persona.openid(BRAND_APP), user_id=uid, unionid=persona.unionid
        )
    _running = SimulatedWeChat(mp=mp, pay=pay, app_id=BRAND_APP)
    return _running
