"""Issue 11, money 1: withdrawals only through channels that run the program, under the wallet's rules.

A wallet is a distributor's money in one currency; every channel whose program pays in that currency
pays into it. Its minimum, daily limit and automatic approval are the strictest of those channels', and
the day's withdrawals count across all of them, so no channel (real or made up) gets round another's.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from saleor_wechat_distribution import host
from saleor_wechat_distribution.domain.errors import CommissionErrorCode as Code
from saleor_wechat_distribution.domain.errors import DistributionError
from saleor_wechat_distribution.models import ChannelProgram, LedgerEntry, WeChatIdentity, Withdrawal
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.selectors.programs import wallet_policy
from saleor_wechat_distribution.services.ledger import ledger_append, ledger_balance
from saleor_wechat_distribution.services.withdrawals import withdrawal_request

pytestmark = pytest.mark.django_db
D = Decimal
SECOND = "second-channel"


@pytest.fixture
def seller(program, chain, payable):
    """B, payable, 500.00 CNY available; the default channel: daily limit 30, minimum 1."""
    _, _, b = chain
    payable(b)
    program.withdrawal_daily_limit = D("30.00")
    program.save()
    ledger_append(distributor_id=b.pk, currency="CNY", amount=D("500.00"), kind="adjustment", key="seed")
    return b


@pytest.fixture
def second(program):
    """A second CNY channel, laxer on every setting: same merchant app, same wallet."""
    return ChannelProgram.objects.create(
        channel=SECOND,
        currency="CNY",
        withdrawal_minimum=D("0.10"),
        withdrawal_daily_limit=D("1000.00"),
        withdrawal_auto_approve_below=D("100.00"),
        payout_app_id=program.payout_app_id,
    )


def withdraw(distributor, amount: str, channel: str = "default-channel") -> Withdrawal:
    return withdrawal_request(
        principal=Principal(user_id=distributor.user_id), amount=D(amount), channel=channel
    )


def refused(code: Code, distributor, amount: str, channel: str = "default-channel") -> DistributionError:
    before = (LedgerEntry.objects.count(), Withdrawal.objects.count())
    with pytest.raises(DistributionError) as info:
        withdraw(distributor, amount, channel)
    assert info.value.code == code, info.value
    assert (LedgerEntry.objects.count(), Withdrawal.objects.count()) == before
    return info.value


@pytest.mark.parametrize("channel", ["other-channel-x", "nope", "DEFAULT-CHANNEL"])
def test_a_made_up_channel_is_refused_not_given_a_default_program(seller, channel):
    error = refused(Code.UNKNOWN_CHANNEL, seller, "40.00", channel)
    assert error.field == "channel"
    assert ledger_balance(distributor_id=seller.pk, currency="CNY") == D("500.00")


def test_a_channel_the_host_does_not_run_the_program_in_is_refused(seller, second):
    host.update(channel_active=lambda channel: channel != SECOND)  # e.g. the plugin is inactive there
    refused(Code.UNKNOWN_CHANNEL, seller, "10.00", SECOND)
    withdraw(seller, "10.00")  # the default channel still runs it


def test_the_daily_limit_is_the_wallets_across_channels(seller, second):
    refused(Code.DAILY_LIMIT_EXCEEDED, seller, "40.00", SECOND)  # 30 is the strictest limit
    withdraw(seller, "20.00", SECOND)
    error = refused(Code.DAILY_LIMIT_EXCEEDED, seller, "20.00")  # 20 already taken through the other
    assert str(error.message) == "The daily withdrawal limit is 30.00 CNY."
    withdraw(seller, "10.00")
    assert ledger_balance(distributor_id=seller.pk, currency="CNY") == D("470.00")


def test_the_minimum_and_the_auto_approval_are_the_strictest(program, seller, second):
    program.withdrawal_minimum = D("5")
    program.save()
    error = refused(Code.BELOW_MINIMUM, seller, "1.00", SECOND)
    assert str(error.message) == "The minimum withdrawal is 5.00 CNY."  # the currency's decimals
    # the second channel approves below 100 automatically, the default channel never: never
    assert withdraw(seller, "6.00", SECOND).status == Withdrawal.Status.REQUESTED
    policy = wallet_policy(currency="CNY")
    assert (policy.minimum, policy.daily_limit, policy.auto_approve_below) == (D("5"), D("30"), D("0"))
    assert policy.channels == ("default-channel", SECOND)


def test_a_wallet_in_another_currency_has_its_own_rules(seller, program, payable):
    ChannelProgram.objects.create(
        channel="usd-channel", currency="USD", withdrawal_daily_limit=D("1000"),
        payout_app_id=program.payout_app_id,
    )  # fmt: skip
    ledger_append(distributor_id=seller.pk, currency="USD", amount=D("90.00"), kind="adjustment", key="usd")
    assert withdraw(seller, "80.00", "usd-channel").currency == "USD"  # CNY's 30 is not USD's limit
    refused(Code.DAILY_LIMIT_EXCEEDED, seller, "31.00")


def test_the_payout_identity_check_is_never_skipped(program, seller, chain):
    a = chain[1]
    ledger_append(distributor_id=a.pk, currency="CNY", amount=D("50.00"), kind="adjustment", key="a")
    refused(Code.WECHAT_IDENTITY_REQUIRED, a, "10.00")  # no openid in the payout app
    WeChatIdentity.objects.create(app_id="wx0000000000000001", openid="o-elsewhere", user_id=a.user_id)
    refused(Code.WECHAT_IDENTITY_REQUIRED, a, "10.00")  # an openid of another app pays nothing
    program.payout_app_id = ""
    program.save()
    refused(Code.PAYOUT_NOT_CONFIGURED, seller, "10.00")  # no app: no identity to check, no withdrawal


def test_no_withdrawal_is_held_without_a_payout_merchant(seller, settings):
    settings.WECHAT_DISTRIBUTION_PAYOUTS = {}
    refused(Code.PAYOUT_NOT_CONFIGURED, seller, "10.00")
    settings.WECHAT_DISTRIBUTION_PAYOUTS = {"other-shop": {"v3": {"mchid": "1"}}}
    refused(Code.PAYOUT_NOT_CONFIGURED, seller, "10.00")
