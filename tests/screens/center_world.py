"""The shop the center's browser tests open: the brand's storefront bound to the fake WeChat's account,
a program paying two levels and paying out through the fake WeChat Pay, Wang Fang (an active distributor
with a curated store, a team, commissions and money) and the recording stand-in of WeChat's JS-SDK."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from saleor_wechat_distribution.domain.distributors import DistributorStatus
from saleor_wechat_distribution.models import (
    ChannelProgram,
    CommissionRule,
    Distributor,
    LedgerEntry,
    OfficialAccount,
    Storefront,
)
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.sealing import seal
from saleor_wechat_distribution.services.commissions import (
    commissions_settle_due,
    order_fulfilled,
    order_paid,
)
from saleor_wechat_distribution.services.identities import identity_link_customer
from saleor_wechat_distribution.services.ledger import ledger_append
from saleor_wechat_distribution.testing.factories import customer, make_distributor
from saleor_wechat_distribution.testing.orders import line, order

from .wechat_world import CENTER_APP, CHANNEL, WeChatWorld

#: the JS-SDK as a page inside WeChat sees it, recording every call in ``window.__wxCalls``; the
#: transfer confirmation answers ``requestMerchantTransfer:ok`` (the user tapped 确认收款)
WX_STUB = """
window.__wxCalls = [];
const record = (name) => (options) => {
  window.__wxCalls.push([name, JSON.parse(JSON.stringify(options || {}))]);
  if (options && options.success) options.success({});
};
window.wx = {
  config: (options) => { window.__wxCalls.push(["config", options]); },
  ready: (callback) => setTimeout(callback, 0),
  error: () => {},
  checkJsApi: record("checkJsApi"),
  updateAppMessageShareData: record("updateAppMessageShareData"),
  updateTimelineShareData: record("updateTimelineShareData"),
};
window.WeixinJSBridge = { invoke: (name, options, callback) => {
  window.__wxCalls.push([name, options]); setTimeout(() => callback({ err_msg: name + ":ok" }), 0); } };
"""


@dataclass
class CenterShop:
    world: WeChatWorld
    base: str
    wang: Distributor
    wang_principal: Principal
    team_member: Distributor

    def url(self, query: str = "", route: str = "") -> str:
        return f"/center/?s=brand-store{query}" + (f"#/{route}" if route else "")


def js_sdk_signature(ticket: str, config: dict, url: str) -> str:
    """WeChat's documented algorithm, written out again for the check."""
    text = f"jsapi_ticket={ticket}&noncestr={config['nonceStr']}&timestamp={config['timestamp']}&url={url}"
    return hashlib.sha1(text.encode()).hexdigest()


def build_shop(world: WeChatWorld, base: str) -> CenterShop:
    ChannelProgram.objects.create(
        channel=CHANNEL, currency="CNY", commission_depth=2, freeze_days=7,
        storefront_base_url=f"{base}/shop", payout_app_id=CENTER_APP,
        withdrawal_minimum=Decimal("1"), withdrawal_auto_approve_below=Decimal("1000"),
    )  # fmt: skip
    CommissionRule.objects.create(channel=CHANNEL, level=1, rate=Decimal("10"))
    CommissionRule.objects.create(channel=CHANNEL, level=2, rate=Decimal("3"))
    brand = Storefront.objects.create(slug="brand-store", title="品牌官方商城 Brand Store", channel=CHANNEL)
    remote = world.mp.add_account(CENTER_APP, name="品牌服务号")
    OfficialAccount.objects.create(
        storefront=brand, app_id=CENTER_APP, mode=OfficialAccount.Mode.CREDENTIALS, name=remote.name,
        app_secret_sealed=seal(remote.secret), token_sealed=seal(remote.token),
        aes_key_sealed=seal(remote.aes_key),
    )  # fmt: skip
    app = world.mp.web.app
    assert app is not None
    wang_principal = customer()
    wang = make_distributor(principal=wang_principal, name="王芳 Wang Fang")
    persona = app.add_persona("wang", "王芳")
    identity_link_customer(
        app_id=CENTER_APP,
        openid=persona.openid(CENTER_APP),
        user_id=wang_principal.user_id,
        unionid=persona.unionid,
    )
    Storefront.objects.create(
        distributor=wang, slug="wangfang", title="王芳的家电小店", channel=CHANNEL, welcome_text="欢迎光临！",
        all_products=False, product_ids=["fridge-bcd-520", "kettle-sw-15"],
    )  # fmt: skip
    member = make_distributor(wang, name="李娜 Li Na")
    make_distributor(member, name="陈静")
    make_distributor(wang, name="Pending", status=DistributorStatus.PENDING)
    now = timezone.now()
    for amount, fulfilled_days_ago in (("800.00", 10), ("300.00", 1), ("120.00", None)):
        placed = order(
            line(amount, product="fridge-bcd-520"), ref=wang.referral_code, user_id=customer().user_id
        )
        order_paid(order=placed)
        if fulfilled_days_ago is not None:
            order_fulfilled(order_id=placed.order_id, fulfilled_at=now - timedelta(days=fulfilled_days_ago))
    commissions_settle_due(now=now)
    ledger_append(
        distributor_id=wang.pk, currency="CNY", amount=Decimal("200.00"), kind=LedgerEntry.Kind.ADJUSTMENT,
        key=f"test-credit:{wang.pk}",
    )  # fmt: skip
    return CenterShop(world=world, base=base, wang=wang, wang_principal=wang_principal, team_member=member)
