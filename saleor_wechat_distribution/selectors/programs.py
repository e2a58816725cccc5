from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import host
from ..conf import channel_is_active, get_config
from ..db.rows import fetch_one
from ..domain.referrals import BindingOverride, BindingPolicy, BindingTrigger, CodePriority
from ..models import ChannelProgram, CommissionRule


def program_for_channel(*, channel: str) -> ChannelProgram:
    """The channel's program, or the defaults (unsaved, version 0) when staff never configured one.

    Read on every order event: one plain statement (``rows.fetch_one``) rather than a QuerySet.
    """
    program = fetch_one(ChannelProgram, "channel = %s", [channel])
    return program if program is not None else ChannelProgram(channel=channel, version=0)


@dataclass(frozen=True)
class ProgramChannel:
    """A channel staff can run the program in: the host's, or one with a saved program."""

    channel: str
    currency: str
    name: str
    configured: bool
    active: bool


def program_channels(*, only: str | None = None) -> list[ProgramChannel]:
    """Every channel of the host (``Host.channel_list``) and every channel with a saved program, by slug;
    ``only``: just that channel (an address that serves one channel)."""
    saved = {p.channel: p for p in ChannelProgram.objects.order_by("channel")}
    listing = host.current().channel_list
    known = {c.slug: c for c in listing()} if listing is not None else {}
    slugs = sorted(set(saved) | set(known))
    if only is not None:
        slugs = [slug for slug in slugs if slug == only] or [only]
    found = []
    for slug in slugs:
        program, channel = saved.get(slug), known.get(slug)
        currency = program.currency if program is not None else (channel.currency if channel else "")
        found.append(
            ProgramChannel(
                channel=slug,
                currency=currency,
                name=channel.name if channel is not None and channel.name else slug,
                configured=program is not None,
                active=channel_is_active(slug),
            )
        )
    return found


def distributor_auto_approve(*, channel: str | None) -> bool:
    """Whether applications in ``channel`` become active at once: the channel's program says so when
    staff set it (the console's program page, or the host's settings form), else the host's setting."""
    program = fetch_one(ChannelProgram, "channel = %s", [channel]) if channel else None
    return program_auto_approves(program) if program is not None else get_config(channel).auto_approve


def program_auto_approves(program: ChannelProgram) -> bool:
    """:func:`distributor_auto_approve` of a program already read."""
    if program.auto_approve_distributors is not None:
        return program.auto_approve_distributors
    return get_config(program.channel).auto_approve


def program_in_force(*, channel: str) -> ChannelProgram | None:
    """The channel's program when the program runs there, else None: a channel without a saved program
    (never configured, or made up by a caller) or one the host says is not active (Saleor: the plugin is
    not active in that channel). Money paths (withdrawals, balances) take no defaults."""
    program = fetch_one(ChannelProgram, "channel = %s", [channel])
    if program is None or not channel_is_active(channel):
        return None
    return program


@dataclass(frozen=True)
class WalletPolicy:
    """The withdrawal rules of one wallet (a distributor's money in one currency).

    Every channel whose program pays in the currency pays into the same wallet, so its rules are the
    strictest of those channels': the highest minimum, the lowest daily limit and the lowest automatic
    approval threshold. No channel can then be used to get round another's settings.
    """

    currency: str
    minimum: Decimal
    daily_limit: Decimal
    auto_approve_below: Decimal
    channels: tuple[str, ...]


def wallet_policy(*, currency: str) -> WalletPolicy | None:
    """The wallet rules of ``currency`` over the channels in force that pay in it (None: no channel)."""
    programs = [
        p
        for p in ChannelProgram.objects.filter(currency=currency).order_by("channel")
        if channel_is_active(p.channel)
    ]
    if not programs:
        return None
    return WalletPolicy(
        currency=currency,
        minimum=max(p.withdrawal_minimum for p in programs),
        daily_limit=min(p.withdrawal_daily_limit for p in programs),
        auto_approve_below=min(p.withdrawal_auto_approve_below for p in programs),
        channels=tuple(p.channel for p in programs),
    )


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
