"""Staff edits of a channel's program: commission rules and settings (depth, freeze window, binding
policy, withdrawal limits). Every change validates the resulting whole and records who made it
(``updated_by``). The version that attributions record rises only when something that decides who earns
what, or when, changes (:data:`VERSIONED` settings and the commission rules); saving what is already
there changes nothing (Saleor's dashboard saves the whole form, also to switch the plugin on or off)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from ..domain import commission_policy as policy
from ..domain.errors import CommissionErrorCode as Code
from ..domain.errors import DistributionError
from ..domain.money import currency_precision
from ..domain.payouts import PayoutMethod
from ..domain.referrals import BindingOverride, BindingTrigger, CodePriority
from ..models import ChannelProgram, CommissionRule
from ..ports import Principal
from .inputs import HOST_ID_MAX_LENGTH, clean_channel, clean_text

RULES_PER_CHANNEL_MAX = 500


@dataclass(frozen=True)
class RuleInput:
    level: int
    rate: Decimal | None = None
    fixed_amount: Decimal | None = None
    product_id: str | None = None
    category_id: str | None = None
    distributor_kind: str | None = None


def _program_for_update(channel: str) -> ChannelProgram:
    channel = clean_channel(channel, code=Code.INVALID)
    ChannelProgram.objects.get_or_create(channel=channel)
    return ChannelProgram.objects.select_for_update().get(channel=channel)


MONEY_MAX = Decimal("1e15")  # the money columns: 20 digits, 4 of them decimals


def _as_domain(rule: CommissionRule | RuleInput) -> policy.CommissionRule:
    for name in ("product_id", "category_id"):
        clean_text(getattr(rule, name), field=name, code=Code.INVALID, max_length=HOST_ID_MAX_LENGTH)
    rate, fixed = rule.rate, rule.fixed_amount
    if isinstance(rate, Decimal) and rate.is_finite() and rate != round(rate, 4):
        raise DistributionError(Code.RATE_OUT_OF_RANGE, _("Rates take at most 4 decimals."), field="rate")
    if isinstance(fixed, Decimal) and fixed.is_finite() and fixed >= MONEY_MAX:
        raise DistributionError(Code.AMOUNT_INVALID, _("The amount is too large."), field="fixedAmount")
    try:
        return policy.CommissionRule(
            level=rule.level,
            rate=rule.rate,
            fixed_amount=rule.fixed_amount,
            product_id=rule.product_id or None,
            category_id=rule.category_id or None,
            distributor_kind=rule.distributor_kind or None,
        )
    except (TypeError, ValueError):
        raise DistributionError(Code.INVALID, policy.MESSAGES[Code.INVALID], field="rate") from None


def _as_domain_rules(rules: list[CommissionRule] | list[RuleInput]) -> list[policy.CommissionRule]:
    """The rules as the domain's, an error naming the position of the rule it is about (``index``)."""
    domain_rules = []
    for index, rule in enumerate(rules):
        try:
            domain_rules.append(_as_domain(rule))
        except DistributionError as error:
            error.index = index
            raise
    return domain_rules


def _bump(program: ChannelProgram, actor: Principal) -> None:
    ChannelProgram.objects.filter(pk=program.pk).update(
        version=F("version") + 1, updated_by=actor.actor_label
    )


def commission_rules_set(*, actor: Principal, channel: str, rules: list[RuleInput]) -> list[CommissionRule]:
    """Replace a channel's rules as a whole (what the dashboard form submits); nothing changes on error."""
    if len(rules) > RULES_PER_CHANNEL_MAX:
        raise DistributionError(
            Code.INVALID,
            _("At most %(max)d rules per channel.") % {"max": RULES_PER_CHANNEL_MAX},
            field="rules",
        )
    with transaction.atomic():
        program = _program_for_update(channel)
        domain_rules = _as_domain_rules(rules)
        policy.validate_rules(domain_rules, program.commission_depth)
        _check_fixed_amount_precision(domain_rules, program.currency)
        current = list(CommissionRule.objects.filter(channel=program.channel))
        if Counter(map(_rule_key, current)) == Counter(map(_rule_key, domain_rules)):
            return current  # the same rules: no new version
        CommissionRule.objects.filter(channel=program.channel).delete()
        created = CommissionRule.objects.bulk_create(
            [
                CommissionRule(
                    channel=program.channel,
                    level=r.level,
                    rate=r.rate,
                    fixed_amount=r.fixed_amount,
                    product_id=r.product_id,
                    category_id=r.category_id,
                    distributor_kind=r.distributor_kind,
                )
                for r in domain_rules
            ]
        )
        _bump(program, actor)
    return created


def _rule_key(rule: CommissionRule | policy.CommissionRule) -> tuple:
    return (rule.level, rule.rate, rule.fixed_amount, rule.product_id or None, rule.category_id or None,
            rule.distributor_kind or None)  # fmt: skip


def _check_fixed_amount_precision(rules: list[policy.CommissionRule], currency: str) -> None:
    places = currency_precision(currency)
    for index, rule in enumerate(rules):
        if rule.fixed_amount is not None and rule.fixed_amount != round(rule.fixed_amount, places):
            raise DistributionError(
                Code.AMOUNT_INVALID,
                _("The fixed amount has more decimals than %(currency)s allows.") % {"currency": currency},
                field="fixedAmount",
                index=index,
            )


