"""Staff edits of rules and settings; reassigning an order keeps history and moves the money exactly."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution.domain.errors import CommissionErrorCode as Code
from saleor_wechat_distribution.domain.errors import DistributionError
from saleor_wechat_distribution.models import ChannelProgram, Commission, CommissionRule
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.services.commissions import (
    commissions_settle_due,
    order_fulfilled,
    order_paid,
)
from saleor_wechat_distribution.services.ledger import ledger_balance
from saleor_wechat_distribution.services.programs import (
    RuleInput,
    channel_program_update,
    commission_rules_set,
)
from saleor_wechat_distribution.services.referrals import order_attribution_reassign, referral_link
from saleor_wechat_distribution.services.refunds import order_refunded
from saleor_wechat_distribution.testing.factories import make_distributor
from saleor_wechat_distribution.testing.orders import line, order

pytestmark = pytest.mark.django_db
D = Decimal


def refused(code: Code, call, **kwargs) -> DistributionError:
    before = (
        list(CommissionRule.objects.values_list("level", "rate")),
        list(ChannelProgram.objects.values()),
    )
    with pytest.raises(DistributionError) as info:
        call(actor=SYSTEM, **kwargs)
    assert info.value.code == code
    after = (list(CommissionRule.objects.values_list("level", "rate")), list(ChannelProgram.objects.values()))
    assert after == before
    return info.value


def test_rules_replace_as_a_whole_and_bump_the_version(program):
    version = program.version
    commission_rules_set(
        actor=SYSTEM,
        channel=program.channel,
        rules=[
            RuleInput(level=1, rate=D("12")),
            RuleInput(level=2, rate=D("2.5")),
            RuleInput(level=1, fixed_amount=D("8.00"), product_id="fridge"),
        ],
    )
    assert CommissionRule.objects.filter(channel=program.channel).count() == 3
    program.refresh_from_db()
    assert program.version == version + 1
    # the same rules again (in another order, written otherwise) are no change
    before = list(CommissionRule.objects.filter(channel=program.channel).values_list("pk", flat=True))
    commission_rules_set(
        actor=SYSTEM,
        channel=program.channel,
        rules=[
            RuleInput(level=1, fixed_amount=D("8"), product_id="fridge"),
            RuleInput(level=1, rate=D("12.00")),
            RuleInput(level=2, rate=D("2.5")),
        ],
    )
    program.refresh_from_db()
    assert program.version == version + 1
    assert list(CommissionRule.objects.filter(channel=program.channel).values_list("pk", flat=True)) == before


def test_settings_saved_unchanged_write_nothing_and_only_money_rules_make_a_version(program):
    staff = Principal(user_id=9, is_staff=True)
    before = ChannelProgram.objects.values().get(pk=program.pk)
    current = {"freeze_days": program.freeze_days, "currency": program.currency, "payout_method": "v3"}
    channel_program_update(actor=staff, channel=program.channel, changes=current)
    assert ChannelProgram.objects.values().get(pk=program.pk) == before
    channel_program_update(actor=staff, channel=program.channel, changes={"payout_app_id": "wx1"})
    program.refresh_from_db()
    assert (program.version, program.updated_by, program.payout_app_id) == (
        before["version"],
        "staff:9",
        "wx1",
    )
    channel_program_update(actor=SYSTEM, channel=program.channel, changes={"withdrawal_minimum": D("5")})
    program.refresh_from_db()
    assert (program.version, program.updated_by) == (before["version"] + 1, "staff:0")


@pytest.mark.parametrize(
    ("rules", "code"),
    [
        ([RuleInput(level=1, rate=D("101"))], Code.RATE_OUT_OF_RANGE),
        ([RuleInput(level=1, rate=D("-1"))], Code.RATE_OUT_OF_RANGE),
        ([RuleInput(level=1, rate=D("80")), RuleInput(level=2, rate=D("30"))], Code.RATES_EXCEED_TOTAL),
        ([RuleInput(level=3, rate=D("1"))], Code.DEPTH_NOT_ALLOWED),
        ([RuleInput(level=1, rate=D("1")), RuleInput(level=1, rate=D("2"))], Code.RULE_CONFLICT),
        ([RuleInput(level=1)], Code.INVALID),
        ([RuleInput(level=1, fixed_amount=D("0.001"))], Code.AMOUNT_INVALID),
    ],
)
def test_bad_rules_change_nothing(program, rules, code):
    refused(code, commission_rules_set, channel=program.channel, rules=rules)


def test_depth_three_is_refused_with_the_reason(program):
    error = refused(Code.DEPTH_NOT_ALLOWED, channel_program_update, channel=program.channel,
                    changes={"commission_depth": 3})  # fmt: skip
    assert "禁止传销条例" in str(error.message) and "WeChat" in str(error.message)
    # lowering the depth below an existing level-2 rule is refused too
    refused(
        Code.DEPTH_NOT_ALLOWED,
        channel_program_update,
        channel=program.channel,
        changes={"commission_depth": 1},
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"binding_trigger": "whenever"}, Code.INVALID),
        ({"freeze_days": -1}, Code.INVALID),
        ({"withdrawal_minimum": D("-1")}, Code.AMOUNT_INVALID),
        ({"currency": "XXQ"}, Code.INVALID),
        ({"storefront_base_url": "javascript:alert(1)"}, Code.INVALID),
        ({"no_such_setting": 1}, Code.INVALID),
    ],
)
def test_bad_settings_change_nothing(program, changes, code):
    refused(code, channel_program_update, channel=program.channel, changes=changes)


def test_referral_links(program, chain):
    _, _, b = chain
    with pytest.raises(DistributionError):
        referral_link(distributor=b, channel=program.channel)
    channel_program_update(actor=SYSTEM, channel=program.channel,
                           changes={"storefront_base_url": "https://shop.example.com/cn/"})  # fmt: skip
    assert (
        referral_link(distributor=b, channel=program.channel)
        == f"https://shop.example.com/cn/?ref={b.referral_code}"
    )
    assert referral_link(distributor=b, channel=program.channel, product_id="UHJvZHVjdDox").startswith(
        "https://shop.example.com/cn/products/UHJvZHVjdDox/?ref="
    )


def test_reassign_before_settlement_moves_commissions_and_keeps_history(program, chain):
    e, _, b = chain
    other = make_distributor(e)
    o = order(line("100.00"), ref=b.referral_code)
    order_paid(order=o)
    attribution = order_attribution_reassign(actor=SYSTEM, order_id=o.order_id, distributor_id=other.pk,
                                             reason="customer says Other served them")  # fmt: skip
    assert attribution.distributor_id == other.pk and attribution.source == "manual"
    change = attribution.changes.get()
    assert (change.from_distributor_id, change.to_distributor_id, change.actor) == (b.pk, other.pk, "staff:0")
    live = Commission.objects.filter(order_id=o.order_id).exclude(status="cancelled")
    assert sorted((c.distributor_id, c.amount, c.status) for c in live) == sorted(
        [(other.pk, D("10.00"), "frozen"), (e.pk, D("3.00"), "frozen")]
    )
    # and back again: a new generation, no clash with the cancelled rows
    order_attribution_reassign(actor=SYSTEM, order_id=o.order_id, distributor_id=b.pk, reason="mistake")
    assert Commission.objects.filter(order_id=o.order_id).exclude(status="cancelled").count() == 2


def test_reassign_after_settlement_claws_back_and_credits_the_new_upline(program, chain):
    e, a, b = chain
    other = make_distributor(e)
    o = order(line("100.00"), ref=b.referral_code)
    order_paid(order=o)
    order_fulfilled(order_id=o.order_id, fulfilled_at=timezone.now() - timedelta(days=30))
    commissions_settle_due()
    order_refunded(order=o, refund_id="R1", amount=D("20.00"))
    order_attribution_reassign(actor=SYSTEM, order_id=o.order_id, distributor_id=other.pk, reason="audit")
    commissions_settle_due()
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("0.00")
    assert ledger_balance(distributor_id=a.pk, currency="CNY") == D("0.00")
    # the new commissions keep the fulfilment date (they settle at once) and the refund so far
    assert ledger_balance(distributor_id=other.pk, currency="CNY") == D("8.00")
    assert ledger_balance(distributor_id=e.pk, currency="CNY") == D("2.40")


def test_reassign_refusals(program, chain):
    _, _, b = chain
    o = order(line("10.00"), ref=b.referral_code)
    order_paid(order=o)
    for kwargs, code in [
        ({"order_id": "nope", "distributor_id": b.pk, "reason": "x"}, Code.NOT_FOUND),
        ({"order_id": o.order_id, "distributor_id": 10**12, "reason": "x"}, Code.NOT_FOUND),
        ({"order_id": o.order_id, "distributor_id": b.pk, "reason": " "}, Code.REQUIRED),
    ]:
        with pytest.raises(DistributionError) as info:
            order_attribution_reassign(actor=SYSTEM, **kwargs)
        assert info.value.code == code


def test_currency_change_must_fit_fixed_rule_amounts(program):
    commission_rules_set(
        actor=SYSTEM, channel=program.channel, rules=[RuleInput(level=1, fixed_amount=D("1.50"))]
    )
    refused(Code.AMOUNT_INVALID, channel_program_update, channel=program.channel, changes={"currency": "JPY"})


@pytest.mark.parametrize(
    "rule",
    [
        RuleInput(level=1, rate=D("1.00001")),
        RuleInput(level=1, fixed_amount=D("1e16")),
        RuleInput(level=1, rate=D("1"), product_id="p" * 65),
        RuleInput(level=1, rate=D("1"), category_id="bad\x00"),
    ],
)
def test_rule_values_the_columns_cannot_hold_are_refused(program, rule):
    with pytest.raises(DistributionError):
        commission_rules_set(actor=SYSTEM, channel=program.channel, rules=[rule])
