"""The center's pure rules: JS-SDK signatures (WeChat's own example), page addresses, why a commission is
where it is, and what a distributor sees of its team members' names."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saleor_wechat_distribution.domain.center import (
    CommissionFacts,
    CommissionReason,
    ReversalCause,
    explain,
    mask_name,
)
from saleor_wechat_distribution.domain.jssdk import (
    PageUrlInvalid,
    host_allowed,
    host_of,
    js_sdk_signature,
    page_url,
)

D = Decimal
WHEN = datetime(2026, 12, 1, 8, tzinfo=UTC)


def test_wechats_documented_example():
    # 附录1-JS-SDK使用权限签名算法: the example's inputs and its published signature
    ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    signature = js_sdk_signature(
        ticket=ticket,
        nonce="Wm3WZYTPz0wzccnW",
        timestamp=1414587457,
        url="http://mp.weixin.qq.com?params=value",
    )
    assert signature == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


@given(
    ticket=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=80),
    nonce=st.text("abcdef0123456789", min_size=1, max_size=32),
    timestamp=st.integers(min_value=0, max_value=2**31 - 1),
    path=st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="#"), max_size=60),
)
def test_signature_is_sha1_of_the_sorted_raw_fields(ticket, nonce, timestamp, path):
    url = "https://m.example.com/" + path
    text = f"jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}&url={url}"
    expected = hashlib.sha1(text.encode()).hexdigest()
    assert js_sdk_signature(ticket=ticket, nonce=nonce, timestamp=timestamp, url=url) == expected


def test_page_url_drops_the_fragment_and_refuses_what_is_not_a_page():
    assert page_url("https://m.example.com/center/?s=x#/home") == "https://m.example.com/center/?s=x"
    assert page_url(" http://a.example.com/p?q=%E4%B8%AD ") == "http://a.example.com/p?q=%E4%B8%AD"
    for bad in ("", "#x", "javascript:alert(1)", "ftp://a.example.com/", "https:///nohost",
                "https://a.example.com/中文", "https://a.example.com/a b", "https://a.example.com/a\tb",
                "https://a.example.com/" + "x" * 1100):  # fmt: skip
        with pytest.raises(PageUrlInvalid):
            page_url(bad)


def test_hosts_match_exactly_and_case_insensitively():
    assert host_of("https://Shop.Example.com:8443/x") == "shop.example.com"
    assert host_allowed("shop.example.com", ["", "SHOP.example.com."])
    assert not host_allowed("evil-shop.example.com", ["shop.example.com"])
    assert not host_allowed("shop.example.com.evil.net", ["shop.example.com"])
    assert not host_allowed("", ["shop.example.com"])


def facts(status: str, **values) -> CommissionFacts:
    return CommissionFacts(
        status=status, amount=D("10.00"), reversed_amount=values.pop("reversed", D(0)), **values
    )


@pytest.mark.parametrize(
    ("given_facts", "reason", "at", "cause"),
    [
        (facts("pending"), CommissionReason.AWAITING_PAYMENT, None, None),
        (facts("frozen"), CommissionReason.AWAITING_FULFILMENT, None, None),
        (facts("frozen", settle_after=WHEN), CommissionReason.FROZEN_UNTIL, WHEN, None),
        (facts("frozen", settle_after=WHEN, hold_reason="dispute"),
         CommissionReason.HELD_BY_DISPUTE, None, None),
        (facts("available", settled_at=WHEN, hold_reason="refund_requested"),
         CommissionReason.HELD_BY_REFUND_REQUEST, None, None),
        (facts("available", settled_at=WHEN), CommissionReason.AVAILABLE, WHEN, None),
        (facts("available", settled_at=WHEN, reversed=D("4.00"), line_refunded_share=D("0.4")),
         CommissionReason.AVAILABLE, WHEN, ReversalCause.REFUND),
        (facts("frozen", settle_after=WHEN, reversed=D("5.00"), line_refunded_share=D("0.5")),
         CommissionReason.FROZEN_UNTIL, WHEN, ReversalCause.REFUND),
        (facts("cancelled", reversed=D("10.00"), line_refunded_share=D(1)),
         CommissionReason.REVERSED_BY_REFUND, None, ReversalCause.REFUND),
        (facts("available", settled_at=WHEN, reversed=D("10.00"), line_refunded_share=D(1)),
         CommissionReason.REVERSED_BY_REFUND, None, ReversalCause.REFUND),
        (facts("cancelled"), CommissionReason.ORDER_CANCELLED, None, ReversalCause.CANCELLATION),
        # half refunded, then the rest cancelled after settlement: the cancellation took it
        (facts("available", reversed=D("10.00"), line_refunded_share=D("0.5")),
         CommissionReason.ORDER_CANCELLED, None, ReversalCause.CANCELLATION),
        (facts("cancelled", reassigned=True), CommissionReason.REASSIGNED, None, ReversalCause.REASSIGNMENT),
        (facts("available", reversed=D("10.00"), reassigned=True),
         CommissionReason.REASSIGNED, None, ReversalCause.REASSIGNMENT),
    ],
)  # fmt: skip
def test_each_state_says_why(given_facts, reason, at, cause):
    explanation = explain(given_facts)
    assert (explanation.reason, explanation.at, explanation.reversal_cause) == (reason, at, cause)
    assert explanation.reversed == given_facts.reversed_amount


@given(st.text(max_size=60))
def test_a_masked_name_shows_one_character_and_never_the_length(name):
    masked = mask_name(name)
    assert masked.endswith("**") and len(masked) <= 3
    if name.strip():
        assert masked[0] == name.strip()[0]
    assert mask_name("王芳 Wang Fang") == "王**" and mask_name("") == "**"
