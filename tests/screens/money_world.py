"""The shop the money page's and the order widget's browser tests open: a two-level program paying out
through the fake WeChat Pay (the sandbox server's payout merchant), three distributors with commissions
in every state, withdrawals waiting for approval, one approved whose payout was never sent, one failed,
and a disputed order. Written through the services, as production would have written it.

    华东区域经销商 East China ── 王芳 Wang Fang ── 李娜 Li Na
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution.domain.distributors import DistributorKind
from saleor_wechat_distribution.domain.payouts import PayoutResult, PayoutState
from saleor_wechat_distribution.models import (
    ChannelProgram,
    CommissionRule,
    Distributor,
    LedgerEntry,
    Withdrawal,
)
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.services.commissions import (
    commissions_settle_due,
    order_fulfilled,
    order_paid,
    order_placed,
)
from saleor_wechat_distribution.services.disputes import order_dispute_open
from saleor_wechat_distribution.services.ledger import ledger_append
from saleor_wechat_distribution.services.payouts import withdrawal_apply_result
from saleor_wechat_distribution.services.withdrawals import withdrawal_request
from saleor_wechat_distribution.testing.factories import customer, make_distributor, payout_identity, staff
from saleor_wechat_distribution.testing.orders import line, order

from .wechat_world import CENTER_APP, CHANNEL, WeChatWorld

STAFF = staff()


@pytest.fixture
def payouts(settings, wechat_world: WeChatWorld, sandbox_server: str) -> None:
    """This process pays out through the fake WeChat Pay as the sandbox server does (a withdrawal is only
    requested where a payout is set up)."""
    notify = f"{sandbox_server}/wechatpay/{CHANNEL}/notify/"
    settings.WECHAT_DISTRIBUTION_PAYOUTS = {"*": {"v3": wechat_world.pay.v3_settings(notify_url=notify)}}


def saleor_order_id() -> str:
    """An order id as Saleor's dashboard passes it to a widget (the Order's global id)."""
    return base64.b64encode(f"Order:{uuid.uuid4()}".encode()).decode()


@dataclass
class MoneyShop:
    east: Distributor
    wang: Distributor
    li: Distributor
    principals: dict[str, Principal]
    #: name -> Saleor order id: "settled" (Wang, 800), "frozen" (Li, 300), "placed" (Wang, 120),
    #: "disputed" (Wang, 500, frozen, a dispute open)
    orders: dict[str, str]
    withdrawals: dict[str, Withdrawal]


def build_money(*, withdrawals: bool = True, disputes: bool = True) -> MoneyShop:
    ChannelProgram.objects.create(
        channel=CHANNEL, currency="CNY", commission_depth=2, freeze_days=7, payout_app_id=CENTER_APP,
        withdrawal_minimum=Decimal("1"),
    )  # fmt: skip
    CommissionRule.objects.create(channel=CHANNEL, level=1, rate=Decimal("10"))
    CommissionRule.objects.create(channel=CHANNEL, level=2, rate=Decimal("3"))
    principals = {name: customer() for name in ("east", "wang", "li")}
    east = make_distributor(
        principal=principals["east"], name="华东区域经销商 East China", kind=DistributorKind.ENTERPRISE
    )
    wang = make_distributor(east, principal=principals["wang"], name="王芳 Wang Fang")
    li = make_distributor(wang, principal=principals["li"], name="李娜 Li Na")
    for node in (east, wang, li):
        payout_identity(node, CENTER_APP)

    now = timezone.now()
    orders: dict[str, str] = {}

    def sold(name: str, seller: Distributor, amount: str, state: str) -> None:
        snapshot = order(
            line(amount, product="fridge-bcd-520"), ref=seller.referral_code, user_id=customer().user_id,
            order_id=saleor_order_id(), channel=CHANNEL,
        )  # fmt: skip
        orders[name] = snapshot.order_id
        if state == "placed":
            order_placed(order=snapshot, now=now)
            return
        order_paid(order=snapshot, paid_at=now - timedelta(days=12))
        if state == "settled":
            order_fulfilled(order_id=snapshot.order_id, fulfilled_at=now - timedelta(days=10))

    sold("settled", wang, "800.00", "settled")
    sold("frozen", li, "300.00", "frozen")
    sold("placed", wang, "120.00", "placed")
    sold("disputed", wang, "500.00", "frozen")
    commissions_settle_due(now=now)
    if disputes:
        order_dispute_open(
            actor=STAFF, order_id=orders["disputed"], reason="顾客投诉未收到货 goods not received"
        )

    found: dict[str, Withdrawal] = {}
    if withdrawals:
        for node in (east, li):  # money to withdraw besides what Wang earned
            ledger_append(
                distributor_id=node.pk, currency="CNY", amount=Decimal("200.00"),
                kind=LedgerEntry.Kind.ADJUSTMENT, key=f"test-credit:{node.pk}",
            )  # fmt: skip

        def withdraw(name: str, amount: str) -> Withdrawal:
            return withdrawal_request(principal=principals[name], amount=Decimal(amount), channel=CHANNEL)

        found["wang"] = withdraw("wang", "50.00")
        found["li"] = withdraw("li", "20.00")
        # approved two hours ago, but the payout task never ran (a lost message): "retry" sends it
        stuck = withdraw("east", "35.50")
        Withdrawal.objects.filter(pk=stuck.pk).update(
            status=Withdrawal.Status.APPROVED, decided_at=now - timedelta(hours=2), decided_by="staff:1"
        )
        found["stuck"] = stuck
        # sent, then refused by WeChat Pay: the money went back to the balance
        failed = withdraw("east", "12.00")
        Withdrawal.objects.filter(pk=failed.pk).update(
            status=Withdrawal.Status.PROCESSING, decided_at=now - timedelta(days=1), sent_at=now
        )
        withdrawal_apply_result(
            result=PayoutResult(
                out_bill_no=failed.out_bill_no, state=PayoutState.FAILED,
                fail_reason="收款人实名校验未通过 NAME_MISMATCH",
            )
        )  # fmt: skip
        found["failed"] = failed
    for node in (east, wang, li):
        node.refresh_from_db()
    return MoneyShop(east=east, wang=wang, li=li, principals=principals, orders=orders, withdrawals=found)
