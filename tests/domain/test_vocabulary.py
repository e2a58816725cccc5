"""The words stored in the database live in ``domain`` once, and keep their stored values."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution.domain.coupons import CouponStockKind
from saleor_wechat_distribution.domain.holds import HOLD_PRECEDENCE, HoldReason
from saleor_wechat_distribution.domain.inbound_events import InboundSource
from saleor_wechat_distribution.domain.notifications import NotificationKind
from saleor_wechat_distribution.domain.payouts import PayoutMethod
from saleor_wechat_distribution.domain.referrals import (
    identity_customer_key,
    user_customer_key,
    user_id_of_customer_key,
)
from saleor_wechat_distribution.domain.storefronts import AccountMode, CallbackEvent, OAuthScope
from saleor_wechat_distribution.domain.wechatpay import WeChatPayApi


def test_stored_values_are_unchanged():
    """Rows written before the enums existed must still read back: these values are in databases."""
    assert [m.value for m in PayoutMethod] == ["v3", "v2"]
    assert PayoutMethod is WeChatPayApi
    assert [h.value for h in HoldReason] == ["dispute", "refund_requested"]
    assert [k.value for k in CouponStockKind] == ["busifavor", "card"]
    assert {s.value for s in InboundSource} == {
        "wechat.mp", "wechat.component", "wechatpay.transfer", "wechatpay.coupon", "saleor_voucher_code_use",
    }  # fmt: skip
    kinds = ["commission_new", "commission_available", "withdrawal_paid"]
    assert [k.value for k in NotificationKind] == kinds


def test_wechat_words_are_spelled_as_wechat_spells_them():
    assert [s.value for s in OAuthScope] == ["snsapi_base", "snsapi_userinfo"]
    assert [m.value for m in AccountMode] == ["credentials", "component"]
    assert [e.value for e in CallbackEvent] == ["subscribe", "unsubscribe", "SCAN", "TEMPLATESENDJOBFINISH"]


def test_a_dispute_is_named_before_a_refund_request():
    assert HOLD_PRECEDENCE == (HoldReason.DISPUTE, HoldReason.REFUND_REQUESTED)


def test_customer_keys():
    assert user_customer_key(42) == "user:42"
    assert identity_customer_key("wxapp", "o-1") == "wx:wxapp:o-1"
    assert user_id_of_customer_key(user_customer_key(42)) == 42


@pytest.mark.parametrize("key", ["wx:wxapp:o-1", "user:", "user:x1", "user:٣", "users:1", "", "user"])
def test_only_a_user_key_names_a_user(key):
    assert user_id_of_customer_key(key) is None


def test_model_choices_are_the_enums(db):
    from saleor_wechat_distribution.models import (
        ChannelProgram,
        CouponStock,
        OfficialAccount,
        OrderHold,
        Withdrawal,
    )

    def values(model, name):
        return [value for value, _ in model._meta.get_field(name).choices]

    assert values(ChannelProgram, "payout_method") == list(PayoutMethod)
    assert values(Withdrawal, "payout_method") == list(PayoutMethod)
    assert values(OrderHold, "reason") == list(HoldReason)
    assert values(CouponStock, "kind") == list(CouponStockKind)
    assert values(OfficialAccount, "mode") == list(AccountMode) and OfficialAccount.Mode is AccountMode
    assert Withdrawal._meta.get_field("payout_method").default == "v3"
    assert CouponStock._meta.get_field("kind").default == "busifavor"
