"""Reading the settings form's values (Saleor-free): one checker per kind of field, each naming what it
accepts when it refuses a value, and the two groups that belong together (an Official Account's
credentials, a WeChat Pay merchant's settings). :mod:`.config` describes the form and assembles the
result."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..domain.commission_policy import PERCENT
from ..domain.money import currency_precision
from ..domain.wechatpay import WeChatPayApi

APP_ID_RE = re.compile(r"^wx[0-9a-f]{16}$")
MCH_ID_RE = re.compile(r"^[0-9]{8,12}$")
SERIAL_RE = re.compile(r"^[0-9A-Fa-f]{8,64}$")
RATE_PLACES = 4


@dataclass(frozen=True)
class OfficialAccount:
    app_id: str
    app_secret: str = field(repr=False)
    token: str = field(repr=False, default="")
    encoding_aes_key: str = field(repr=False, default="")


def text_of(value: Any) -> str:
    return "" if value is None else str(value).strip()


def bool_of(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def choice_key(value: Any) -> str:
    """How a typed choice is compared: any case, spaces or hyphens for underscores ("First click")."""
    return re.sub(r"[\s\-]+", "_", text_of(value)).lower()


class Parser:
    """Collects one message per refused field; ``currency`` (the channel's) sets the money precision."""

    def __init__(self, values: Mapping[str, Any], currency: str | None = None):
        self.values = values
        self.currency = currency
        self.errors: dict[str, Any] = {}

    def fail(self, name: str, message: Any) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str) -> str:
        return text_of(self.values.get(name))

    def flag(self, name: str) -> bool:
        return bool_of(self.values.get(name))

    def integer(
        self, name: str, low: int, high: int, *, days: bool = False, blank_ok: bool = False
    ) -> int | None:
        raw = self.text(name)
        if not raw and blank_ok:
            return None
        if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
            bounds = {"low": low, "high": high}
            if days:
                self.fail(name, _("Enter a number of days from %(low)d to %(high)d.") % bounds)
            else:
                self.fail(name, _("Enter a whole number from %(low)d to %(high)d.") % bounds)
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
        try:
            places = currency_precision(self.currency) if self.currency else 2
        except (TypeError, ValueError):
            places = 2
        value = self.decimal(name)
        if value is None or value != round(value, places):
            if not self.currency:
                message = _("Enter an amount of zero or more, with at most 2 decimals.")
            elif places == 0:
                message = _("Enter a whole amount in %(currency)s, zero or more.")
            else:
                message = _(
                    "Enter an amount in %(currency)s of zero or more, with at most %(places)d decimals."
                )
            self.fail(name, message % {"currency": self.currency, "places": places})
            return None
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        key = choice_key(self.values.get(name))
        if key not in choices:
            self.fail(name, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
            return None
        return key

    def app_id(self, name: str) -> str:
        raw = self.text(name)
        if raw and not APP_ID_RE.match(raw):
            self.fail(name, _("An AppID is wx followed by 16 lowercase hexadecimal characters."))
        return raw

    def require(self, names: Iterable[str], because: Any) -> None:
        for name in names:
            if not self.text(name):
                self.fail(name, because)


def official_account(p: Parser, prefix: str) -> OfficialAccount | None:
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


def payouts(p: Parser, app_id: str) -> dict[str, dict[str, Any]]:
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
        payouts[WeChatPayApi.V3] = {
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
        payouts[WeChatPayApi.V2] = {
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
