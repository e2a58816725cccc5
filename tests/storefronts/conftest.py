"""Storefront tests: the fake WeChat (Official Account + Open Platform) over HTTP, and a small network."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import ChannelProgram, Distributor, OfficialAccount, Storefront
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.sandbox.vouchers.models import SandboxVoucher, SandboxVoucherCode
from saleor_wechat_distribution.sealing import seal
from saleor_wechat_distribution.services.coupons.card_pack import coupon_card_link
from saleor_wechat_distribution.testing.factories import customer, make_distributor, staff
from saleor_wechat_distribution.testing.fake_wechat_mp import FakeAccount, FakeWeChatMp

CHANNEL = "default-channel"
BRAND_APP = "wxbrand0000000001"
SHOP_APP = "wxshop00000000001"


@pytest.fixture
def mp(settings) -> Iterator[FakeWeChatMp]:
    cache.clear()
    with FakeWeChatMp() as world:
        settings.WECHAT_DISTRIBUTION_API_BASE_URL = world.base_url + "/"
        settings.WECHAT_DISTRIBUTION_COMPONENT = world.component_settings()
        yield world
    cache.clear()
    assert world.errors == []


@dataclass
class Shop:
    """A distributor with a storefront bound to its own account, and the brand's storefront + account."""

    owner: Principal
    distributor: Distributor
    storefront: Storefront
    account: OfficialAccount
    fake: FakeAccount
    brand: Storefront
    brand_account: OfficialAccount
    brand_fake: FakeAccount
    staff: Principal


def bind_account(
    world: FakeWeChatMp, storefront: Storefront, app_id: str, encryption: str = "compatible", **fake: object
) -> tuple:
    """An account bound by credentials; compatible mode by default (the callback tests send plaintext and
    encrypted messages alike)."""
    remote = world.add_account(app_id, **fake)
    account = OfficialAccount.objects.create(
        storefront=storefront,
        app_id=app_id,
        mode=OfficialAccount.Mode.CREDENTIALS,
        message_encryption=encryption,
        app_secret_sealed=seal(remote.secret),
        token_sealed=seal(remote.token),
        aes_key_sealed=seal(remote.aes_key),
        service_type=remote.service_type,
        verify_type=remote.verify_type,
    )
    return account, remote


@pytest.fixture
def shop(db, mp) -> Shop:
    ChannelProgram.objects.create(channel=CHANNEL, storefront_base_url="https://shop.example.com")
    owner = customer()
    distributor = make_distributor(principal=owner, name="小王的店")
    brand = Storefront.objects.create(slug="brand-shop", title="Brand", channel=CHANNEL)
    storefront = Storefront.objects.create(
        distributor=distributor, slug="xiaowang", title="小王精选", channel=CHANNEL, welcome_text="欢迎光临"
    )
    brand_account, brand_fake = bind_account(mp, brand, BRAND_APP)
    account, fake = bind_account(mp, storefront, SHOP_APP)
    return Shop(
        owner=owner,
        distributor=distributor,
        storefront=storefront,
        account=account,
        fake=fake,
        brand=brand,
        brand_account=brand_account,
        brand_fake=brand_fake,
        staff=staff(Permission.MANAGE_USERS),
    )


CARD = "pLegacyCard0001"


@pytest.fixture
def card(shop, mp):
    """A pre-2021 card of the shop's account, its codes already in users' card packs before the link."""
    voucher = SandboxVoucher.objects.create(
        voucher_id="V-legacy", name="老卡券", discount_type="fixed", value=Decimal("10.00"), currency="CNY",
        minimum_spend=Decimal("100.00"), end=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    codes = {"LC-0001": "o-holder-1", "LC-0002": "o-holder-2", "LC-0003": "o-holder-3"}
    SandboxVoucherCode.objects.bulk_create([SandboxVoucherCode(voucher=voucher, code=c) for c in codes])
    fake = mp.add_card(SHOP_APP, CARD, codes)
    coupon_card_link(voucher_id="V-legacy", channel=CHANNEL, app_id=SHOP_APP, card_id=CARD)
    return fake
