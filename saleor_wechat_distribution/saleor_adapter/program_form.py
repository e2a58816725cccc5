"""The settings form and the program edited elsewhere (the console's program page, the API).

Two editors of one program: Saleor's plugin form, whose items Saleor stores, and our API. So that
neither silently undoes the other, the form *shows* the program as it is now (:func:`program_form_values`
over the stored items), and saving the form writes only what that save changed (:func:`form_changes`),
not every stored item again. Saleor-free: tested in the core's suite.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ..domain.money import quantize
from ..models import ChannelProgram, CommissionRule
from . import config

#: form items that hold a program column of the same name, shown as text (Saleor's String fields)
_TEXT = (
    "commission_depth", "freeze_days", "binding_trigger", "binding_protection_days", "binding_override",
    "code_priority", "payout_method", "storefront_base_url",
)  # fmt: skip
_FLAGS = ("self_purchase_earns", "base_includes_shipping")
_MONEY = ("withdrawal_minimum", "withdrawal_daily_limit", "withdrawal_auto_approve_below")


def _percent(rate: Decimal) -> str:
    return format(rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate.normalize(), "f")


def program_form_values(channel: str) -> dict[str, Any]:
    """The channel's saved program as the form's item values (``{}`` when none is saved): what the
    dashboard shows instead of the items Saleor stored, which the API may have changed since."""
    program = ChannelProgram.objects.filter(channel=channel).first()
    if program is None:
        return {}
    values: dict[str, Any] = {name: str(getattr(program, name)) for name in _TEXT}
    values |= {name: bool(getattr(program, name)) for name in _FLAGS}
    values |= {name: str(quantize(getattr(program, name), program.currency)) for name in _MONEY}
    validity = program.binding_validity_days
    values["binding_validity_days"] = "" if validity is None else str(validity)
    if program.auto_approve_distributors is not None:
        values["auto_approve"] = program.auto_approve_distributors
    defaults = CommissionRule.objects.filter(
        channel=channel, product_id__isnull=True, category_id__isnull=True, distributor_kind__isnull=True
    )
    rates = {rule.level: rule.rate for rule in defaults}
    if all(rate is not None for rate in rates.values()):  # a fixed amount is not the form's to show
        for level in (1, 2):
            rate = rates.get(level)
            values[f"commission_rate_level_{level}"] = "" if rate is None else _percent(rate)
    return values


def form_changes(
    before: Iterable[Mapping[str, Any]] | None, after: Iterable[Mapping[str, Any]] | None
) -> set[str]:
    """The names of the form's settings whose value a save changed (unknown names left out)."""
    old, new = config.as_mapping(before), config.as_mapping(after)
    return {name for name in new if new[name] != old[name]}
