"""Money for the commissions API tests: a program, commissions in every state, withdrawals.

Built on the ``world`` of ``conftest.py`` through the real services (order events, settlement,
withdrawal requests), so the API reads what production would have written::

    A ─┬─ A1 ...        B ── B1
       └─ ...

    order      referred by   amount   commissions                         state
    o-A-paid   A             100.00   A L1 10.00                          settled (available)
    o-A1-paid  A1            200.00   A1 L1 20.00, A L2 6.00              paid (frozen)
    o-A-placed A              50.00   A L1 5.00                           placed (pending)
    o-B-paid   B             300.00   B L1 30.00                          settled (available)
    o-B1-paid  B1            100.00   B1 L1 10.00, B L2 3.00              paid (frozen)

    withdrawals: A 4.00 (REQUESTED), A 1.00 (WAIT_USER_CONFIRM, packageInfo "pkg-of-A"), B 5.00 (REQUESTED)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from saleor_wechat_distribution.domain.payouts import PayoutResult, PayoutState
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import (
    AttributionChange,
    ChannelProgram,
    CheckoutReferral,
    Commission,
    CommissionRule,
    CustomerBinding,
    LedgerEntry,
    OrderAttribution,
    Withdrawal,
)
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.services.commissions import (
    commissions_settle_due,
    order_fulfilled,
    order_paid,
    order_placed,
)
from saleor_wechat_distribution.services.payouts import withdrawal_apply_result
from saleor_wechat_distribution.services.withdrawals import withdrawal_approve, withdrawal_request
from saleor_wechat_distribution.testing.factories import customer, payout_identity, staff
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay
from saleor_wechat_distribution.testing.orders import line, order

from .conftest import World, snapshot

CHANNEL = "default-channel"
STOREFRONT = "https://shop.example.com"
PACKAGE_INFO = "pkg-of-A"

#: the six callers of every operation; ``staff_without`` / ``staff_with`` depend on the permission
ROLES = ("anonymous", "customer", "distributor_a", "distributor_b", "staff_without", "staff_with")


@dataclass
class MoneyWorld:
    world: World
    program: ChannelProgram
    orders: dict[str, str]  # name -> order id
    withdrawals: dict[str, Withdrawal]
    staff: dict[Permission | None, Principal]

    def __getitem__(self, name: str):
        return self.world[name]

    def principal(self, name: str) -> Principal:
        return self.world.principals[name]

    def callers(self, permission: Permission) -> dict[str, Principal | None]:
        """The six roles for an operation that requires ``permission`` (staff_without has another)."""
        other = (
            Permission.MANAGE_USERS if permission is not Permission.MANAGE_USERS else Permission.MANAGE_ORDERS
        )
        return {
            "anonymous": None,
            "customer": self.world.caller("customer"),
            "distributor_a": self.principal("A"),
            "distributor_b": self.principal("B"),
            "staff_without": self.staff[other],
            "staff_with": self.staff[permission],
        }

    def commissions_of(self, name: str) -> list[Commission]:
        return list(Commission.objects.filter(distributor=self.world[name]).order_by("-pk"))


def build_money_world(world: World, merchant: FakeWeChatPay) -> MoneyWorld:
    """``merchant``: the WeChat Pay merchant payouts go through (its app has every distributor's openid)."""
    program = ChannelProgram.objects.create(
        channel=CHANNEL,
        currency="CNY",
        commission_depth=2,
        freeze_days=7,
        storefront_base_url=STOREFRONT,
        withdrawal_minimum=Decimal("1.00"),
        payout_app_id=merchant.merchant.appid,
    )
    for node in world.nodes.values():
        payout_identity(node, merchant.merchant.appid)
    CommissionRule.objects.create(channel=CHANNEL, level=1, rate=Decimal("10"))
    CommissionRule.objects.create(channel=CHANNEL, level=2, rate=Decimal("3"))

    now = timezone.now()
    orders: dict[str, str] = {}

    def sold(name: str, seller: str, amount: str, *, state: str) -> None:
        snapshot_ = order(line(amount), ref=world[seller].referral_code, order_id=name, channel=CHANNEL)
        orders[name] = snapshot_.order_id
        if state == "placed":
            order_placed(order=snapshot_, now=now - timedelta(days=1))
            return
        order_paid(order=snapshot_, paid_at=now - timedelta(days=30))
        if state == "settled":
            order_fulfilled(order_id=snapshot_.order_id, fulfilled_at=now - timedelta(days=20))

    sold("o-A-paid", "A", "100.00", state="settled")
    sold("o-A1-paid", "A1", "200.00", state="paid")
    sold("o-A-placed", "A", "50.00", state="placed")
    sold("o-B-paid", "B", "300.00", state="settled")
    sold("o-B1-paid", "B1", "100.00", state="paid")
    assert commissions_settle_due(now=now) == 2

    def withdraw(name: str, amount: str) -> Withdrawal:
        return withdrawal_request(
            principal=world.principals[name], amount=Decimal(amount), channel=CHANNEL, now=now
        )

    withdrawals = {"A-requested": withdraw("A", "4.00")}
    confirming = withdraw("A", "1.00")
    withdrawal_approve(actor=SYSTEM, withdrawal_id=confirming.pk)
    # what withdrawal_send does before it calls WeChat Pay (no payout gateway in these tests)
    Withdrawal.objects.filter(pk=confirming.pk).update(status=Withdrawal.Status.PROCESSING)
    withdrawal_apply_result(
        result=PayoutResult(
            out_bill_no=confirming.out_bill_no,
            state=PayoutState.WAIT_USER_CONFIRM,
            package_info=PACKAGE_INFO,
        )
    )
    withdrawals["A-confirming"] = Withdrawal.objects.get(pk=confirming.pk)
    withdrawals["B-requested"] = withdraw("B", "5.00")
    staff_ = {
        Permission.MANAGE_ORDERS: world.caller("staff_orders"),
        Permission.MANAGE_USERS: world.caller("staff_users"),
        Permission.MANAGE_PLUGINS: staff(Permission.MANAGE_PLUGINS),
        None: customer(),
    }
    return MoneyWorld(world=world, program=program, orders=orders, withdrawals=withdrawals, staff=staff_)


def money_snapshot() -> list[tuple]:
    """Everything a refused request must leave untouched: the distributors (conftest.snapshot), every
    commission, ledger entry, withdrawal, attribution and its history, the programs and rules, checkout
    referrals and customer bindings."""
    tables = [
        Commission.objects.values_list(
            "pk", "distributor_id", "status", "amount", "reversed_amount", "generation"
        ),
        LedgerEntry.objects.values_list("pk", "distributor_id", "amount", "kind"),
        Withdrawal.objects.values_list(
            "pk", "distributor_id", "status", "amount", "decided_by", "reject_reason"
        ),
        OrderAttribution.objects.values_list("pk", "distributor_id", "source", "generation"),
        AttributionChange.objects.values_list("pk", "attribution_id", "to_distributor_id"),
        ChannelProgram.objects.values_list(
            "pk",
            "channel",
            "version",
            "currency",
            "commission_depth",
            "freeze_days",
            "binding_trigger",
            "binding_validity_days",
            "binding_protection_days",
            "binding_override",
            "code_priority",
            "withdrawal_minimum",
            "withdrawal_daily_limit",
            "payout_method",
            "storefront_base_url",
        ),
        CommissionRule.objects.values_list("pk", "channel", "level", "rate", "fixed_amount", "product_id"),
        CheckoutReferral.objects.values_list("pk", "checkout_id", "distributor_id"),
        CustomerBinding.objects.values_list("pk", "customer_key", "distributor_id"),
    ]
    return [*snapshot(), *(("table", *table.order_by("pk")) for table in tables)]
