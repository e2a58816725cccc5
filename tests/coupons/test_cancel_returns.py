"""A cancelled order gives its 商家券 back (退券) only when the host takes the code again: Saleor's
cancellation gives no use back, so a code of a voucher whose usage limit is reached stays used on both sides
(``CODE_USED_IN_SALEOR``); the host unreachable writes nothing and the task retries."""

from __future__ import annotations

import logging

import pytest

from saleor_wechat_distribution import host
from saleor_wechat_distribution.domain.coupons import CouponTemporaryError
from saleor_wechat_distribution.models import IssuedCoupon
from saleor_wechat_distribution.ports import CouponReceived, VoucherCodeUsability
from saleor_wechat_distribution.sandbox.vouchers.models import SandboxVoucherCode
from saleor_wechat_distribution.sandbox.vouchers.source import SandboxVoucherSource
from saleor_wechat_distribution.selectors.coupons import coupon_note_counts
from saleor_wechat_distribution.services.coupons.card_pack import coupon_received
from saleor_wechat_distribution.services.coupons.redemption import coupon_order_cancelled, coupon_order_used
from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_voucher

pytestmark = pytest.mark.django_db


def used_coupon(world, voucher, order_id: str = "O-1"):
    """A user holds the coupon of one of the voucher's codes and uses it in ``order_id``; the host counts
    the use (as Saleor does for a voucher with a usage limit)."""
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    fake = world.busifavor.user_receives(stock.stock_id, "o-buyer")
    coupon_received(
        mchid=world.merchant.mchid,
        received=CouponReceived(
            notification_id="n", stock_id=fake.stock_id, code=fake.code, openid="o-buyer"
        ),
    )
    coupon_order_used(order_id=order_id, channel="default-channel", voucher_code=fake.code)
    SandboxVoucherCode.objects.filter(voucher=voucher, code=fake.code).update(used=1)
    assert fake.state == "USED"
    return fake


def test_the_sandbox_answers_with_saleors_rule(make_voucher):
    limited = make_voucher(codes=["L-1", "L-2"], usage_limit=2)
    source = SandboxVoucherSource()
    assert source.voucher_code_usable(voucher_id=limited.voucher_id, code="L-1") == VoucherCodeUsability(True)
    SandboxVoucherCode.objects.filter(code="L-2").update(used=2)  # the limit counts every code's uses
    answer = source.voucher_code_usable(voucher_id=limited.voucher_id, code="L-1")
    assert answer == VoucherCodeUsability(False, "the voucher's usage limit 2 is reached (2 uses)")
    unlimited = make_voucher(codes=["U-1"])
    SandboxVoucherCode.objects.filter(code="U-1").update(used=50)
    assert source.voucher_code_usable(voucher_id=unlimited.voucher_id, code="U-1").usable
    gone = source.voucher_code_usable(voucher_id=unlimited.voucher_id, code="NOPE")
    assert gone == VoucherCodeUsability(False, "the code no longer exists in Saleor")
    assert not source.voucher_code_usable(voucher_id="V-missing", code="U-1").usable


def test_a_code_saleor_takes_again_goes_back_to_the_card_pack(merchant, world, make_voucher):
    voucher = make_voucher(codes=3, usage_limit=3)  # one use of three: the code is usable again
    fake = used_coupon(world, voucher)
    assert coupon_order_cancelled(order_id="O-1") == 1
    coupon = IssuedCoupon.objects.get()
    assert (coupon.state, coupon.order_id, coupon.note, fake.state) == ("issued", "", "", "SENDED")
    assert world.calls["busifavor.coupons.return"] == 1


def test_a_code_whose_usage_limit_is_reached_stays_used_on_both_sides(merchant, world, make_voucher, caplog):
    voucher = make_voucher(codes=3, usage_limit=1)
    fake = used_coupon(world, voucher)
    with caplog.at_level(logging.INFO, logger="saleor_wechat_distribution.services.coupons.redemption"):
        assert coupon_order_cancelled(order_id="O-1") == 0
    coupon = IssuedCoupon.objects.get()
    assert (coupon.state, coupon.order_id, fake.state) == ("used", "O-1", "USED")
    assert coupon.note == (
        "CODE_USED_IN_SALEOR: order O-1 was cancelled; the voucher's usage limit 1 is reached (1 uses)"
    )
    assert world.calls["busifavor.coupons.return"] == 0
    assert "stays used" in caplog.text
    assert coupon_note_counts(voucher_id=voucher.voucher_id) == {"CODE_USED_IN_SALEOR": 1}
    # a replay of the cancellation: the same answer, nothing sent to WeChat
    assert coupon_order_cancelled(order_id="O-1") == 0
    assert IssuedCoupon.objects.get().note == coupon.note and world.calls["busifavor.coupons.return"] == 0


class UnreachableSource(SandboxVoucherSource):
    """The host's API down: every read of a code's state fails as the App's source does."""

    def voucher_code_usable(self, *, voucher_id: str, code: str) -> VoucherCodeUsability:
        raise CouponTemporaryError("SALEOR_UNAVAILABLE", "connection refused")


def test_the_host_unreachable_writes_nothing_and_the_task_retries(merchant, world, make_voucher):
    voucher = make_voucher(codes=3)
    fake = used_coupon(world, voucher)
    with host.overridden(voucher_source=UnreachableSource()), pytest.raises(CouponTemporaryError):
        coupon_order_cancelled(order_id="O-1")
    coupon = IssuedCoupon.objects.get()
    assert (coupon.state, coupon.order_id, coupon.note, fake.state) == ("used", "O-1", "", "USED")
    assert world.calls["busifavor.coupons.return"] == 0
    assert coupon_order_cancelled(order_id="O-1") == 1  # the retry, the host back: given back
    assert fake.state == "SENDED"
