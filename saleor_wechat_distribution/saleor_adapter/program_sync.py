"""The plugin configuration -> the core's program copy (``ChannelProgram`` and level-default rules).
Saleor-free: tested in the core's suite."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..ports import SYSTEM, Principal
from ..selectors.programs import program_for_channel
from ..services.programs import channel_program_update, commission_default_rates_set
from . import config


def sync_program(channel: str, currency: str, items: Any, *, actor: Principal = SYSTEM) -> None:
    """Copy a channel's parsed settings into the core's program: the settings and the level rates, in the
    order that keeps every step valid (fewer levels: rates first; more levels: settings first). ``actor``
    is who saved the form (Saleor's requestor); what did not change is not written, so switching the
    plugin on or off gives the program no new version."""
    parsed = config.parse_configuration(items, currency)
    changes = {k: v for k, v in parsed.program.items() if v is not None or k == "binding_validity_days"}
    changes["currency"] = currency
    changes["auto_approve_distributors"] = parsed.auto_approve
    with transaction.atomic():
        current_depth = program_for_channel(channel=channel).commission_depth
        fewer_levels = parsed.program["commission_depth"] < current_depth
        if fewer_levels:
            commission_default_rates_set(actor=actor, channel=channel, rates=parsed.rates)
        channel_program_update(actor=actor, channel=channel, changes=changes)
        if not fewer_levels:
            commission_default_rates_set(actor=actor, channel=channel, rates=parsed.rates)
