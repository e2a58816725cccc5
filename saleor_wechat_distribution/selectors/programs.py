from __future__ import annotations

from ..db.rows import fetch_one
from ..domain.referrals import BindingOverride, BindingPolicy, BindingTrigger, CodePriority
from ..models import ChannelProgram, CommissionRule


def program_for_channel(*, channel: str) -> ChannelProgram:
    """The channel's program, or the defaults (unsaved, version 0) when staff never configured one.

    Read on every order event: one plain statement (``rows.fetch_one``) rather than a QuerySet.
    """
    program = fetch_one(ChannelProgram, "channel = %s", [channel])
    return program if program is not None else ChannelProgram(channel=channel, version=0)


def binding_policy_of(program: ChannelProgram) -> BindingPolicy:
    return BindingPolicy(
        trigger=BindingTrigger(program.binding_trigger),
        validity_days=program.binding_validity_days,
        protection_days=program.binding_protection_days,
        override=BindingOverride(program.binding_override),
        code_priority=CodePriority(program.code_priority),
    )


def policy_snapshot(program: ChannelProgram) -> dict:
    """What an attribution records of the policy in force."""
    return {
        "trigger": program.binding_trigger,
        "validity_days": program.binding_validity_days,
        "protection_days": program.binding_protection_days,
        "override": program.binding_override,
        "code_priority": program.code_priority,
        "commission_depth": program.commission_depth,
        "self_purchase_earns": program.self_purchase_earns,
    }


def commission_rules_of(*, channel: str) -> list[CommissionRule]:
    return list(CommissionRule.objects.filter(channel=channel).order_by("level", "pk"))
