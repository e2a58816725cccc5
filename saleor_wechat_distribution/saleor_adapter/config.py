"""The plugin's settings form (Saleor's ``CONFIG_STRUCTURE``) and its parsing into a dataclass.

Saleor-free on purpose: Saleor stores a plugin's configuration as a list of ``{"name", "value"}`` items
and shows the form described here on the dashboard's plugin page; this module turns those items into
:class:`AdapterSettings` or refuses them with one clear message per field (:class:`ConfigurationError`).
The plugin class (``plugin.py``) only translates that error into Saleor's ``ValidationError``, so the
whole of the validation runs in the core's test suite without Saleor.

Saleor's form has text fields only (no choice lists, no number fields): a choice's help text lists its
values and a refused value is answered with them; a number's label says its unit (%, days, the channel's
currency, which :func:`dashboard_items` fills in per channel) and a refused number with its range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..domain.commission_policy import MAX_PAID_LEVELS
from ..domain.payouts import PayoutMethod
from ..domain.referrals import BindingOverride, BindingTrigger, CodePriority
from ..domain.wechatpay import WeChatPayApi
from .config_fields import OfficialAccount, Parser, official_account, payouts
from .sealed_config import shown_secret, unseal_value

#: the plugin's identifier in Saleor (``PluginConfiguration.identifier``, the ``/plugins/…/<id>/`` routes)
PLUGIN_ID = "wechat.distribution"

# Saleor's ``ConfigurationTypeField`` values (plugin.py checks they still match Saleor's).
STRING = "String"
MULTILINE = "Multiline"
BOOLEAN = "Boolean"
SECRET = "Secret"  # noqa: S105 - a field type
SECRET_MULTILINE = "SecretMultiline"  # noqa: S105
MAX_DAYS = 3650
# the units a number's label names
PERCENT_UNIT, DAYS, CURRENCY = "%", "days", "currency"
_UNIT_NAMES = {PERCENT_UNIT: "%", DAYS: _("days"), CURRENCY: _("channel currency")}
PAYOUT_METHODS = tuple(m.value for m in PayoutMethod)


@dataclass(frozen=True)
class SettingSpec:
    name: str
    type: str
    default: Any
    label: Any
    help_text: Any
    unit: str | None = None
    choices: tuple[str, ...] = ()

    def label_for(self, currency: str | None = None) -> Any:
        """The label with the unit (``Minimum withdrawal (CNY)``; ``(channel currency)`` without one)."""
        if self.unit is None:
            return self.label
        unit = (self.unit == CURRENCY and currency) or _UNIT_NAMES[self.unit]
        return format_lazy(_("{label} ({unit})"), label=self.label, unit=unit)

    @property
    def help(self) -> Any:
        if not self.choices:
            return self.help_text
        return format_lazy("{} {}", self.help_text, format_lazy(_("One of: {}."), ", ".join(self.choices)))


def _values(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(m.value for m in enum)


S, ML, B, SE, SM = STRING, MULTILINE, BOOLEAN, SECRET, SECRET_MULTILINE
#: name, field type, default, unit (or the choices), label, help text: one row per field of the form
_FORM: tuple[tuple[Any, ...], ...] = (
    # --- the program ----------------------------------------------------------------------------------
    ("commission_depth", S, "2", None, _("Commission levels"),
     _("How many upline levels earn on a sale: 1 (the seller) or 2 (the seller and the seller's inviter). "
       "Three or more levels is pyramid selling and is refused.")),
    ("commission_rate_level_1", S, "10", PERCENT_UNIT, _("Level 1 commission rate"),
     _("Percent of a line's paid amount (after discounts, without shipping) earned by the distributor the "
       "order is attributed to, from 0 to 100. Product and category rates are set through the "
       "distribution API.")),
    ("commission_rate_level_2", S, "5", PERCENT_UNIT, _("Level 2 commission rate"),
     _("Percent earned by the seller's inviter, from 0 to 100; leave empty or 0 with one level.")),
    ("freeze_days", S, "15", DAYS, _("Freeze window"),
     _("Days after fulfilment before a commission can be withdrawn (the after-sales window).")),
    ("binding_trigger", S, BindingTrigger.FIRST_CLICK.value, _values(BindingTrigger), _("Binding trigger"),
     _("When a customer is bound to the distributor whose link or code brought them.")),
    ("binding_validity_days", S, "365", DAYS, _("Binding validity"),
     _("How long a customer stays bound to a distributor; leave empty for a permanent binding.")),
    ("binding_protection_days", S, "30", DAYS, _("Binding lock"),
     _("During this many days after binding, no other distributor's link can take the customer over.")),
    ("binding_override", S, BindingOverride.AFTER_EXPIRY.value, _values(BindingOverride),
     _("Binding takeover"), _("Whether another distributor may take a bound customer over.")),
    ("code_priority", S, CodePriority.VOUCHER_FIRST.value, _values(CodePriority),
     _("Voucher code or link first"),
     _("Which wins when an order carries both a distributor's voucher code and a share link.")),
    ("self_purchase_earns", B, True, None, _("Commission on own purchases"),
     _("Whether a distributor earns on orders they place themselves through their own code.")),
    ("base_includes_shipping", B, False, None, _("Shipping earns commission"),
     _("Whether the shipping price counts towards the amount commissions are computed on.")),
    ("auto_approve", B, False, None, _("Approve distributors automatically"),
     _("Applications become active at once instead of waiting for staff approval.")),
    ("import_creates_customers", B, False, None, _("Create customer accounts on import"),
     _("When a distributor network is imported, people without a customer account (matched by e-mail or "
       "phone) get one, created from their e-mail address. Off: such rows are refused.")),
    ("storefront_base_url", S, "", None, _("Storefront address"),
     _("The storefront's public address (https://…); share links point there.")),
    ("withdrawal_minimum", S, "1.00", CURRENCY, _("Minimum withdrawal"),
     _("The smallest withdrawal. Channels of one currency share the wallet: the highest minimum applies.")),
    ("withdrawal_daily_limit", S, "5000.00", CURRENCY, _("Daily withdrawal limit"),
     _("The most withdrawn per day. Channels of one currency share the wallet: the lowest applies.")),
    ("withdrawal_auto_approve_below", S, "0", CURRENCY, _("Approve withdrawals below"),
     _("Paid out without staff approval below this amount (0: none). One currency: the lowest applies.")),
    ("payout_method", S, PayoutMethod.V3.value, PAYOUT_METHODS, _("Payout API"),
     _("v3: WeChat Pay 商家转账 (the distributor confirms in WeChat); v2: the legacy 企业付款到零钱.")),
    # --- the brand's Official Account ------------------------------------------------------------------
    ("oa_app_id", S, "", None, _("Official Account AppID"),
     _("The brand's Official Account app id (wx followed by 16 hexadecimal characters).")),
    ("oa_app_secret", SE, "", None, _("Official Account AppSecret"), _("From the WeChat admin.")),
    ("oa_token", SE, "", None, _("Official Account callback token"),
     _("The token entered in the Official Account's server settings (message callbacks).")),
    ("oa_encoding_aes_key", SE, "", None, _("Official Account EncodingAESKey"),
     _("43 characters; needed for the encrypted (safe) message mode.")),
    # --- Open Platform component (distributors' own Official Accounts) ----------------------------------
    ("component_app_id", S, "", None, _("Open Platform component AppID"),
     _("The third-party platform app id through which distributors authorize their own Official Accounts; "
       "leave empty if distributors use the brand's account only.")),
    ("component_app_secret", SE, "", None, _("Open Platform component AppSecret"),
     _("From the Open Platform's third-party platform page.")),
    ("component_token", SE, "", None, _("Open Platform component token"),
     _("The message verification token of the third-party platform.")),
    ("component_encoding_aes_key", SE, "", None, _("Open Platform component EncodingAESKey"),
     _("The message encryption key of the third-party platform (43 characters).")),
    # --- WeChat Pay merchant (payouts, coupons) --------------------------------------------------------
    ("wechatpay_mch_id", S, "", None, _("WeChat Pay merchant id"),
     _("The merchant number (商户号) that pays commissions out and issues coupons.")),
    ("wechatpay_app_id", S, "", None, _("WeChat Pay AppID"),
     _("The app id (Official Account or mini program) whose openids receive payouts; the Official "
       "Account's when empty.")),
    ("wechatpay_cert_serial_no", S, "", None, _("Merchant certificate serial number"),
     _("Serial number of the merchant API certificate (apiclient_cert.pem).")),
    ("wechatpay_private_key", SM, "", None, _("Merchant API private key"),
     _("The contents of apiclient_key.pem.")),
    ("wechatpay_apiv3_key", SE, "", None, _("APIv3 key"), _("32 characters.")),
    ("wechatpay_public_key_id", S, "", None, _("WeChat Pay public key id"),
     _("PUB_KEY_ID_…; give it with the public key, or give the platform certificates instead.")),
    ("wechatpay_public_key", ML, "", None, _("WeChat Pay public key"), _("PEM.")),
    ("wechatpay_platform_certificates", ML, "", None, _("Platform certificates"),
     _("PEM certificates, for merchants without a WeChat Pay public key.")),
    ("coupon_sync", B, False, None, _("Sync vouchers to WeChat Pay coupons"),
     _("Turn this channel's vouchers into WeChat Pay merchant coupons (商家券) of this merchant, with the "
       "voucher codes as coupon codes; needs the APIv3 settings.")),
    ("wechatpay_v2_api_key", SE, "", None, _("APIv2 key"),
     _("32 characters; only for the legacy v2 payout API.")),
    ("wechatpay_v2_cert_path", S, "", None, _("APIv2 client certificate path"),
     _("Path on the server to apiclient_cert.pem (v2 payouts).")),
    ("wechatpay_v2_key_path", S, "", None, _("APIv2 client key path"),
     _("Path on the server to apiclient_key.pem (v2 payouts).")),
)  # fmt: skip

SETTINGS: tuple[SettingSpec, ...] = tuple(
    SettingSpec(name, type_, default, label, help_text, unit=None, choices=unit)
    if isinstance(unit, tuple)
    else SettingSpec(name, type_, default, label, help_text, unit=unit)
    for name, type_, default, unit, label, help_text in _FORM
)
SETTINGS_WITH_CHOICES = tuple(s.name for s in SETTINGS if s.choices)
SPECS = {spec.name: spec for spec in SETTINGS}
CONFIG_STRUCTURE: dict[str, dict[str, Any]] = {
    s.name: {"type": s.type, "label": s.label_for(), "help_text": s.help} for s in SETTINGS
}
DEFAULT_CONFIGURATION: list[dict[str, Any]] = [{"name": s.name, "value": s.default} for s in SETTINGS]
#: the fields sealed at rest (``sealed_config``): every Saleor secret field of the form
SECRET_NAMES: frozenset[str] = frozenset(s.name for s in SETTINGS if s.type in (SECRET, SECRET_MULTILINE))


class ConfigurationError(Exception):
    """Every refused field with its message (``{field: message}``)."""

    def __init__(self, errors: Mapping[str, Any]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class AdapterSettings:
    #: what ``services.programs.channel_program_update`` receives (the DB copy the core reads)
    program: dict[str, Any]
    #: level -> percent (level-default rules; scoped rules are the API's)
    rates: dict[int, Decimal]
    auto_approve: bool = False
    official_account: OfficialAccount | None = None
    component: OfficialAccount | None = None
    #: ``{"v3": WeChatPayV3Settings kwargs, "v2": WeChatPayV2Settings kwargs}`` (only those configured)
    payouts: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    #: the merchant's 商家券 settings (``v3`` kwargs and the APIv2 key) when ``coupon_sync`` is on
    coupons: dict[str, Any] | None = field(default=None, repr=False)
    import_creates_customers: bool = False


def as_mapping(items: Iterable[Mapping[str, Any]] | None) -> dict[str, Any]:
    """Saleor's ``[{"name": …, "value": …}, …]`` (unknown names dropped) over the defaults."""
    values = {s.name: s.default for s in SETTINGS}
    for item in items or ():
        name = item.get("name") if isinstance(item, Mapping) else None
        if name in SPECS:
            values[name] = unseal_value(item.get("value"))
    return values


