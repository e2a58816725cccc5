"""The plugin's settings form and its validation (Saleor-free: runs in the core suite)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from saleor_wechat_distribution.domain.referrals import BindingOverride, BindingTrigger, CodePriority
from saleor_wechat_distribution.saleor_adapter.config import (
    CONFIG_STRUCTURE,
    DEFAULT_CONFIGURATION,
    SETTINGS,
    ConfigurationError,
    parse_configuration,
)

APP_ID = "wx0123456789abcdef"
PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"
PUB = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"


def items(**values):
    return [{"name": k, "value": v} for k, v in values.items()]


def errors_of(**values) -> dict:
    with pytest.raises(ConfigurationError) as raised:
        parse_configuration(items(**values))
    return raised.value.errors


def test_every_setting_has_a_label_help_text_and_default():
    assert set(CONFIG_STRUCTURE) == {s.name for s in SETTINGS} == {d["name"] for d in DEFAULT_CONFIGURATION}
    for name, field in CONFIG_STRUCTURE.items():
        assert str(field["label"]) and str(field["help_text"]), name
        assert field["type"] in {"String", "Multiline", "Boolean", "Secret", "SecretMultiline"}
    secrets = {n for n, f in CONFIG_STRUCTURE.items() if f["type"].startswith("Secret")}
    assert {
        "oa_app_secret",
        "component_app_secret",
        "wechatpay_apiv3_key",
        "wechatpay_private_key",
    } <= secrets


@pytest.mark.parametrize(
    ("name", "enum"),
    [
        ("binding_trigger", BindingTrigger),
        ("binding_override", BindingOverride),
        ("code_priority", CodePriority),
    ],
)
def test_help_texts_list_every_choice(name, enum):
    help_text = str(CONFIG_STRUCTURE[name]["help_text"])
    assert all(m.value in help_text for m in enum)


def test_defaults_parse():
    parsed = parse_configuration(DEFAULT_CONFIGURATION)
    assert parsed.program["commission_depth"] == 2
    assert parsed.rates == {1: Decimal("10"), 2: Decimal("5")}
    assert parsed.official_account is None and parsed.payouts == {}
    assert parsed.auto_approve is False


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"commission_rate_level_1": "100.5"}, "commission_rate_level_1"),
        ({"commission_rate_level_1": "-1"}, "commission_rate_level_1"),
        ({"commission_rate_level_1": "NaN"}, "commission_rate_level_1"),
        ({"commission_rate_level_1": "1e400"}, "commission_rate_level_1"),
        ({"commission_rate_level_1": "１０"}, "commission_rate_level_1"),  # full-width digits
        ({"commission_rate_level_1": "10.12345"}, "commission_rate_level_1"),
        ({"commission_rate_level_2": "101"}, "commission_rate_level_2"),
        ({"commission_depth": "3"}, "commission_depth"),
        ({"commission_depth": "0"}, "commission_depth"),
        ({"commission_depth": "two"}, "commission_depth"),
        ({"commission_depth": "1", "commission_rate_level_2": "5"}, "commission_rate_level_2"),
        ({"freeze_days": "-1"}, "freeze_days"),
        ({"freeze_days": "99999"}, "freeze_days"),
        ({"binding_trigger": "whenever"}, "binding_trigger"),
        ({"withdrawal_minimum": "0.001"}, "withdrawal_minimum"),
        ({"payout_method": "v4"}, "payout_method"),
        ({"storefront_base_url": "javascript:alert(1)"}, "storefront_base_url"),
        ({"oa_app_id": "wx123", "oa_app_secret": "s"}, "oa_app_id"),
        ({"oa_app_id": "WX0123456789ABCDEF", "oa_app_secret": "s"}, "oa_app_id"),
        ({"oa_app_id": APP_ID}, "oa_app_secret"),
        ({"oa_app_secret": "s"}, "oa_app_id"),
        ({"oa_app_id": APP_ID, "oa_app_secret": "s", "oa_encoding_aes_key": "short"}, "oa_encoding_aes_key"),
        ({"component_app_id": "gh_123", "component_app_secret": "s"}, "component_app_id"),
        ({"wechatpay_apiv3_key": "k" * 32}, "wechatpay_mch_id"),
        ({"wechatpay_mch_id": "12ab", "wechatpay_app_id": APP_ID, "wechatpay_v2_api_key": "k" * 32},
         "wechatpay_mch_id"),
        ({"wechatpay_mch_id": "1900000109", "wechatpay_v2_api_key": "k" * 32}, "wechatpay_app_id"),
        ({"wechatpay_mch_id": "1900000109", "wechatpay_app_id": APP_ID, "wechatpay_apiv3_key": "short"},
         "wechatpay_apiv3_key"),
        ({"wechatpay_mch_id": "1900000109", "wechatpay_app_id": APP_ID, "wechatpay_apiv3_key": "k" * 32},
         "wechatpay_private_key"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_with_the_field(values, field):
    errors = errors_of(**values)
    assert field in errors
    assert str(errors[field])


def test_every_bad_field_is_reported_at_once():
    errors = errors_of(commission_depth="3", commission_rate_level_1="200", oa_app_id="nope")
    assert {"commission_depth", "commission_rate_level_1", "oa_app_id"} <= set(errors)
    with translation.override("en"):
        assert "pyramid" in str(errors["commission_depth"])
    with translation.override("zh-hans"):
        assert "传销" in str(errors["commission_depth"])


def test_full_merchant_settings_parse_into_gateway_kwargs():
    parsed = parse_configuration(
        items(
            commission_depth="1", commission_rate_level_1="12.5", commission_rate_level_2="",
            oa_app_id=APP_ID, oa_app_secret="secret", oa_token="tok", oa_encoding_aes_key="a" * 43,
            wechatpay_mch_id="1900000109", wechatpay_cert_serial_no="5157F09EFDC096DE15EBE81A47057A72",
            wechatpay_private_key=PEM_KEY, wechatpay_apiv3_key="k" * 32,
            wechatpay_public_key_id="PUB_KEY_ID_1", wechatpay_public_key=PUB,
            binding_validity_days="", auto_approve="true",
        )
    )  # fmt: skip
    assert parsed.rates == {1: Decimal("12.5")}
    assert parsed.program["binding_validity_days"] is None  # permanent
    assert parsed.program["payout_app_id"] == APP_ID  # the Official Account's by default
    assert parsed.auto_approve is True
    assert parsed.payouts["v3"]["mchid"] == "1900000109" and parsed.payouts["v3"]["appid"] == APP_ID
    assert "v2" not in parsed.payouts
    assert "secret" not in repr(parsed) and "k" * 32 not in repr(parsed)


def test_the_chosen_payout_api_must_be_configured():
    errors = errors_of(
        wechatpay_mch_id="1900000109",
        wechatpay_app_id=APP_ID,
        wechatpay_v2_api_key="k" * 32,
        payout_method="v3",
    )
    assert set(errors) == {"payout_method"}


UNITS = {
    "commission_rate_level_1": ("(%)", "（%）"), "commission_rate_level_2": ("(%)", "（%）"),
    "freeze_days": ("(days)", "（天）"), "binding_validity_days": ("(days)", "（天）"),
    "binding_protection_days": ("(days)", "（天）"),
    "withdrawal_minimum": ("(channel currency)", "（渠道币种）"),
    "withdrawal_daily_limit": ("(channel currency)", "（渠道币种）"),
    "withdrawal_auto_approve_below": ("(channel currency)", "（渠道币种）"),
}  # fmt: skip


def test_every_number_says_its_unit_in_its_label():
    for name, (english, chinese) in UNITS.items():
        label = CONFIG_STRUCTURE[name]["label"]
        with translation.override("en"):
            assert str(label).endswith(english), (name, str(label))
        with translation.override("zh-hans"):
            assert str(label).endswith(chinese), (name, str(label))


@pytest.mark.parametrize(
    ("typed", "read"),
    [("first_order", "first_order"), ("First order", "first_order"), ("FIRST_ORDER", "first_order"),
     (" first-payment ", "first_payment")],
)  # fmt: skip
def test_choices_are_read_as_typed_in_any_case(typed, read):
    assert parse_configuration(items(binding_trigger=typed)).program["binding_trigger"] == read
    assert parse_configuration(items(payout_method="V2")).program["payout_method"] == "v2"


@pytest.mark.parametrize(
    ("name", "enum"),
    [
        ("binding_trigger", BindingTrigger),
        ("binding_override", BindingOverride),
        ("code_priority", CodePriority),
    ],
)
def test_a_refused_choice_names_the_allowed_values(name, enum):
    for language in ("en", "zh-hans"):
        with translation.override(language):
            message = str(errors_of(**{name: "whenever"})[name])
        assert all(m.value in message for m in enum), message
    with translation.override("en"):
        assert str(errors_of(payout_method="v4")["payout_method"]) == "Choose one of: v3, v2."


def test_a_refused_number_names_its_range_and_unit():
    with translation.override("en"):
        assert (
            str(errors_of(freeze_days="two weeks")["freeze_days"]) == "Enter a number of days from 0 to 3650."
        )
        assert str(errors_of(commission_rate_level_1="10 %")["commission_rate_level_1"]) == (
            "Enter a percentage from 0 to 100 (at most 4 decimals)."
        )
    with translation.override("zh-hans"):
        assert "天" in str(errors_of(binding_protection_days="-1")["binding_protection_days"])


def test_money_settings_take_the_channels_currency_precision():
    def money_error(value, currency):
        with pytest.raises(ConfigurationError) as raised:
            parse_configuration(items(withdrawal_minimum=value), currency)
        return str(raised.value.errors["withdrawal_minimum"])

    with translation.override("en"):
        assert (
            money_error("1.005", "CNY") == "Enter an amount in CNY of zero or more, with at most 2 decimals."
        )
        assert money_error("1.5", "JPY") == "Enter a whole amount in JPY, zero or more."
    assert parse_configuration(items(withdrawal_minimum="100"), "JPY").program["withdrawal_minimum"] == 100
    assert parse_configuration(items(withdrawal_minimum="1.25"), "CNY").program[
        "withdrawal_minimum"
    ] == Decimal("1.25")
