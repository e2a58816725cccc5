"""Money types: commissions, withdrawals, attributed orders, balances and statistics. A distributor sees
only its own; staff with MANAGE_ORDERS see everything."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from graphene import relay

from ...domain.permissions import Permission
from ...models import Commission as CommissionModel
from ...models import OrderAttribution as OrderAttributionModel
from ...models import Withdrawal as WithdrawalModel
from ...selectors.commissions import Balance as BalanceData
from ..core.connection import CountableConnection
from ..core.money import Money, money, plain_decimal
from ..core.node import register_node_type
from ..dataloaders import CommissionHoldReasonLoader, DistributorByIdLoader, loader
from ..distributors.types import Distributor
from ..enums import AttributionSourceEnum, CommissionStatusEnum, WithdrawalStatusEnum
from .explanation import EXPLANATION_DESCRIPTION, CommissionExplanation, resolve_commission_explanation


def can_see_money_of(context: Any, distributor_id: int | None) -> bool:
    """Commissions, withdrawals and attributed orders: their own distributor, and staff with
    MANAGE_ORDERS."""
    if context.principal.has_perms(Permission.MANAGE_ORDERS):
        return True
    viewer = context.viewer_distributor
    return viewer is not None and distributor_id is not None and viewer.pk == distributor_id


def _visible_row(context: Any, model: type, pk: str) -> Any:
    raw = str(pk)
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    row = model.objects.filter(pk=int(raw)).first()
    if row is None or not can_see_money_of(context, row.distributor_id):
        return None
    return row


def _distributor_of(root: Any, info: Any) -> Any:
    if root.distributor_id is None:
        return None
    return loader(info.context, DistributorByIdLoader).load(root.distributor_id)


_DISTRIBUTOR_OF_RECORD = (
    "The distributor it belongs to (whoever may see the record sees who it belongs to; the "
    "distributor's own fields keep their rules)."
)


@register_node_type
class Commission(graphene.ObjectType):
    order_id = graphene.ID(required=True, description="The host's (Saleor's) order id.")
    order_number = graphene.String(description="The order's number, as the shop shows it (when attributed).")
    line_id = graphene.String(required=True, description="The host's order line id.")
    channel = graphene.String(required=True, description="Channel slug of the order.")
    level = graphene.Int(
        required=True,
        description="1: the order is attributed to this distributor; 2: to a distributor it invited. "
        "No other level is ever paid.",
    )
    status = CommissionStatusEnum(required=True)
    base = graphene.Field(Money, required=True, description="The line's commissionable amount.")
    rate = graphene.Decimal(description='Percent of the base, when a rate applied ("10" is 10 %).')
    fixed_amount = graphene.Field(Money, description="Per unit sold, when a fixed amount applied.")
    amount = graphene.Field(Money, required=True, description="What the line earned, before refunds.")
    reversed_amount = graphene.Field(
        Money, required=True, description="What refunds, cancellations or reassignments took back so far."
    )
    created_at = graphene.DateTime(required=True)
    paid_at = graphene.DateTime(description="When the order was paid (the commission froze).")
    fulfilled_at = graphene.DateTime(description="When the order was fulfilled (the window started).")
    settle_after = graphene.DateTime(
        description="End of the after-sales window: the commission becomes available after it, unless "
        "an after-sales case of the order is open."
    )
    settled_at = graphene.DateTime(description="When it was credited to the balance.")
    hold_reason = graphene.String(
        description='Why it is held whatever the window says: "dispute" (an open purchase dispute) or '
        '"refund_requested"; null when nothing holds it.'
    )
    distributor = graphene.Field(Distributor, description=_DISTRIBUTOR_OF_RECORD)
    explanation = graphene.Field(CommissionExplanation, required=True, description=EXPLANATION_DESCRIPTION)
    resolve_explanation = staticmethod(resolve_commission_explanation)

    @staticmethod
    def resolve_hold_reason(root: Any, info: Any) -> Any:
        return loader(info.context, CommissionHoldReasonLoader).load(root)

    @staticmethod
    def resolve_order_number(root: CommissionModel, info: Any) -> Any:
        from ..money.dataloaders import AttributionByOrderLoader

        return (
            loader(info.context, AttributionByOrderLoader)
            .load(root.order_id)
            .then(lambda attribution: attribution.order_number or None if attribution else None)
        )

    class Meta:
        interfaces = (relay.Node,)
        description = (
            "What one distributor earns on one order line at one level. Visible to that distributor and "
            "to staff with MANAGE_ORDERS."
        )

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, CommissionModel)

    @classmethod
    def get_node(cls, info: Any, pk: str) -> CommissionModel | None:
        return _visible_row(info.context, CommissionModel, pk)

    @staticmethod
    def resolve_base(root: CommissionModel, info: Any) -> Money:
        return money(root.base, root.currency)

    @staticmethod
    def resolve_rate(root: CommissionModel, info: Any) -> Decimal | None:
        return plain_decimal(root.rate)

    @staticmethod
    def resolve_fixed_amount(root: CommissionModel, info: Any) -> Money | None:
        return money(root.fixed_amount, root.currency)

    @staticmethod
    def resolve_amount(root: CommissionModel, info: Any) -> Money:
        return money(root.amount, root.currency)

    @staticmethod
    def resolve_reversed_amount(root: CommissionModel, info: Any) -> Money:
        return money(root.reversed_amount, root.currency)

    resolve_distributor = staticmethod(_distributor_of)


class CommissionCountableConnection(CountableConnection):
    class Meta:
        node = Commission


@register_node_type
class Withdrawal(graphene.ObjectType):
    channel = graphene.String(required=True, description="Channel slug whose program paid it.")
    amount = graphene.Field(Money, required=True)
    status = WithdrawalStatusEnum(required=True)
    payout_method = graphene.String(
        required=True, description="v3: WeChat Pay 商家转账 (confirmed by the user); v2: legacy 企业付款."
    )
    out_bill_no = graphene.String(required=True, description="Our bill number at WeChat Pay.")
    fail_reason = graphene.String(description="Why it failed or was cancelled; PROCESSING: what holds it up.")
    reject_reason = graphene.String(description="Why staff rejected it (REJECTED).")
    requested_at = graphene.DateTime(required=True)
    decided_at = graphene.DateTime(description="When staff (or the auto-approval) decided.")
    finished_at = graphene.DateTime(description="When it became final: paid, rejected, failed, cancelled.")
    package_info = graphene.String(
        description="WAIT_USER_CONFIRM: what the client passes to wx.requestMerchantTransfer so that the "
        "distributor confirms the transfer. Visible only to the distributor itself."
    )
    distributor = graphene.Field(Distributor, description=_DISTRIBUTOR_OF_RECORD)

    class Meta:
        interfaces = (relay.Node,)
        description = (
            "A payout of a distributor's balance to its WeChat wallet. Visible to that distributor and to "
            "staff with MANAGE_ORDERS."
        )

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, WithdrawalModel)

    @classmethod
    def get_node(cls, info: Any, pk: str) -> WithdrawalModel | None:
        return _visible_row(info.context, WithdrawalModel, pk)

    @staticmethod
    def resolve_amount(root: WithdrawalModel, info: Any) -> Money:
        return money(root.amount, root.currency)

    @staticmethod
    def resolve_fail_reason(root: WithdrawalModel, info: Any) -> str | None:
        return root.fail_reason or None

    @staticmethod
    def resolve_reject_reason(root: WithdrawalModel, info: Any) -> str | None:
        return root.reject_reason or None

    @staticmethod
    def resolve_package_info(root: WithdrawalModel, info: Any) -> str | None:
        viewer = info.context.viewer_distributor
        if viewer is None or viewer.pk != root.distributor_id:
            return None
        return root.package_info or None

    resolve_distributor = staticmethod(_distributor_of)


class WithdrawalCountableConnection(CountableConnection):
    class Meta:
        node = Withdrawal


@register_node_type
class OrderAttribution(graphene.ObjectType):
    order_id = graphene.ID(required=True, description="The host's (Saleor's) order id.")
    order_number = graphene.String(required=True)
    channel = graphene.String(required=True)
    source = AttributionSourceEnum(description="How the order came to this distributor; null: nobody's.")
    code = graphene.String(description="The referral or voucher code that decided it, if any.")
    decided_at = graphene.DateTime(required=True)
    net_total = graphene.Field(Money, required=True, description="The order's lines, after discounts.")
    policy_version = graphene.Int(required=True, description="Version of the channel program applied.")
    no_commission_reason = graphene.String(
        description="Why the order earns no commission although attributed (e.g. a self purchase)."
    )
    distributor = graphene.Field(Distributor, description=_DISTRIBUTOR_OF_RECORD)
    app_id = graphene.String(description="The Official Account the evidence came through, if any.")
    policy = graphene.Field(
        "saleor_wechat_distribution.graphql.money.types.AttributionPolicy",
        required=True,
        description="The attribution policy in force when the order was decided.",
    )
    changes = graphene.List(
        graphene.NonNull("saleor_wechat_distribution.graphql.money.types.AttributionChange"),
        required=True,
        description="Staff reassignments, oldest first. Staff with MANAGE_ORDERS only (else empty).",
    )
    commissions = graphene.List(
        graphene.NonNull(lambda: Commission),
        required=True,
        description="The order's commissions, every generation (a reassignment cancels the earlier "
        "ones). Staff with MANAGE_ORDERS only (else empty).",
    )
    dispute = graphene.Field(
        "saleor_wechat_distribution.graphql.network.types.OrderDispute",
        description="The order's latest dispute (open, or the last resolved). Staff with MANAGE_ORDERS only.",
    )

    class Meta:
        interfaces = (relay.Node,)
        description = (
            "The one distributor an order belongs to, decided once (staff may reassign it, keeping the "
            "history). Visible to that distributor and to staff with MANAGE_ORDERS."
        )

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, OrderAttributionModel)

    @classmethod
    def get_node(cls, info: Any, pk: str) -> OrderAttributionModel | None:
        return _visible_row(info.context, OrderAttributionModel, pk)

    @staticmethod
    def resolve_source(root: OrderAttributionModel, info: Any) -> str | None:
        return root.source or None

    @staticmethod
    def resolve_code(root: OrderAttributionModel, info: Any) -> str | None:
        return root.code or None

    @staticmethod
    def resolve_net_total(root: OrderAttributionModel, info: Any) -> Money:
        return money(root.net_total, root.currency)

    @staticmethod
    def resolve_no_commission_reason(root: OrderAttributionModel, info: Any) -> str | None:
        return root.no_commission_reason or None

    resolve_distributor = staticmethod(_distributor_of)

    @staticmethod
    def resolve_app_id(root: OrderAttributionModel, info: Any) -> str | None:
        return root.app_id or None

    @staticmethod
    def resolve_policy(root: OrderAttributionModel, info: Any) -> Any:
        from ..money.types import AttributionPolicy

        return AttributionPolicy.from_snapshot(root.policy or {})

    @staticmethod
    def resolve_changes(root: OrderAttributionModel, info: Any) -> Any:
        from ..money.dataloaders import AttributionChangesLoader

        if not _is_money_staff(info.context):
            return []
        return loader(info.context, AttributionChangesLoader).load(root.pk)

    @staticmethod
    def resolve_commissions(root: OrderAttributionModel, info: Any) -> Any:
        from ..money.dataloaders import CommissionsByOrderLoader

        if not _is_money_staff(info.context):
            return []
        return loader(info.context, CommissionsByOrderLoader).load(root.order_id)

    @staticmethod
    def resolve_dispute(root: OrderAttributionModel, info: Any) -> Any:
        from ..money.dataloaders import LatestDisputeByOrderLoader

        if not _is_money_staff(info.context):
            return None
        return loader(info.context, LatestDisputeByOrderLoader).load(root.order_id)


def _is_money_staff(context: Any) -> bool:
    """The fields of an attribution only staff see: other distributors' commissions, the history."""
    return context.principal.has_perms(Permission.MANAGE_ORDERS)