_CHOICES: dict[str, type] = {
    "binding_trigger": BindingTrigger,
    "binding_override": BindingOverride,
    "code_priority": CodePriority,
}
_NON_NEGATIVE_MONEY = ("withdrawal_minimum", "withdrawal_daily_limit", "withdrawal_auto_approve_below")
_DAYS = ("freeze_days", "binding_protection_days", "binding_validity_days")
#: the settings that decide who earns what, or when: a change gives the program a new version
VERSIONED = frozenset({
    "commission_depth", "freeze_days", "base_includes_shipping", "self_purchase_earns", "binding_trigger",
    "binding_validity_days", "binding_protection_days", "binding_override", "code_priority",
    "withdrawal_minimum", "withdrawal_daily_limit", "withdrawal_auto_approve_below", "currency",
})  # fmt: skip
EDITABLE = {
    "commission_depth", "freeze_days", "base_includes_shipping", "self_purchase_earns", "binding_trigger",
    "binding_validity_days", "binding_protection_days", "binding_override", "code_priority",
    "withdrawal_minimum", "withdrawal_daily_limit", "withdrawal_auto_approve_below", "payout_method",
    "payout_app_id", "currency", "storefront_base_url", "auto_approve_distributors",
}  # fmt: skip


def channel_program_update(*, actor: Principal, channel: str, changes: dict[str, Any]) -> ChannelProgram:
    """Change some settings of a channel's program. Depth 3 or more is refused (it is pyramid selling:
    see ``domain.commission_policy.MAX_PAID_LEVELS``); lowering the depth below a rule's level too."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise DistributionError(Code.INVALID, _("Unknown setting."), field=sorted(unknown)[0])
    with transaction.atomic():
        program = _program_for_update(channel)
        changed = set()
        for name, value in changes.items():
            cleaned = _clean_setting(name, value)
            if getattr(program, name) != cleaned:
                setattr(program, name, cleaned)
                changed.add(name)
        policy.validate_depth(program.commission_depth)
        rules = [_as_domain(r) for r in CommissionRule.objects.filter(channel=program.channel)]
        policy.validate_rules(rules, program.commission_depth)
        _check_fixed_amount_precision(rules, program.currency)  # a currency change must fit the rules
        if not changed:
            return program
        if changed & VERSIONED:
            program.version += 1
        program.updated_by = actor.actor_label
        program.save()
    return program


def _clean_setting(name: str, value: Any) -> Any:
    if name in _CHOICES:
        try:
            return _CHOICES[name](value).value
        except ValueError:
            raise DistributionError(Code.INVALID, _("Unknown choice."), field=name) from None
    if name in _NON_NEGATIVE_MONEY:
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise DistributionError(Code.AMOUNT_INVALID, _("Enter an amount of zero or more."), field=name)
        if value >= MONEY_MAX:
            raise DistributionError(Code.AMOUNT_INVALID, _("The amount is too large."), field=name)
        return value
    if name in _DAYS:
        if value is None and name == "binding_validity_days":
            return None  # permanent bindings
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3650:
            raise DistributionError(Code.INVALID, _("Enter a number of days from 0 to 3650."), field=name)
        return value
    if name == "commission_depth":
        if not isinstance(value, int) or isinstance(value, bool):
            raise DistributionError(
                Code.DEPTH_NOT_ALLOWED, policy.MESSAGES[Code.DEPTH_NOT_ALLOWED], field=name
            )
        return value
    if name == "currency":
        try:
            currency_precision(value)
        except (ValueError, TypeError):
            raise DistributionError(Code.INVALID, _("Unknown currency."), field=name) from None
        return value
    if name == "payout_method":
        if value not in set(PayoutMethod):
            raise DistributionError(Code.INVALID, _("Unknown choice."), field=name)
        return value
    if name == "storefront_base_url":
        value = str(value or "").strip()
        try:
            URLValidator(schemes=["https", "http"])(value) if value else None
        except ValidationError:
            raise DistributionError(Code.INVALID, _("Enter a web address (https://…)."), field=name) from None
        return value
    if name in ("base_includes_shipping", "self_purchase_earns"):
        return bool(value)
    if name == "auto_approve_distributors":
        return None if value is None else bool(value)  # None: the host's setting decides
    return str(value or "")[:32]


def commission_default_rates_set(
    *, actor: Principal, channel: str, rates: dict[int, Decimal]
) -> list[CommissionRule]:
    """Replace only the level-default rules (no product, category or kind scope) with ``rates``
    (level -> percent), keeping the scoped rules: what the host's settings form (Saleor's plugin page)
    edits, while scoped rules are edited through the API. Nothing changes on error."""
    with transaction.atomic():
        program = _program_for_update(channel)
        scoped = list(
            CommissionRule.objects.filter(channel=program.channel).exclude(
                product_id__isnull=True, category_id__isnull=True, distributor_kind__isnull=True
            )
        )
        defaults = [RuleInput(level=level, rate=rate) for level, rate in sorted(rates.items())]
        domain_rules = [_as_domain(r) for r in [*scoped, *defaults]]
        policy.validate_rules(domain_rules, program.commission_depth)
        current = {
            (r.level, r.rate, r.fixed_amount)
            for r in CommissionRule.objects.filter(
                channel=program.channel, product_id__isnull=True, category_id__isnull=True,
                distributor_kind__isnull=True,
            )
        }  # fmt: skip
        if current == {(r.level, r.rate, None) for r in defaults}:
            return list(CommissionRule.objects.filter(channel=program.channel))
        CommissionRule.objects.filter(
            channel=program.channel, product_id__isnull=True, category_id__isnull=True,
            distributor_kind__isnull=True,
        ).delete()  # fmt: skip
        CommissionRule.objects.bulk_create(
            [CommissionRule(channel=program.channel, level=r.level, rate=r.rate) for r in defaults]
        )
        _bump(program, actor)
    return list(CommissionRule.objects.filter(channel=program.channel))