def dashboard_items(
    shown: Iterable[Mapping[str, Any]],
    stored: Iterable[Mapping[str, Any]] | None,
    currency: str | None,
    current: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """What the dashboard shows of a channel's configuration (Saleor's items, already obfuscated by
    Saleor): each secret as Saleor shows a secret, but of the secret itself rather than of its sealed
    text (read from the ``stored`` items, opened in memory only), and money labels in ``currency``;
    ``current``: the program's values now (``program_form.program_form_values``), shown instead of the
    stored ones, which the API may have changed since."""
    stored_values = {i.get("name"): i.get("value") for i in stored or () if isinstance(i, Mapping)}
    items = []
    for item in shown:
        item, spec = dict(item), SPECS.get(item.get("name"))
        if spec is not None and current and spec.name in current:
            item["value"] = current[spec.name]
        if spec is not None and spec.name in SECRET_NAMES:
            item["value"] = shown_secret(stored_values.get(spec.name))
        if spec is not None and spec.unit == CURRENCY:
            item["label"] = spec.label_for(currency)
        items.append(item)
    return items


def parse_configuration(
    items: Iterable[Mapping[str, Any]] | None, currency: str | None = None
) -> AdapterSettings:
    """Parse Saleor's configuration items; raise :class:`ConfigurationError` naming every bad field.
    ``currency``: the channel's, for the precision of money settings."""
    p = Parser(as_mapping(items), currency)
    depth = p.integer("commission_depth", 1, MAX_PAID_LEVELS)
    if depth is None:
        p.errors["commission_depth"] = _(
            "Commissions are paid on 1 or 2 levels only: paying three or more levels is pyramid selling."
        )
    rates: dict[int, Decimal] = {}
    level_1 = p.rate("commission_rate_level_1", blank_ok=False)
    level_2 = p.rate("commission_rate_level_2", blank_ok=True)
    if level_1 is not None:
        rates[1] = level_1
    if level_2 is not None and level_2 > 0:
        if depth == 1:
            p.fail("commission_rate_level_2", _("A level 2 rate needs two commission levels."))
        else:
            rates[2] = level_2
    choice = {name: p.choice(name, SPECS[name].choices) for name in SETTINGS_WITH_CHOICES}
    program: dict[str, Any] = {
        "commission_depth": depth,
        "freeze_days": p.integer("freeze_days", 0, MAX_DAYS, days=True),
        "binding_trigger": choice["binding_trigger"],
        "binding_validity_days": p.integer("binding_validity_days", 1, MAX_DAYS, days=True, blank_ok=True),
        "binding_protection_days": p.integer("binding_protection_days", 0, MAX_DAYS, days=True),
        "binding_override": choice["binding_override"],
        "code_priority": choice["code_priority"],
        "self_purchase_earns": p.flag("self_purchase_earns"),
        "base_includes_shipping": p.flag("base_includes_shipping"),
        "withdrawal_minimum": p.money("withdrawal_minimum"),
        "withdrawal_daily_limit": p.money("withdrawal_daily_limit"),
        "withdrawal_auto_approve_below": p.money("withdrawal_auto_approve_below"),
        "payout_method": choice["payout_method"],
        "storefront_base_url": p.text("storefront_base_url"),
    }
    if program["storefront_base_url"]:
        try:
            URLValidator(schemes=["https", "http"])(program["storefront_base_url"])
        except ValidationError:
            p.fail("storefront_base_url", _("Enter a web address (https://…)."))

    oa = official_account(p, "oa")
    component = official_account(p, "component")
    payout_app_id = p.app_id("wechatpay_app_id") or (oa.app_id if oa else "")
    program["payout_app_id"] = payout_app_id
    merchant = payouts(p, payout_app_id)
    if merchant and program["payout_method"] and program["payout_method"] not in merchant:
        p.fail("payout_method", _("The chosen payout API has no merchant settings."))
    coupons = None
    if p.flag("coupon_sync"):
        if WeChatPayApi.V3 not in merchant:
            p.fail("coupon_sync", _("Coupons need the merchant's APIv3 settings."))
        else:
            coupons = {
                WeChatPayApi.V3: merchant[WeChatPayApi.V3],
                "api_key_v2": p.text("wechatpay_v2_api_key"),
            }
    if p.errors:
        raise ConfigurationError(p.errors)
    return AdapterSettings(
        program=program,
        rates=rates,
        auto_approve=p.flag("auto_approve"),
        official_account=oa,
        component=component,
        payouts=merchant,
        coupons=coupons,
        import_creates_customers=p.flag("import_creates_customers"),
    )
