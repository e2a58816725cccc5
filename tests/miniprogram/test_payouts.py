"""商家转账 confirmed from the Mini Program: a withdrawal asked for with `miniProgram: true` pays the
distributor's Mini Program openid with the Mini Program's app id (the fake WeChat Pay refuses app ids the
merchant has not bound), and `miniProgramTransferPackage` gives wx.requestMerchantTransfer's parameters;
a transfer made for the Official Account stays confirmed in H5."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from graphql_relay import to_global_id

from saleor_wechat_distribution.models import ChannelProgram, LedgerEntry, Withdrawal
from saleor_wechat_distribution.services.ledger import ledger_append
from saleor_wechat_distribution.testing.factories import customer, make_distributor, payout_identity
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay

from .conftest import CHANNEL, MINI_APP

OA_PAYOUT_APP = "wxd678efh567hg6787"
REQUEST = """
mutation($amount: String!, $mini: Boolean) {
  withdrawalRequest(channel: "default-channel", amount: $amount, miniProgram: $mini) {
    withdrawal { id } errors { field code message }
  }
}"""
MINI_PACKAGE = "query($id: ID!) { miniProgramTransferPackage(id: $id) { mchId appId package } }"
H5_PACKAGE = "query($id: ID!) { withdrawalTransferPackage(id: $id) { mchId appId package } }"


@pytest.fixture
def merchant(settings) -> Iterator[FakeWeChatPay]:
    """A merchant with the Official Account and the Mini Program bound (as in WeChat Pay's admin)."""
    with FakeWeChatPay(appids=(OA_PAYOUT_APP, MINI_APP)) as fake:
        settings.WECHAT_DISTRIBUTION_PAYOUTS = {"*": {"v3": fake.v3_settings()}}
        yield fake


@pytest.fixture
def seller(db, program, merchant, mini):
    ChannelProgram.objects.filter(channel=CHANNEL).update(
        payout_app_id=OA_PAYOUT_APP, withdrawal_auto_approve_below=Decimal("1000")
    )
    principal = customer()
    distributor = make_distributor(principal=principal)
    ledger_append(
        distributor_id=distributor.pk, currency="CNY", amount=Decimal("500.00"),
        kind=LedgerEntry.Kind.ADJUSTMENT, key=f"test-credit:{distributor.pk}",
    )  # fmt: skip
    return principal, distributor


def request(gql, principal, mini: bool, django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        return gql(REQUEST, {"amount": "20.00", "mini": mini}, principal)["data"]["withdrawalRequest"]


def test_a_mini_program_withdrawal_carries_the_mini_program_app_id(
    gql, seller, merchant, mp, django_capture_on_commit_callbacks
):
    principal, distributor = seller
    payout_identity(distributor, MINI_APP, openid="mini-payee")
    payout_identity(distributor, OA_PAYOUT_APP, openid="oa-payee")
    answer = request(gql, principal, True, django_capture_on_commit_callbacks)
    assert answer["errors"] == []
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.status == Withdrawal.Status.WAIT_USER_CONFIRM
    assert (withdrawal.app_id, withdrawal.openid) == (MINI_APP, "mini-payee")
    (bill,) = merchant.bills.values()
    assert (bill.appid, bill.openid) == (MINI_APP, "mini-payee")
    gid = to_global_id("Withdrawal", withdrawal.pk)
    package = gql(MINI_PACKAGE, {"id": gid}, principal)["data"]["miniProgramTransferPackage"]
    assert package == {
        "mchId": merchant.merchant.mchid,
        "appId": MINI_APP,
        "package": withdrawal.package_info,
    }
    # nobody else sees it
    other = customer()
    make_distributor(principal=other)
    refused = gql(MINI_PACKAGE, {"id": gid}, other)["errors"][0]["extensions"]["exception"]["code"]
    assert refused == "NOT_FOUND"


def test_an_official_account_transfer_is_confirmed_in_h5_not_in_the_mini_program(
    gql, seller, merchant, mp, django_capture_on_commit_callbacks
):
    principal, distributor = seller
    payout_identity(distributor, OA_PAYOUT_APP, openid="oa-payee")
    assert request(gql, principal, False, django_capture_on_commit_callbacks)["errors"] == []
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.app_id == OA_PAYOUT_APP
    gid = to_global_id("Withdrawal", withdrawal.pk)
    refused = gql(MINI_PACKAGE, {"id": gid}, principal)["errors"][0]["extensions"]["exception"]["code"]
    assert refused == "TRANSFER_APP_MISMATCH"
    h5 = gql(H5_PACKAGE, {"id": gid}, principal)["data"]["withdrawalTransferPackage"]
    assert h5["appId"] == OA_PAYOUT_APP


def test_a_mini_program_withdrawal_needs_the_mini_program_openid(
    gql, seller, merchant, mp, django_capture_on_commit_callbacks
):
    principal, distributor = seller
    payout_identity(distributor, OA_PAYOUT_APP, openid="oa-payee")
    answer = request(gql, principal, True, django_capture_on_commit_callbacks)
    assert answer["errors"][0]["code"] == "WECHAT_IDENTITY_REQUIRED"
    assert not Withdrawal.objects.exists() and merchant.bills == {}


def test_a_mini_program_withdrawal_needs_a_mini_program(
    gql, seller, merchant, mp, settings, django_capture_on_commit_callbacks
):
    principal, distributor = seller
    settings.WECHAT_DISTRIBUTION_MINI_PROGRAMS = {}
    payout_identity(distributor, MINI_APP, openid="mini-payee")
    answer = request(gql, principal, True, django_capture_on_commit_callbacks)
    assert answer["errors"][0]["code"] == "PAYOUT_NOT_CONFIGURED"
    assert not Withdrawal.objects.exists()


RULES = """query($mini: Boolean) { centerWithdrawalRules(channel: "default-channel", miniProgram: $mini) {
  blocker maxNow { amount } } }"""


def test_the_withdrawal_rules_say_whether_the_mini_program_can_pay(gql, seller, merchant, mp):
    principal, distributor = seller
    payout_identity(distributor, OA_PAYOUT_APP, openid="oa-payee")
    assert gql(RULES, {"mini": False}, principal)["data"]["centerWithdrawalRules"]["blocker"] is None
    mini = gql(RULES, {"mini": True}, principal)["data"]["centerWithdrawalRules"]
    assert mini == {"blocker": "WECHAT_IDENTITY_REQUIRED", "maxNow": {"amount": "0.00"}}
    payout_identity(distributor, MINI_APP, openid="mini-payee")
    assert gql(RULES, {"mini": True}, principal)["data"]["centerWithdrawalRules"]["blocker"] is None
