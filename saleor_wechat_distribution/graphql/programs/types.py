"""Program settings and commission rules of a channel (staff, MANAGE_PLUGINS)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from graphene import relay

from ...models import ChannelProgram as ChannelProgramModel
from ...models import CommissionRule as CommissionRuleModel
from ...selectors.programs import program_auto_approves
from ..core.money import Money, money, plain_decimal
from ..enums import BindingOverrideEnum, BindingTriggerEnum, CodePriorityEnum, DistributorKindEnum


class CommissionRule(graphene.ObjectType):
    level = graphene.Int(required=True, description="1 or 2 (see ChannelProgram.commissionDepth).")
    rate = graphene.Decimal(description='Percent of the line\'s base ("10" is 10 %); or fixedAmount.')
    fixed_amount = graphene.Field(Money, description="Per unit sold, in the channel's currency; or rate.")
    product_id = graphene.String(description="Only for this product (the most specific rule wins).")
    category_id = graphene.String(description="Only for products of this category.")
    distributor_kind = DistributorKindEnum(description="Only for distributors of this kind.")

    class Meta:
        description = (
            "What one level earns. Precedence: product > category > distributor kind > the level's default."
        )

    @staticmethod
    def resolve_rate(root: CommissionRuleModel, info: Any) -> Decimal | None:
        return plain_decimal(root.rate)

    @staticmethod
    def resolve_fixed_amount(root: CommissionRuleModel, info: Any) -> Money | None:
        return money(root.fixed_amount, root.currency)


class BindingPolicy(graphene.ObjectType):
    trigger = BindingTriggerEnum(required=True)
    validity_days = graphene.Int(description="How long a binding lasts; null: for ever.")
    protection_days = graphene.Int(
        required=True, description="Nobody takes a bound customer over during this many days."
    )
    override = BindingOverrideEnum(required=True)
    code_priority = CodePriorityEnum(required=True)

    class Meta:
        description = "How customers are bound to the distributors who referred them, in one channel."


class ProgramProduct(graphene.ObjectType):
    id = graphene.ID(required=True, description="The host's product id (Saleor: its global id).")
    title = graphene.String(required=True)
    price = graphene.Field(Money, required=True)
    image_url = graphene.String()

    class Meta:
        description = "A product of the shop's catalog in a channel, as a commission rule names it."


class ProgramProductConnection(relay.Connection):
    class Meta:
        node = ProgramProduct


class ProgramCategory(graphene.ObjectType):
    id = graphene.ID(required=True, description="The host's category id (Saleor: its global id).")
    name = graphene.String(required=True)
    path = graphene.String(
        required=True,
        description='The names of its ancestors, root first, then its own: "Appliances / Refrigerators".',
    )
    ancestors = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="The names above it, root first."
    )

    class Meta:
        description = (
            "A product category of the shop, as a commission rule names it (the rule applies to the lines "
            "of products in this very category)."
        )


class ProgramCategoryConnection(relay.Connection):
    class Meta:
        node = ProgramCategory


class ProgramChannel(graphene.ObjectType):
    channel = graphene.String(required=True, description="The channel's slug.")
    name = graphene.String(required=True, description="The host's name of the channel (else its slug).")
    currency = graphene.String(
        required=True, description="The saved program's currency, else the channel's (empty when unknown)."
    )
    configured = graphene.Boolean(required=True, description="Whether staff saved a program for it.")
    active = graphene.Boolean(
        required=True, description="Whether the program runs there (Saleor: the plugin is active in it)."
    )

    class Meta:
        description = "A channel staff can run the distribution program in."


class ChannelProgram(graphene.ObjectType):
    channel = graphene.String(required=True)
    currency = graphene.String(required=True, description="Currency of commissions and withdrawals.")
    version = graphene.Int(
        required=True,
        description="Rises when something that decides who earns what, or when, changes (commission rules, "
        "depth, shipping, own purchases, binding policy, freeze window, withdrawal limits, currency); "
        "0: never configured (the defaults apply).",
    )
    commission_depth = graphene.Int(
        required=True,
        description="Levels paid on a sale: 1 or 2. Never more (pyramid selling: WeChat's rules and "
        "Art. 7 of 《禁止传销条例》).",
    )
    freeze_days = graphene.Int(required=True, description="After-sales window after fulfilment.")
    base_includes_shipping = graphene.Boolean(required=True)
    self_purchase_earns = graphene.Boolean(
        required=True, description="Whether a distributor's own purchases earn commission."
    )
    binding_policy = graphene.Field(BindingPolicy, required=True)
    withdrawal_minimum = graphene.Field(Money, required=True)
    withdrawal_daily_limit = graphene.Field(Money, required=True)
    withdrawal_auto_approve_below = graphene.Field(
        Money, required=True, description="Withdrawals below this are approved without staff; 0: never."
    )
    payout_method = graphene.String(required=True, description="v3 (商家转账) or v2 (企业付款).")
    payout_app_id = graphene.String(required=True, description="App whose openids payouts go to.")
    storefront_base_url = graphene.String(required=True, description="Base of the share links.")
    auto_approve_distributors = graphene.Boolean(
        required=True,
        description="Whether applications in this channel become active at once, without staff approval "
        "(until staff set it, the host's setting decides).",
    )
    updated_at = graphene.DateTime()
    updated_by = graphene.String(
        description="Who changed a setting last: `staff:<user id>` or `app:<app id>`."
    )

    class Meta:
        description = "A channel's distribution program settings. Requires MANAGE_PLUGINS."

    @staticmethod
    def resolve_binding_policy(root: ChannelProgramModel, info: Any) -> BindingPolicy:
        return BindingPolicy(
            trigger=root.binding_trigger,
            validity_days=root.binding_validity_days,
            protection_days=root.binding_protection_days,
            override=root.binding_override,
            code_priority=root.code_priority,
        )

    @staticmethod
    def resolve_withdrawal_minimum(root: ChannelProgramModel, info: Any) -> Money:
        return money(root.withdrawal_minimum, root.currency)

    @staticmethod
    def resolve_withdrawal_daily_limit(root: ChannelProgramModel, info: Any) -> Money:
        return money(root.withdrawal_daily_limit, root.currency)

    @staticmethod
    def resolve_withdrawal_auto_approve_below(root: ChannelProgramModel, info: Any) -> Money:
        return money(root.withdrawal_auto_approve_below, root.currency)

    @staticmethod
    def resolve_auto_approve_distributors(root: ChannelProgramModel, info: Any) -> bool:
        return program_auto_approves(root)

    @staticmethod
    def resolve_updated_by(root: ChannelProgramModel, info: Any) -> str | None:
        return root.updated_by or None
