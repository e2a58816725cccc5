"""Which distributor an order belongs to, and customer bindings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_wechat_distribution import host
from saleor_wechat_distribution.domain.distributors import DistributorStatus
from saleor_wechat_distribution.domain.referrals import user_customer_key
from saleor_wechat_distribution.models import CheckoutReferral, CustomerBinding, DistributorVoucherCode
from saleor_wechat_distribution.ports import SYSTEM, HostCheckout, Principal
from saleor_wechat_distribution.services.attribution import order_attribute
from saleor_wechat_distribution.services.distributors import distributor_move, distributor_suspend
from saleor_wechat_distribution.services.referrals import checkout_attribute
from saleor_wechat_distribution.testing.factories import make_distributor
from saleor_wechat_distribution.testing.orders import order

pytestmark = pytest.mark.django_db


def test_link_code_attributes_with_evidence_and_upline_snapshot(program, chain):
    e, a, b = chain
    o = order(ref=b.referral_code.lower(), user_id=7)
    attribution = order_attribute(order=o)
    assert (attribution.distributor_id, attribution.source, attribution.code) == (
        b.pk,
        "link",
        b.referral_code,
    )
    assert [u["distributor_id"] for u in attribution.upline] == [b.pk, a.pk]
    assert attribution.policy["commission_depth"] == 2
    # decided once: a later call with another code changes nothing
    assert (
        order_attribute(order=order(ref=a.referral_code, user_id=7, order_id=o.order_id)).distributor_id
        == b.pk
    )
    # later moves never rewrite history
    distributor_move(actor=SYSTEM, distributor_id=b.pk, new_parent_id=e.pk)
    attribution.refresh_from_db()
    assert [u["distributor_id"] for u in attribution.upline] == [b.pk, a.pk]


def test_first_order_binds_the_customer_and_later_orders_follow_the_binding(program, chain):
    _, a, b = chain
    order_attribute(order=order(ref=b.referral_code, user_id=8))
    binding = CustomerBinding.objects.get(customer_key="user:8")
    assert binding.distributor_id == b.pk
    later = order_attribute(order=order(user_id=8))
    assert (later.distributor_id, later.source) == (b.pk, "binding")
    # another distributor's link inside the protection period does not poach the customer
    poach = order_attribute(order=order(ref=a.referral_code, user_id=8))
    assert (poach.distributor_id, poach.source) == (b.pk, "binding")


def test_last_touch_policy_takes_over_after_protection(program, chain):
    _, a, b = chain
    program.binding_override = "last_touch"
    program.binding_protection_days = 0
    program.save()
    order_attribute(order=order(ref=b.referral_code, user_id=9))
    taken = order_attribute(order=order(ref=a.referral_code, user_id=9))
    assert taken.distributor_id == a.pk
    assert CustomerBinding.objects.get(customer_key="user:9").distributor_id == a.pk


def test_expired_binding_lets_another_code_win(program, chain):
    _, a, b = chain
    order_attribute(order=order(ref=b.referral_code, user_id=10))
    CustomerBinding.objects.filter(customer_key="user:10").update(
        expires_at=timezone.now() - timedelta(seconds=1), protected_until=timezone.now() - timedelta(days=1)
    )
    assert order_attribute(order=order(ref=a.referral_code, user_id=10)).distributor_id == a.pk


def test_voucher_code_priority(program, chain):
    _, a, b = chain
    DistributorVoucherCode.objects.create(code="SPRING50", channel=program.channel, distributor=a)
    assert order_attribute(order=order(ref=b.referral_code, voucher_code="SPRING50")).distributor_id == a.pk
    program.code_priority = "link_first"
    program.save()
    assert order_attribute(order=order(ref=b.referral_code, voucher_code="SPRING50")).distributor_id == b.pk
    # a voucher code of another channel is no evidence here
    assert order_attribute(order=order(voucher_code="SPRING50", channel="other")).distributor_id is None


def test_checkout_referral_and_unknown_or_inactive_codes(program, chain):
    _, a, b = chain
    CheckoutReferral.objects.create(
        checkout_id="chk-1", channel=program.channel, code=a.referral_code, distributor=a
    )
    assert order_attribute(order=order(checkout_id="chk-1")).distributor_id == a.pk
    assert order_attribute(order=order(ref="NOSUCHCODE")).distributor_id is None
    distributor_suspend(actor=SYSTEM, distributor_id=b.pk)
    assert order_attribute(order=order(ref=b.referral_code)).distributor_id is None


def test_a_code_put_on_a_checkout_by_any_of_its_ids_attributes_its_order(program, chain):
    """The host may know a checkout by several ids (Saleor: its global id and its token): the code is kept
    under the one its order carries."""
    _, a, _ = chain
    aliases = {"Q2hlY2tvdXQ6dG9rZW4tMQ==": "token-1", "token-1": "token-1"}
    host.update(
        checkout_lookup=lambda id: HostCheckout(aliases[id], program.channel) if id in aliases else None
    )
    try:
        assert (
            checkout_attribute(
                principal=Principal.anonymous(), checkout_id="Q2hlY2tvdXQ6dG9rZW4tMQ==", code=a.referral_code
            )
            == program.channel
        )
    finally:
        host.update(checkout_lookup=None)
    assert CheckoutReferral.objects.get().checkout_id == "token-1"
    assert order_attribute(order=order(checkout_id="token-1")).distributor_id == a.pk


def test_suspended_bound_distributor_earns_nothing(program, chain):
    _, _, b = chain
    order_attribute(order=order(ref=b.referral_code, user_id=11))
    distributor_suspend(actor=SYSTEM, distributor_id=b.pk)
    attribution = order_attribute(order=order(user_id=11))
    assert attribution.distributor_id == b.pk and attribution.no_commission_reason == "inactive_distributor"
    assert attribution.upline == []


def test_self_purchase_policy(program, chain):
    _, _, b = chain
    assert order_attribute(order=order(ref=b.referral_code, user_id=b.user_id)).no_commission_reason == ""
    program.self_purchase_earns = False
    program.save()
    assert (
        order_attribute(order=order(ref=b.referral_code, user_id=b.user_id)).no_commission_reason
        == "self_purchase"
    )
    # nobody is ever bound to themself
    assert not CustomerBinding.objects.filter(customer_key=user_customer_key(b.user_id)).exists()


def test_a_distributor_is_never_bound_into_its_own_team(program, chain):
    _, a, b = chain
    order_attribute(order=order(ref=b.referral_code, user_id=a.user_id))
    assert not CustomerBinding.objects.filter(customer_key=user_customer_key(a.user_id)).exists()


def test_wechat_identity_binding_is_per_identity(program, chain):
    _, _, b = chain
    order_attribute(order=order(ref=b.referral_code, identities=(("wxapp1", "openid-1"),)))
    binding = CustomerBinding.objects.get(customer_key="wx:wxapp1:openid-1")
    assert binding.distributor_id == b.pk
    assert order_attribute(order=order(identities=(("wxapp1", "openid-1"),))).distributor_id == b.pk


def test_pending_distributor_code_is_not_evidence(program):
    pending = make_distributor(status=DistributorStatus.PENDING)
    assert order_attribute(order=order(ref=pending.referral_code)).distributor_id is None
