from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import CommissionErrorCode
from ...domain.permissions import Permission
from ...services.programs import channel_program_update
from ..core.channels import channel_argument
from ..core.money import parse_decimal
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import BindingOverrideEnum, BindingTriggerEnum, CodePriorityEnum, CommissionErrorCodeEnum
from ..programs.types import ChannelProgram

ChannelProgramUpdateError = mutation_error_type("ChannelProgramUpdateError", CommissionErrorCodeEnum)

#: input name -> the service's setting name
_SETTINGS = {
    "commission_depth": "commission_depth",
    "freeze_days": "freeze_days",
    "base_includes_shipping": "base_includes_shipping",
    "self_purchase_earns": "self_purchase_earns",
    "currency": "currency",
    "payout_method": "payout_method",
    "payout_app_id": "payout_app_id",
    "storefront_base_url": "storefront_base_url",
    "auto_approve_distributors": "auto_approve_distributors",
}
_BINDING_SETTINGS = {
    "trigger": "binding_trigger",
    "validity_days": "binding_validity_days",
    "protection_days": "binding_protection_days",
    "override": "binding_override",
    "code_priority": "code_priority",
}
_MONEY_SETTINGS = {
    "withdrawal_minimum": "withdrawalMinimum",
    "withdrawal_daily_limit": "withdrawalDailyLimit",
    "withdrawal_auto_approve_below": "withdrawalAutoApproveBelow",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class BindingPolicyInput(graphene.InputObjectType):
    trigger = BindingTriggerEnum(description="The event that binds a customer to a distributor.")
    validity_days = graphene.Int(description="0-3650 days; null: bindings never expire.")
    protection_days = graphene.Int(description="0-3650 days during which nobody takes a customer over.")
    override = BindingOverrideEnum()
    code_priority = CodePriorityEnum()


class ChannelProgramInput(graphene.InputObjectType):
    currency = graphene.String(description="ISO 4217 code of commissions and withdrawals.")
    commission_depth = graphene.Int(
        description="Levels paid on a sale: 1 or 2. Three or more is refused (pyramid selling)."
    )
    freeze_days = graphene.Int(description="After-sales window after fulfilment, 0-3650 days.")
    base_includes_shipping = graphene.Boolean()
    self_purchase_earns = graphene.Boolean()
    binding_policy = graphene.Field(BindingPolicyInput)
    withdrawal_minimum = graphene.String(description='A decimal string such as "1.00", zero or more.')
    withdrawal_daily_limit = graphene.String(description="A decimal string, zero or more.")
    withdrawal_auto_approve_below = graphene.String(
        description="Withdrawals below this amount need no staff approval; 0: every one does."
    )
    payout_method = graphene.String(description="v3 (商家转账) or v2 (企业付款).")
    payout_app_id = graphene.String(description="App whose openids payouts go to; empty: none.")
    storefront_base_url = graphene.String(description="https://… base of share links; empty: none.")
    auto_approve_distributors = graphene.Boolean(
        description="Applications become active at once, without staff approval."
    )


class ChannelProgramUpdate(BaseMutation):
    """Staff: change some settings of a channel's program. Requires MANAGE_PLUGINS.

    Only the fields given change (null leaves a setting as it is, except bindingPolicy.validityDays,
    where null means bindings never expire). The result is validated as a whole; a change to a rule about
    money (all but the payout API, payout app and storefront address) gives the program a new version,
    which attributions record, and every change records who made it.
    """

    permissions = (Permission.MANAGE_PLUGINS,)
    error_type = ChannelProgramUpdateError
    invalid_code = CommissionErrorCode.INVALID
    error_fields = {
        **{setting: _camel(name) for name, setting in _SETTINGS.items()},
        **{setting: _camel(name) for name, setting in _BINDING_SETTINGS.items()},
        **_MONEY_SETTINGS,
        # the existing rules, checked against a new depth
        **dict.fromkeys(("depth", "level", "rate", "fixed_amount", "rules"), "commissionDepth"),
    }

    channel_program = graphene.Field(ChannelProgram)
    errors = graphene.List(graphene.NonNull(ChannelProgramUpdateError), required=True)

    class Arguments:
        channel = graphene.String(required=True, description="Channel slug.")
        input = ChannelProgramInput(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, channel: str, input: dict) -> Any:
        channel = channel_argument(info, channel)
        changes: dict[str, Any] = {}
        for name, setting in _SETTINGS.items():
            if input.get(name) is not None:
                changes[setting] = input[name]
        for name, field in _MONEY_SETTINGS.items():
            if input.get(name) is not None:
                changes[name] = parse_decimal(
                    input[name], field=field, code=CommissionErrorCode.AMOUNT_INVALID
                )
        binding = input.get("binding_policy") or {}
        for name, setting in _BINDING_SETTINGS.items():
            if binding.get(name) is not None or (name == "validity_days" and name in binding):
                changes[setting] = binding[name]
        program = channel_program_update(actor=info.context.principal, channel=channel, changes=changes)
        return cls(channel_program=program, errors=[])
