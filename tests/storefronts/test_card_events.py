"""Legacy 卡券 events arriving at an Official Account's callback reach the coupon services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from saleor_wechat_distribution.models import IssuedCoupon
from saleor_wechat_distribution.sandbox.vouchers.models import SandboxVoucher, SandboxVoucherCode
from saleor_wechat_distribution.services.coupons.card_pack import coupon_card_link
from saleor_wechat_distribution.wechat.card_events import register_card_event_handlers

from .conftest import SHOP_APP
from .messages import callback, event_xml


def post(client, query, body):
    return client.generic("POST", f"/wechat/{SHOP_APP}/?{query}", body, content_type="text/xml")


def test_card_taken_and_used_in_a_store_marks_the_voucher_code_used(client, shop):
    register_card_event_handlers()  # apps.ready did; another test may have replaced a handler since
    voucher = SandboxVoucher.objects.create(
        voucher_id="V-card", name="老卡券", discount_type="fixed", value=Decimal("10.00"), currency="CNY",
        minimum_spend=Decimal("100.00"), end=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    SandboxVoucherCode.objects.create(voucher=voucher, code="CARD-0001")
    coupon_card_link(voucher_id="V-card", channel="default-channel", app_id=SHOP_APP, card_id="pLegacyCard")
    for event in ("user_get_card", "user_consume_card", "user_consume_card"):  # WeChat repeats events
        xml = event_xml("o-card-holder", event, CardId="pLegacyCard", UserCardCode="CARD-0001")
        query, body = callback(shop.fake, xml)
        assert post(client, query, body).status_code == 200
    coupon = IssuedCoupon.objects.get(code="CARD-0001")
    assert (coupon.openid, coupon.state) == ("o-card-holder", "used")
    assert SandboxVoucherCode.objects.get(code="CARD-0001").used == 1
