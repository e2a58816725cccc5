"""The plugin's settings form (Saleor's ``CONFIG_STRUCTURE``) and its parsing into a dataclass.

Saleor-free on purpose: Saleor stores a plugin's configuration as a list of ``{"name", "value"}`` items
and shows the form described here on the dashboard's plugin page; this module turns those items into
:class:`AdapterSettings` or refuses them with one clear message per field (:class:`ConfigurationError`).
The plugin class (``plugin.py``) only translates that error into Saleor's ``ValidationError``, so the
whole of the validation runs in the core's test suite without Saleor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from ..domain.commission_policy import MAX_PAID_LEVELS, PERCENT
from ..domain.referrals import BindingOverride, BindingTrigger, CodePriority
from .sealed_config import unseal_value

# Saleor's ``ConfigurationTypeField`` values (plugin.py checks they still match Saleor's).
STRING = "String"
MULTILINE = "Multiline"
BOOLEAN = "Boolean"
SECRET = "Secret"  # noqa: S105 - a field type
SECRET_MULTILINE = "SecretMultiline"  # noqa: S105

APP_ID_RE = re.compile(r"^wx[0-9a-f]{16}$")
MCH_ID_RE = re.compile(r"^[0-9]{8,12}$")
SERIAL_RE = re.compile(r"^[0-9A-Fa-f]{8,64}$")
MAX_DAYS = 3650
RATE_PLACES = 4


@dataclass(frozen=True)
class SettingSpec:
    name: str
    type: str
    default: Any
    label: Any
    help_text: Any


def _choices(enum: type) -> str:
    return ", ".join(m.value for m in enum)


SETTINGS: tuple[SettingSpec, ...] = (
    # --- the program ----------------------------------------------------------------------------------
    SettingSpec(
        "commission_depth", STRING, "2", _("Commission levels"),
        _("How many upline levels earn on a sale: 1 (the seller) or 2 (the seller and the seller's "
          "inviter). Three or more levels is pyramid selling and is refused."),
    ),
    SettingSpec(
        "commission_rate_level_1", STRING, "10", _("Level 1 commission rate (%)"),
        _("Percent of a line's paid amount (after discounts, without shipping) earned by the distributor "
          "the order is attributed to, from 0 to 100. Product and category rates are set through the "
          "distribution API."),
    ),
    SettingSpec(
        "commission_rate_level_2", STRING, "5", _("Level 2 commission rate (%)"),
        _("Percent earned by the seller's inviter, from 0 to 100; leave empty or 0 with one level."),
    ),
    SettingSpec(
        "freeze_days", STRING, "15", _("Freeze days"),
        _("Days after fulfilment before a commission can be withdrawn (the after-sales window)."),
    ),
    SettingSpec(
        "binding_trigger", STRING, BindingTrigger.FIRST_CLICK.value, _("Binding trigger"),
        _("When a customer is bound to the distributor whose link or code brought them. One of: "
          "first_click, first_order, first_payment, registration."),
    ),
    SettingSpec(
        "binding_validity_days", STRING, "365", _("Binding validity (days)"),
        _("How long a customer stays bound to a distributor; leave empty for a permanent binding."),
    ),
    SettingSpec(
        "binding_protection_days", STRING, "30", _("Binding lock (days)"),
        _("During this many days after binding, no other distributor's link can take the customer over."),
    ),
    SettingSpec(
        "binding_override", STRING, BindingOverride.AFTER_EXPIRY.value, _("Binding takeover"),
        _("Whether another distributor may take a bound customer over. One of: never, after_expiry, "
          "last_touch."),
    ),
    SettingSpec(
        "code_priority", STRING, CodePriority.VOUCHER_FIRST.value, _("Voucher code or link first"),
        _("Which wins when an order carries both a distributor's voucher code and a share link. One of: "
          "voucher_first, link_first."),
    ),
    SettingSpec(
        "self_purchase_earns", BOOLEAN, True, _("Commission on own purchases"),
        _("Whether a distributor earns on orders they place themselves through their own code."),
    ),
    SettingSpec(
        "base_includes_shipping", BOOLEAN, False, _("Shipping earns commission"),
        _("Whether the shipping price counts towards the amount commissions are computed on."),
    ),
    SettingSpec(
        "auto_approve", BOOLEAN, False, _("Approve distributors automatically"),
        _("Applications become active at once instead of waiting for staff approval."),
    ),
    SettingSpec(
        "import_creates_customers", BOOLEAN, False, _("Create customer accounts on import"),
        _("When a distributor network is imported, people without a customer account (matched by e-mail "
          "or phone) get one, created from their e-mail address. Off: such rows are refused."),
    ),
    SettingSpec(
        "storefront_base_url", STRING, "", _("Storefront address"),
        _("The storefront's public address (https://…); share links point there."),
    ),
    SettingSpec(
        "withdrawal_minimum", STRING, "1.00", _("Minimum withdrawal"),
        _("The smallest withdrawal. Channels of one currency share the wallet: the highest minimum applies."),
    ),
    SettingSpec(
        "withdrawal_daily_limit", STRING, "5000.00", _("Daily withdrawal limit"),
        _("The most withdrawn per day. Channels of one currency share the wallet: the lowest applies."),
    ),
    SettingSpec(
        "withdrawal_auto_approve_below", STRING, "0", _("Approve withdrawals below"),
        _("Paid out without staff approval below this amount (0: none). One currency: the lowest applies."),
    ),
    SettingSpec(
        "payout_method", STRING, "v3", _("Payout API"),
        _("v3: WeChat Pay 商家转账 (the distributor confirms in WeChat); v2: the legacy 企业付款到零钱."),
    ),
    # --- the brand's Official Account ------------------------------------------------------------------
    SettingSpec(
        "oa_app_id", STRING, "", _("Official Account AppID"),
        _("The brand's Official Account app id (wx followed by 16 hexadecimal characters)."),
    ),
    SettingSpec("oa_app_secret", SECRET, "", _("Official Account AppSecret"), _("From the WeChat admin.")),
    SettingSpec(
        "oa_token", SECRET, "", _("Official Account callback token"),
        _("The token entered in the Official Account's server settings (message callbacks)."),
    ),
    SettingSpec(
        "oa_encoding_aes_key", SECRET, "", _("Official Account EncodingAESKey"),
        _("43 characters; needed for the encrypted (safe) message mode."),
    ),
    # --- Open Platform component (distributors' own Official Accounts) ----------------------------------
    SettingSpec(
        "component_app_id", STRING, "", _("Open Platform component AppID"),
        _("The third-party platform app id through which distributors authorize their own Official "
          "Accounts; leave empty if distributors use the brand's account only."),
    ),
    SettingSpec(
        "component_app_secret", SECRET, "", _("Open Platform component AppSecret"),
        _("From the Open Platform's third-party platform page."),
    ),
    SettingSpec(
        "component_token", SECRET, "", _("Open Platform component token"),
        _("The message verification token of the third-party platform."),
    ),
    SettingSpec(
        "component_encoding_aes_key", SECRET, "", _("Open Platform component EncodingAESKey"),
        _("The message encryption key of the third-party platform (43 characters)."),
    ),
    # --- WeChat Pay merchant (payouts, coupons) --------------------------------------------------------
    SettingSpec(
        "wechatpay_mch_id", STRING, "", _("WeChat Pay merchant id"),
        _("The merchant number (商户号) that pays commissions out and issues coupons."),
    ),
    SettingSpec(
        "wechatpay_app_id", STRING, "", _("WeChat Pay AppID"),
        _("The app id (Official Account or mini program) whose openids receive payouts; the Official "
          "Account's when empty."),
    ),
    SettingSpec(
        "wechatpay_cert_serial_no", STRING, "", _("Merchant certificate serial number"),
        _("Serial number of the merchant API certificate (apiclient_cert.pem)."),
    ),
    SettingSpec(
        "wechatpay_private_key", SECRET_MULTILINE, "", _("Merchant API private key"),
        _("The contents of apiclient_key.pem."),
    ),
    SettingSpec("wechatpay_apiv3_key", SECRET, "", _("APIv3 key"), _("32 characters.")),
    SettingSpec(
        "wechatpay_public_key_id", STRING, "", _("WeChat Pay public key id"),
        _("PUB_KEY_ID_…; give it with the public key, or give the platform certificates instead."),
    ),
    SettingSpec("wechatpay_public_key", MULTILINE, "", _("WeChat Pay public key"), _("PEM.")),
    SettingSpec(
        "wechatpay_platform_certificates", MULTILINE, "", _("Platform certificates"),
        _("PEM certificates, for merchants without a WeChat Pay public key."),
    ),
    SettingSpec(
        "coupon_sync", BOOLEAN, False, _("Sync vouchers to WeChat Pay coupons"),
        _("Turn this channel's vouchers into WeChat Pay merchant coupons (商家券) of this merchant, with "
          "the voucher codes as coupon codes; needs the APIv3 settings."),
    ),
    SettingSpec(
        "wechatpay_v2_api_key", SECRET, "", _("APIv2 key"),
        _("32 characters; only for the legacy v2 payout API."),
    ),
    SettingSpec(
        "wechatpay_v2_cert_path", STRING, "", _("APIv2 client certificate path"),
        _("Path on the server to apiclient_cert.pem (v2 payouts)."),
    ),
    SettingSpec(
        "wechatpay_v2_key_path", STRING, "", _("APIv2 client key path"),
        _("Path on the server to apiclient_key.pem (v2 payouts)."),
    ),
)  # fmt: skip

SPECS = {spec.name: spec for spec in SETTINGS}
CONFIG_STRUCTURE: dict[str, dict[str, Any]] = {
    s.name: {"type": s.type, "label": s.label, "help_text": s.help_text} for s in SETTINGS
}
DEFAULT_CONFIGURATION: list[dict[str, Any]] = [{"name": s.name, "value": s.default} for s in SETTINGS]


class ConfigurationError(Exception):
    """Every refused field with its message (``{field: message}``)."""

    def __init__(self, errors: Mapping[str, Any]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class OfficialAccount:
    app_id: str
    app_secret: str = field(repr=False)
    token: str = field(repr=False, default="")
    encoding_aes_key: str = field(repr=False, default="")


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


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


class _Parser:
    def __init__(self, values: Mapping[str, Any]):
        self.values = values
        self.errors: dict[str, Any] = {}

    def fail(self, name: str, message: Any) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str) -> str:
        return _text(self.values.get(name))

    def integer(self, name: str, low: int, high: int, *, blank_ok: bool = False) -> int | None:
        raw = self.text(name)
        if not raw and blank_ok:
            return None
        if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
            self.fail(name, _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
            return None
        return int(raw)

    def decimal(self, name: str) -> Decimal | None:
        raw = self.text(name)
        try:
            value = Decimal(raw) if raw.isascii() else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0:
            return None
        return value

    def rate(self, name: str, *, blank_ok: bool) -> Decimal | None:
        if not self.text(name) and blank_ok:
            return None
        value = self.decimal(name)
        if value is None or value > PERCENT or value != round(value, RATE_PLACES):
            self.fail(name, _("Enter a percentage from 0 to 100 (at most 4 decimals)."))
            return None
        return value

    def money(self, name: str) -> Decimal | None:
        value = self.decimal(name)
        if value is None or value != round(value, 2):
            self.fail(name, _("Enter an amount of zero or more, with at most 2 decimals."))
            return None
        return value

    def choice(self, name: str, enum: type) -> str | None:
        raw = self.text(name)
        if raw not in {m.value for m in enum}:
            self.fail(name, _("Choose one of: %(choices)s.") % {"choices": _choices(enum)})
            return None
        return raw

    def app_id(self, name: str) -> str:
        raw = self.text(name)
        if raw and not APP_ID_RE.match(raw):
            self.fail(name, _("An AppID is wx followed by 16 lowercase hexadecimal characters."))
        return raw

    def require(self, names: Iterable[str], because: Any) -> None:
        for name in names:
            if not self.text(name):
                self.fail(name, because)


def parse_configuration(items: Iterable[Mapping[str, Any]] | None) -> AdapterSettings:
    """Parse Saleor's configuration items; raise :class:`ConfigurationError` naming every bad field."""
    p = _Parser(as_mapping(items))
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
    program: dict[str, Any] = {
        "commission_depth": depth,
        "freeze_days": p.integer("freeze_days", 0, MAX_DAYS),
        "binding_trigger": p.choice("binding_trigger", BindingTrigger),
        "binding_validity_days": p.integer("binding_validity_days", 1, MAX_DAYS, blank_ok=True),
        "binding_protection_days": p.integer("binding_protection_days", 0, MAX_DAYS),
        "binding_override": p.choice("binding_override", BindingOverride),
        "code_priority": p.choice("code_priority", CodePriority),
        "self_purchase_earns": _bool(p.values.get("self_purchase_earns")),
        "base_includes_shipping": _bool(p.values.get("base_includes_shipping")),
        "withdrawal_minimum": p.money("withdrawal_minimum"),
        "withdrawal_daily_limit": p.money("withdrawal_daily_limit"),
        "withdrawal_auto_approve_below": p.money("withdrawal_auto_approve_below"),
        "payout_method": p.text("payout_method"),
        "storefront_base_url": p.text("storefront_base_url"),
    }
    if program["payout_method"] not in ("v3", "v2"):
        p.fail("payout_method", _("Choose one of: %(choices)s.") % {"choices": "v3, v2"})
    if program["storefront_base_url"]:
        try:
            URLValidator(schemes=["https", "http"])(program["storefront_base_url"])
        except ValidationError:
            p.fail("storefront_base_url", _("Enter a web address (https://…)."))

    official_account = _official_account(p, "oa")
    component = _official_account(p, "component")
    payout_app_id = p.app_id("wechatpay_app_id") or (official_account.app_id if official_account else "")
    program["payout_app_id"] = payout_app_id
    payouts = _payouts(p, payout_app_id)
    if payouts and program["payout_method"] not in payouts:
        p.fail("payout_method", _("The chosen payout API has no merchant settings."))
    coupons = None
    if _bool(p.values.get("coupon_sync")):
        if "v3" not in payouts:
            p.fail("coupon_sync", _("Coupons need the merchant's APIv3 settings."))
        else:
            coupons = {"v3": payouts["v3"], "api_key_v2": p.text("wechatpay_v2_api_key")}
    if p.errors:
        raise ConfigurationError(p.errors)
    return AdapterSettings(
        program=program,
        rates=rates,
        auto_approve=_bool(p.values.get("auto_approve")),
        official_account=official_account,
        component=component,
        payouts=payouts,
        coupons=coupons,
        import_creates_customers=_bool(p.values.get("import_creates_customers")),
    )


