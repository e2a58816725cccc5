"""What the withdraw page shows before and after asking: the wallet's rules with what is left today, why
no withdrawal can start, and ``requestMerchantTransfer``'s parameters to the owner of a transfer waiting
for confirmation (the fake WeChat Pay answers WAIT_USER_CONFIRM with a package)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from graphql_relay import to_global_id

from saleor_wechat_distribution.domain.distributors import DistributorStatus
from saleor_wechat_distribution.models import ChannelProgram, LedgerEntry, Withdrawal
from saleor_wechat_distribution.services.ledger import ledger_append
from saleor_wechat_distribution.services.withdrawals import withdrawal_request
from saleor_wechat_distribution.testing.factories import customer, make_distributor

RULES = """{ centerWithdrawalRules(channel: "default-channel") {
  currency minimum { amount } dailyLimit { amount } usedToday { amount } leftToday { amount }
  available { amount } maxNow { amount } fee { amount } confirmationRequired blocker blockerMessage } }"""
PACKAGE = "query($id: ID!) { withdrawalTransferPackage(id: $id) { mchId appId package } }"


def credit(distributor, amount: str) -> None:
    ledger_append(
        distributor_id=distributor.pk, currency="CNY", amount=Decimal(amount),
        kind=LedgerEntry.Kind.ADJUSTMENT, key=f"test-credit:{distributor.pk}:{amount}",
    )  # fmt: skip


@pytest.fixture
def seller(program):
    principal = customer()
    distributor = make_distributor(principal=principal)
    credit(distributor, "500.00")
    return principal, distributor


def rules(gql, principal) -> dict:
    return gql(RULES, principal=principal)["data"]["centerWithdrawalRules"]


def test_rules_show_the_strictest_channel_and_what_is_left_today(gql, seller, payable):
    principal, distributor = seller
    payable(distributor)
    ChannelProgram.objects.filter(channel="default-channel").update(
        withdrawal_minimum=Decimal("10"), withdrawal_daily_limit=Decimal("300")
    )
    ChannelProgram.objects.create(channel="other", currency="CNY", withdrawal_daily_limit=Decimal("200"))
    shown = rules(gql, principal)
    assert shown == {
        "currency": "CNY", "minimum": {"amount": "10.00"}, "dailyLimit": {"amount": "200.00"},
        "usedToday": {"amount": "0.00"}, "leftToday": {"amount": "200.00"}, "available": {"amount": "500.00"},
        "maxNow": {"amount": "200.00"}, "fee": {"amount": "0.00"}, "confirmationRequired": True,
        "blocker": None, "blockerMessage": None,
    }  # fmt: skip
    withdrawal_request(principal=principal, amount=Decimal("150.00"), channel="default-channel")
    after = rules(gql, principal)
    assert (after["usedToday"], after["leftToday"], after["maxNow"]) == (
        {"amount": "150.00"}, {"amount": "50.00"}, {"amount": "50.00"},
    )  # fmt: skip


def test_why_no_withdrawal_can_start(gql, seller):
    principal, _ = seller
    assert rules(gql, principal)["blocker"] == "PAYOUT_NOT_CONFIGURED"
    assert rules(gql, principal)["maxNow"] == {"amount": "0.00"}


def test_the_payout_needs_an_openid_and_a_balance_out_of_debt(gql, seller, payable):
    principal, distributor = seller
    assert rules(gql, principal)["blocker"] == "WECHAT_IDENTITY_REQUIRED"
    payable(distributor)
    credit(distributor, "-600.00")
    shown = rules(gql, principal)
    assert (shown["blocker"], shown["available"]) == ("BALANCE_IN_DEBT", {"amount": "-100.00"})
    assert shown["blockerMessage"].startswith("Refunds took back more")


def test_suspended_distributors_see_why(gql, seller, payable):
    principal, distributor = seller
    payable(distributor)
    distributor.status = DistributorStatus.SUSPENDED
    distributor.save(update_fields=["status"])
    assert rules(gql, principal)["blocker"] == "INVALID_STATUS"


def test_the_owner_gets_the_transfer_package_of_a_waiting_transfer(
    gql, seller, payable, payout_merchant, auto_approve, django_capture_on_commit_callbacks
):
    principal, distributor = seller
    payable(distributor)
    ChannelProgram.objects.filter(channel="default-channel").update(
        withdrawal_auto_approve_below=Decimal("1000")
    )
    with django_capture_on_commit_callbacks(execute=True):
        withdrawal = withdrawal_request(
            principal=principal, amount=Decimal("20.00"), channel="default-channel"
        )
    withdrawal.refresh_from_db()
    assert withdrawal.status == Withdrawal.Status.WAIT_USER_CONFIRM and withdrawal.package_info
    gid = to_global_id("Withdrawal", withdrawal.pk)
    package = gql(PACKAGE, {"id": gid}, principal)["data"]["withdrawalTransferPackage"]
    assert package == {
        "mchId": payout_merchant.merchant.mchid,
        "appId": payout_merchant.merchant.appid,
        "package": withdrawal.package_info,
    }
    # nobody else, and nothing for a withdrawal not waiting
    other = customer()
    make_distributor(principal=other)
    assert gql(PACKAGE, {"id": gid}, other)["errors"][0]["extensions"]["exception"]["code"] == "NOT_FOUND"
    assert (
        gql(PACKAGE, {"id": gid}, customer())["errors"][0]["extensions"]["exception"]["code"] == "NOT_FOUND"
    )
    assert gql(PACKAGE, {"id": gid})["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    Withdrawal.objects.filter(pk=withdrawal.pk).update(status=Withdrawal.Status.PAID)
    done = gql(PACKAGE, {"id": gid}, principal)["errors"][0]["extensions"]["exception"]["code"]
    assert done == "INVALID_STATUS"
    bad = gql(PACKAGE, {"id": "nope"}, principal)["errors"][0]["extensions"]["exception"]["code"]
    assert bad == "INVALID"
