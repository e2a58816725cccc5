"""What the sandbox shows besides the network: an Official Account bound to every demo storefront, demo
vouchers synced to the simulated WeChat Pay's card pack (商家券), a follow QR code prepared for a demo
distributor, and the list of things to try that ``__main__`` prints. Everything goes through the same
services the API uses, against the simulated WeChat (``simulated_wechat.py``); re-runs change nothing
that is already there."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from ..models import CouponStock, OfficialAccount, Storefront
from ..ports import Principal
from ..sealing import seal
from ..services.coupons.stock_sync import coupon_sync_voucher
from ..services.identities import identity_link_customer
from ..services.wechat_links import qr_image_url, storefront_qr_code_create
from ..testing.fake_wechat_mp import FakeWeChatMp
from ..testing.fake_wechatpay import FakeWeChatPay
from .seed import DEMO_CHANNEL, STOREFRONTS
from .vouchers.models import SandboxVoucher, SandboxVoucherCode

#: each demo distributor's storefront gets its own simulated service account (slug -> app id)
STOREFRONT_APPS = {
    "east-china": "wxsandboxeastchina1",
    "wangfang": "wxsandboxwangfang01",
    "zhangwei": "wxsandboxzhangwei01",
}
#: the distributor whose QR code and poster the start-up text uses (王芳 Wang Fang, an active distributor)
SHOWCASE_USER = 201
SHOWCASE_PRODUCT = "fridge-bcd-520"
# (voucher id, name, value off, minimum spend, codes)
VOUCHERS: list[tuple[str, str, str, str, int]] = [
    ("demo-welcome-10", "新客立减 10 元 Welcome 10 off", "10.00", "100.00", 20),
    ("demo-appliance-200", "大家电满 2000 减 200 Appliances 200 off", "200.00", "2000.00", 10),
]


def _secret(app_id: str, purpose: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{app_id}:{purpose}".encode(), hashlib.sha256).hexdigest()[:32]


def bind_storefront_accounts(mp: FakeWeChatMp, people: list[tuple[int, str]]) -> dict[str, str]:
    """Each demo distributor's storefront bound to its own simulated service account (credentials mode),
    and every demo person's identity on it linked to their account. Returns slug -> app id."""
    app = mp.web.app
    assert app is not None
    bound = {}
    for _uid, slug, _title, _products in STOREFRONTS:
        storefront = Storefront.objects.filter(slug=slug).first()
        app_id = STOREFRONT_APPS[slug]
        if storefront is None:
            continue
        remote = mp.add_account(
            app_id,
            secret=_secret(app_id, "secret"),
            token=_secret(app_id, "token"),
            name=f"{storefront.title.split(' ', 1)[0]} (simulated)",
        )
        OfficialAccount.objects.update_or_create(
            app_id=app_id,
            defaults={
                "storefront": storefront,
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
        for uid, _name in people:
            persona = app.personas[f"user{uid}"]
            identity_link_customer(
                app_id=app_id, openid=persona.openid(app_id), user_id=uid, unionid=persona.unionid
            )
        bound[slug] = app_id
    return bound


def seed_demo_vouchers() -> list[SandboxVoucher]:
    """The demo vouchers (fixed amount off above a minimum spend, 30 days), each with its codes."""
    vouchers = []
    for voucher_id, name, value, minimum, count in VOUCHERS:
        voucher, created = SandboxVoucher.objects.get_or_create(
            voucher_id=voucher_id,
            defaults={
                "name": name,
                "value": Decimal(value),
                "minimum_spend": Decimal(minimum),
                "channel": DEMO_CHANNEL,
                "end": timezone.now() + timedelta(days=30),
                "usage_limit": count,
            },
        )
        if created:
            prefix = voucher_id.split("-")[1][:4].upper()
            SandboxVoucherCode.objects.bulk_create(
                [SandboxVoucherCode(voucher=voucher, code=f"{prefix}{i:06d}") for i in range(1, count + 1)]
            )
        vouchers.append(voucher)
    return vouchers


def sync_demo_vouchers(pay: FakeWeChatPay, *, app_id: str) -> list[CouponStock]:
    """Configure the simulated merchant for 商家券 and sync every demo voucher (idempotent: a synced stock
    is not created again)."""
    # no notify_url: WeChat Pay takes only an https address for COUPON.SEND, and the sandbox serves http
    settings.WECHAT_DISTRIBUTION_COUPONS = {
        "*": [{"v3": pay.v3_settings(appid=app_id), "api_key_v2": pay.merchant.api_key_v2}]
    }
    stocks: list[CouponStock] = []
    for voucher in seed_demo_vouchers():
        stocks += coupon_sync_voucher(voucher_id=voucher.voucher_id)
    return stocks


@dataclass(frozen=True)
class PreparedCode:
    storefront: str
    distributor: str
    image_url: str
    scan_url: str


def prepare_showcase_qr_code() -> PreparedCode:
    """Wang Fang's follow QR code on her storefront's account, prepared through the mutation's service."""
    storefront, code = storefront_qr_code_create(
        principal=Principal(user_id=SHOWCASE_USER, email=f"user{SHOWCASE_USER}@example.com"),
        storefront_id=None,
    )
    return PreparedCode(
        storefront=storefront.slug,
        distributor=storefront.distributor.display_name if storefront.distributor else "",
        image_url=qr_image_url(code.ticket),
        scan_url=code.url,
    )