def _official_account(p: _Parser, prefix: str) -> OfficialAccount | None:
    app_id = p.app_id(f"{prefix}_app_id")
    secrets = [f"{prefix}_app_secret", f"{prefix}_token", f"{prefix}_encoding_aes_key"]
    if not app_id:
        if any(p.text(name) for name in secrets):
            p.fail(f"{prefix}_app_id", _("Enter the AppID these credentials belong to."))
        return None
    p.require([f"{prefix}_app_secret"], _("Required with an AppID."))
    aes_key = p.text(f"{prefix}_encoding_aes_key")
    if aes_key and (len(aes_key) != 43 or not aes_key.isascii() or not aes_key.isalnum()):
        p.fail(f"{prefix}_encoding_aes_key", _("An EncodingAESKey is 43 letters and digits."))
    return OfficialAccount(
        app_id=app_id,
        app_secret=p.text(f"{prefix}_app_secret"),
        token=p.text(f"{prefix}_token"),
        encoding_aes_key=aes_key,
    )


def _payouts(p: _Parser, app_id: str) -> dict[str, dict[str, Any]]:
    mch_id = p.text("wechatpay_mch_id")
    v3_fields = [
        "wechatpay_cert_serial_no", "wechatpay_private_key", "wechatpay_apiv3_key", "wechatpay_public_key_id",
        "wechatpay_public_key", "wechatpay_platform_certificates",
    ]  # fmt: skip
    v2_fields = ["wechatpay_v2_api_key", "wechatpay_v2_cert_path", "wechatpay_v2_key_path"]
    if not mch_id:
        if any(p.text(name) for name in v3_fields + v2_fields):
            p.fail("wechatpay_mch_id", _("Enter the merchant id these settings belong to."))
        return {}
    if not MCH_ID_RE.match(mch_id):
        p.fail("wechatpay_mch_id", _("A merchant id is 8 to 12 digits."))
    if not app_id:
        p.fail("wechatpay_app_id", _("Payouts need an AppID (this one or the Official Account's)."))
    payouts: dict[str, dict[str, Any]] = {}
    if any(p.text(name) for name in v3_fields):
        p.require(
            ["wechatpay_cert_serial_no", "wechatpay_private_key", "wechatpay_apiv3_key"],
            _("Required for WeChat Pay APIv3."),
        )
        serial = p.text("wechatpay_cert_serial_no")
        if serial and not SERIAL_RE.match(serial):
            p.fail("wechatpay_cert_serial_no", _("A certificate serial number is hexadecimal."))
        if p.text("wechatpay_apiv3_key") and len(p.text("wechatpay_apiv3_key")) != 32:
            p.fail("wechatpay_apiv3_key", _("The key is 32 characters."))
        private_key = p.text("wechatpay_private_key")
        if private_key and "PRIVATE KEY" not in private_key:
            p.fail("wechatpay_private_key", _("Paste the PEM text (-----BEGIN PRIVATE KEY-----…)."))
        has_public_key = bool(p.text("wechatpay_public_key") and p.text("wechatpay_public_key_id"))
        certificates = _pem_blocks(p.text("wechatpay_platform_certificates"))
        if not has_public_key and not certificates:
            p.fail(
                "wechatpay_public_key",
                _("Give the WeChat Pay public key and its id, or the platform certificates."),
            )
        payouts["v3"] = {
            "mchid": mch_id,
            "appid": app_id,
            "private_key": private_key,
            "cert_serial_no": serial,
            "apiv3_key": p.text("wechatpay_apiv3_key"),
            "public_key": p.text("wechatpay_public_key"),
            "public_key_id": p.text("wechatpay_public_key_id"),
            "platform_certificates": certificates,
        }
    if any(p.text(name) for name in v2_fields):
        p.require(["wechatpay_v2_api_key"], _("Required for the v2 payout API."))
        if p.text("wechatpay_v2_api_key") and len(p.text("wechatpay_v2_api_key")) != 32:
            p.fail("wechatpay_v2_api_key", _("The key is 32 characters."))
        if bool(p.text("wechatpay_v2_cert_path")) != bool(p.text("wechatpay_v2_key_path")):
            p.fail("wechatpay_v2_key_path", _("Give both the certificate and the key path, or neither."))
        payouts["v2"] = {
            "mchid": mch_id,
            "appid": app_id,
            "api_key": p.text("wechatpay_v2_api_key"),
            "mch_cert_path": p.text("wechatpay_v2_cert_path"),
            "mch_key_path": p.text("wechatpay_v2_key_path"),
        }
    return payouts


def _pem_blocks(text: str) -> tuple[str, ...]:
    end = "-----END CERTIFICATE-----"
    return tuple(part.strip() + "\n" + end for part in text.split(end) if "BEGIN CERTIFICATE" in part)


#: the fields sealed at rest (``sealed_config``): every Saleor secret field of the form
SECRET_NAMES: frozenset[str] = frozenset(s.name for s in SETTINGS if s.type in (SECRET, SECRET_MULTILINE))
