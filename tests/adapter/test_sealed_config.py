"""Secrets of the plugin configuration sealed at rest (Saleor-free: runs in the core suite)."""

from __future__ import annotations

from django.utils import translation

from saleor_wechat_distribution.saleor_adapter.config import (
    SECRET_NAMES,
    dashboard_items,
    parse_configuration,
)
from saleor_wechat_distribution.saleor_adapter.sealed_config import (
    SEALED_PREFIX,
    is_sealed,
    seal_items,
    unseal_value,
)

from .test_config import APP_ID, PEM_KEY, PUB, errors_of, items


def merchant(**extra):
    return items(
        oa_app_id=APP_ID, oa_app_secret="oa-secret-value", wechatpay_mch_id="1900000109",
        wechatpay_cert_serial_no="5157F09EFDC096DE15EBE81A47057A72", wechatpay_private_key=PEM_KEY,
        wechatpay_apiv3_key="k" * 32, wechatpay_public_key_id="PUB_KEY_ID_1", wechatpay_public_key=PUB,
        **extra,
    )  # fmt: skip


def test_secret_fields_are_the_forms_secret_fields():
    assert {"oa_app_secret", "oa_token", "component_app_secret", "wechatpay_private_key",
            "wechatpay_apiv3_key", "wechatpay_v2_api_key"} <= SECRET_NAMES  # fmt: skip
    assert not {"oa_app_id", "wechatpay_mch_id", "wechatpay_public_key"} & SECRET_NAMES


def test_sealing_in_place_then_parsing_reads_the_plaintext(settings):
    settings.WECHAT_DISTRIBUTION_SECRET_KEY = "a passphrase"
    configuration = merchant()
    assert seal_items(configuration, SECRET_NAMES) == 3
    stored = repr(configuration)
    assert "oa-secret-value" not in stored and "k" * 32 not in stored and "PRIVATE KEY" not in stored
    assert APP_ID in stored  # only secrets are sealed
    assert seal_items(configuration, SECRET_NAMES) == 0  # sealed values are not sealed twice
    parsed = parse_configuration(configuration)
    assert parsed.official_account.app_secret == "oa-secret-value"
    assert parsed.payouts["v3"]["apiv3_key"] == "k" * 32 and parsed.payouts["v3"]["private_key"] == PEM_KEY


def test_plaintext_still_parses_and_a_changed_key_reads_as_empty(settings):
    settings.WECHAT_DISTRIBUTION_SECRET_KEY = "first key"
    assert parse_configuration(merchant()).official_account.app_secret == "oa-secret-value"  # legacy
    configuration = merchant()
    seal_items(configuration, SECRET_NAMES)
    sealed = next(i["value"] for i in configuration if i["name"] == "oa_app_secret")
    assert is_sealed(sealed) and sealed.startswith(SEALED_PREFIX)
    settings.WECHAT_DISTRIBUTION_SECRET_KEY = "another key"
    assert unseal_value(sealed) == ""
    assert unseal_value("plain") == "plain" and unseal_value(None) is None


def test_coupon_sync_needs_the_apiv3_settings():
    assert set(errors_of(oa_app_id=APP_ID, oa_app_secret="s", coupon_sync="true")) == {"coupon_sync"}
    parsed = parse_configuration(merchant(coupon_sync="true", wechatpay_v2_api_key="v" * 32))
    assert parsed.coupons == {"v3": parsed.payouts["v3"], "api_key_v2": "v" * 32}
    assert parse_configuration(merchant()).coupons is None
    assert parse_configuration(merchant(import_creates_customers="true")).import_creates_customers


def _as_saleor_shows(configuration):
    """Saleor's ``hide_private_configuration_fields`` (saleor/graphql/plugins/resolvers.py) on copies of
    the stored items: a secret's last 4 characters (the last one of a value of 4 or fewer)."""
    shown = []
    for item in configuration:
        item = dict(item)
        if item["name"] in SECRET_NAMES and item["value"]:
            value = item["value"]
            item["value"] = value[-4:] if len(value) > 4 else value[-1:]
        shown.append(item)
    return shown


def test_the_dashboard_shows_the_last_characters_of_each_secret_not_of_its_sealed_text(settings, caplog):
    settings.WECHAT_DISTRIBUTION_SECRET_KEY = "a passphrase"
    stored = merchant(oa_token="abc", oa_encoding_aes_key="")
    seal_items(stored, SECRET_NAMES)
    saleor_shows = _as_saleor_shows(stored)
    sealed_tail = next(i["value"] for i in saleor_shows if i["name"] == "oa_app_secret")
    assert sealed_tail != "alue"  # what Saleor alone shows: the sealed text's end
    with caplog.at_level("DEBUG"):
        shown = {i["name"]: i["value"] for i in dashboard_items(saleor_shows, stored, "CNY")}
    assert shown["oa_app_secret"] == "alue"  # oa-secret-value
    assert shown["wechatpay_apiv3_key"] == "kkkk"
    assert shown["wechatpay_private_key"] == "-----END PRIVATE KEY-----"[-4:]
    assert shown["oa_token"] == "c"  # short: the last character, as Saleor shows it
    assert shown["oa_encoding_aes_key"] is None and shown["oa_app_id"] == APP_ID  # empty; not a secret
    assert "oa-secret-value" not in caplog.text and "k" * 32 not in caplog.text
    # the stored items stay sealed; a secret whose key was changed shows as empty (to be entered again)
    assert all(is_sealed(i["value"]) for i in stored if i["name"] in SECRET_NAMES and i["value"])
    settings.WECHAT_DISTRIBUTION_SECRET_KEY = "another key"
    assert {i["name"]: i["value"] for i in dashboard_items(saleor_shows, stored, "CNY")}[
        "oa_app_secret"
    ] is None


def test_money_labels_name_the_channels_currency():
    labels = {i["name"]: i["label"] for i in dashboard_items(
        [{"name": n, "value": "", "label": "x"} for n in ("withdrawal_minimum", "freeze_days")], [], "USD",
    )}  # fmt: skip
    with translation.override("en"):
        assert {name: str(label) for name, label in labels.items()} == {
            "withdrawal_minimum": "Minimum withdrawal (USD)", "freeze_days": "x",
        }  # fmt: skip
    with translation.override("zh-hans"):
        assert str(labels["withdrawal_minimum"]) == "最低提现金额（USD）"
