"""The not-yet-a-distributor page: the program's terms as numbers (public), and my application's state
with the rejection reason and the inviter the link that brought me prefills."""

from __future__ import annotations

from decimal import Decimal

from saleor_wechat_distribution.domain.referrals import AttributionSource, user_customer_key
from saleor_wechat_distribution.models import CommissionRule
from saleor_wechat_distribution.ports import SYSTEM
from saleor_wechat_distribution.services.distributors import distributor_apply, distributor_reject
from saleor_wechat_distribution.services.referrals import referral_touch
from saleor_wechat_distribution.testing.factories import customer, make_distributor

TERMS = """{ programTerms(channel: "default-channel") { channel currency paidLevels freezeDays
  rates { level rate fixedAmount { amount } } withdrawalMinimum { amount } withdrawalDailyLimit { amount }
  entryFee { amount } } }"""
APPLICATION = """{ centerApplication(channel: "default-channel") { status displayName appliedAt rejectReason
  upline { displayName referralCode } suggestedInviter { displayName referralCode } } }"""


def test_terms_are_the_programs_numbers(gql, program):
    CommissionRule.objects.create(
        channel="default-channel", level=1, rate=Decimal("15"), category_id="fridges"
    )
    terms = gql(TERMS)["data"]["programTerms"]
    assert terms == {
        "channel": "default-channel", "currency": "CNY", "paidLevels": 2, "freezeDays": 7,
        "rates": [
            {"level": 1, "rate": "10", "fixedAmount": None}, {"level": 2, "rate": "3", "fixedAmount": None},
        ],
        "withdrawalMinimum": {"amount": "1.00"}, "withdrawalDailyLimit": {"amount": "5000.00"},
        "entryFee": {"amount": "0.00"},
    }  # fmt: skip
    unknown = gql(TERMS.replace("default-channel", "elsewhere"))
    assert unknown["errors"][0]["extensions"]["exception"]["code"] == "UNKNOWN_CHANNEL"


def test_my_application_from_the_link_to_the_decision(gql, program):
    inviter = make_distributor(name="王芳 Wang Fang")
    me = customer()
    referral_touch(
        channel="default-channel",
        keys=[user_customer_key(me.user_id)],
        distributor=inviter,
        source=AttributionSource.LINK,
    )
    before = gql(APPLICATION, principal=me)["data"]["centerApplication"]
    assert before["status"] is None and before["upline"] is None
    assert before["suggestedInviter"] == {
        "displayName": "王芳 Wang Fang",
        "referralCode": inviter.referral_code,
    }
    node = distributor_apply(principal=me, display_name="小明", inviter_code=inviter.referral_code)
    pending = gql(APPLICATION, principal=me)["data"]["centerApplication"]
    assert (pending["status"], pending["displayName"], pending["rejectReason"]) == ("PENDING", "小明", None)
    assert pending["upline"]["referralCode"] == inviter.referral_code
    distributor_reject(actor=SYSTEM, distributor_id=node.pk, reason="请补充营业执照")
    rejected = gql(APPLICATION, principal=me)["data"]["centerApplication"]
    assert (rejected["status"], rejected["rejectReason"]) == ("REJECTED", "请补充营业执照")
    anonymous = gql(APPLICATION)["errors"][0]["extensions"]["exception"]["code"]
    assert anonymous == "PermissionDenied"