class OrderAttributionCountableConnection(CountableConnection):
    class Meta:
        node = OrderAttribution


class Balance(graphene.ObjectType):
    currency = graphene.String(required=True, description="ISO 4217 code of every amount below.")
    available = graphene.Field(
        Money,
        required=True,
        description="What may be withdrawn: settled commissions less withdrawals and clawbacks. Negative "
        "when refunds took back more than was left (withdrawals wait until it is repaid).",
    )
    frozen = graphene.Field(
        Money, required=True, description="Commissions of paid orders still inside the after-sales window."
    )
    pending = graphene.Field(Money, required=True, description="Commissions of orders not paid yet.")
    withdrawing = graphene.Field(
        Money, required=True, description="Held for withdrawals that are not finished."
    )

    class Meta:
        description = "A distributor's money in one currency."

    @staticmethod
    def resolve_available(root: BalanceData, info: Any) -> Money:
        return money(root.available, root.currency)

    @staticmethod
    def resolve_frozen(root: BalanceData, info: Any) -> Money:
        return money(root.frozen, root.currency)

    @staticmethod
    def resolve_pending(root: BalanceData, info: Any) -> Money:
        return money(root.pending, root.currency)

    @staticmethod
    def resolve_withdrawing(root: BalanceData, info: Any) -> Money:
        return money(root.withdrawing, root.currency)
