"""The plugin configuration -> the core's program copy (``ChannelProgram`` and level-default rules).
Saleor-free: tested in the core's suite."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..models import ChannelProgram
from ..ports import SYSTEM, Principal
from ..selectors.programs import program_for_channel
from ..services.programs import channel_program_update, commission_default_rates_set
from . import config


def sync_program(
    channel: str,
    currency: str,
    items: Any,
    *,
    actor: Principal = SYSTEM,
    changed: set[str] | None = None,
) -> None:
    """Copy a channel's parsed settings into the core's program: the settings and the level rates, in the
    order that keeps every step valid (fewer levels: rates first; more levels: settings first). ``actor``
    is who saved the form (Saleor's requestor); what did not change is not written, so switching the
    plugin on or off gives the program no new version.

    ``changed``: the form's settings this save changed (``program_form.form_changes``); only those are
    copied once the channel has a program, so a save does not undo what the API changed meanwhile
    (None: copy every setting, as the first save does).
    """
    parsed = config.parse_configuration(items, currency)
    changes = {k: v for k, v in parsed.program.items() if v is not None or k == "binding_validity_days"}
    changes["auto_approve_distributors"] = parsed.auto_approve
    copy_rates = True
    if changed is not None and ChannelProgram.objects.filter(channel=channel).exists():
        names = {_FORM_NAMES.get(name, name) for name in changed}
        changes = {k: v for k, v in changes.items() if k in names}
        copy_rates = bool(names & {"commission_rate_level_1", "commission_rate_level_2", "commission_depth"})
    changes["currency"] = currency
    with transaction.atomic():
        current_depth = program_for_channel(channel=channel).commission_depth
        depth = changes.get("commission_depth", current_depth)
        fewer_levels = depth < current_depth
        if fewer_levels and copy_rates:
            commission_default_rates_set(actor=actor, channel=channel, rates=parsed.rates)
        channel_program_update(actor=actor, channel=channel, changes=changes)
        if not fewer_levels and copy_rates:
            commission_default_rates_set(actor=actor, channel=channel, rates=parsed.rates)


#: the form's names of program settings named otherwise in the program
_FORM_NAMES = {
    "auto_approve": "auto_approve_distributors",
    "wechatpay_app_id": "payout_app_id",
    "oa_app_id": "payout_app_id",  # the payout app defaults to the Official Account's
}
