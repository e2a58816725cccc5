"""Coupons against the fake WeChat Pay over HTTP, with wechatpayv3's real client, and the sandbox's
voucher tables as the host's VoucherSource."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from saleor_wechat_distribution import host
from saleor_wechat_distribution.sandbox.vouchers.models import SandboxVoucher, SandboxVoucherCode
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay
from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons, WeChatPayCouponSettings
from saleor_wechat_distribution.wechat.payouts_v3 import WeChatPayV3Settings

_ids = itertools.count(1)


def coupon_settings(world: FakeWeChatPay, **v3: Any) -> WeChatPayCouponSettings:
    return WeChatPayCouponSettings(
        v3=WeChatPayV3Settings(**world.v3_settings(**v3)), api_key_v2=world.merchant.api_key_v2
    )


@pytest.fixture
def world() -> Iterator[FakeWeChatPay]:
    with FakeWeChatPay() as fake:
        yield fake
    assert fake.errors == []


@pytest.fixture
def gateway(world: FakeWeChatPay) -> WeChatPayCoupons:
    return WeChatPayCoupons(coupon_settings(world))


@pytest.fixture
def merchant(world: FakeWeChatPay, gateway: WeChatPayCoupons) -> Iterator[WeChatPayCoupons]:
    """The brand's merchant configured for every channel (and nothing else)."""
    saved = host.current()
    host.update(coupon_gateways=lambda channel, distributor_id: [gateway])
    yield gateway
    host.install(saved)


MakeVoucher = Callable[..., SandboxVoucher]


@pytest.fixture
def make_voucher(db) -> MakeVoucher:
    def make(codes: int | list[str] = 3, **fields: Any) -> SandboxVoucher:
        n = next(_ids)
        values: dict[str, Any] = {
            "voucher_id": f"V{n}",
            "name": f"满100减10 voucher {n}",
            "discount_type": "fixed",
            "value": Decimal("10.00"),
            "currency": "CNY",
            "minimum_spend": Decimal("100.00"),
            "end": timezone.now() + timedelta(days=30),
        }
        values |= fields
        voucher = SandboxVoucher.objects.create(**values)
        listed = codes if isinstance(codes, list) else [f"C{n}X{i:06d}" for i in range(codes)]
        SandboxVoucherCode.objects.bulk_create(
            [SandboxVoucherCode(voucher=voucher, code=code) for code in listed], batch_size=5000
        )
        return voucher

    return make
