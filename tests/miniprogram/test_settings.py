"""Mini Program settings: the plugin configuration's mp_* fields (secret sealed at rest like the other
secrets, per channel because Saleor keeps one configuration per channel) and the Saleor-free setting."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution import host
from saleor_wechat_distribution.conf import mini_program_settings
from saleor_wechat_distribution.miniprogram_settings import MiniProgramSettingsError, settings_from_mapping
from saleor_wechat_distribution.saleor_adapter.config import SECRET_NAMES, parse_configuration
from saleor_wechat_distribution.saleor_adapter.sealed_config import is_sealed, seal_items
from saleor_wechat_distribution.sealing import seal
from tests.adapter.test_config import errors_of, items

MINI = "wx00112233445566aa"
TEMPLATES = '{"withdrawal_paid": {"template_id": "TPL", "fields": {"amount": "amount1"}}}'


def test_the_form_has_the_mini_program_fields_with_the_secret_sealed(settings):
    settings.WECHAT_DISTRIBUTION_SECRET_KEY = "a passphrase"
    assert "mp_app_secret" in SECRET_NAMES and "mp_app_id" not in SECRET_NAMES
    configuration = items(mp_app_id=MINI, mp_app_secret="mini-secret", mp_subscribe_templates=TEMPLATES)
    seal_items(configuration, SECRET_NAMES)
    stored = {i["name"]: i["value"] for i in configuration}
    assert is_sealed(stored["mp_app_secret"]) and "mini-secret" not in str(configuration)
    parsed = parse_configuration(configuration).mini_program
    assert parsed is not None and (parsed.app_id, parsed.app_secret) == (MINI, "mini-secret")
    assert (parsed.page, parsed.check_path, parsed.env_version) == ("pages/index/index", True, "release")
    assert parsed.subscribe_templates["withdrawal_paid"].fields == {"amount": "amount1"}
    assert "mini-secret" not in repr(parsed)


def test_no_app_id_no_mini_program():
    assert parse_configuration(items()).mini_program is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"mp_app_id": "wxNOTVALID"}, "mp_app_id"),
        ({"mp_app_id": MINI}, "mp_app_secret"),
        ({"mp_app_secret": "s"}, "mp_app_id"),
        ({"mp_app_id": MINI, "mp_app_secret": "s", "mp_code_page": "/pages/a?b=1"}, "mp_code_page"),
        ({"mp_app_id": MINI, "mp_app_secret": "s", "mp_code_env_version": "beta"}, "mp_code_env_version"),
        (
            {"mp_app_id": MINI, "mp_app_secret": "s", "mp_subscribe_templates": "{not json"},
            "mp_subscribe_templates",
        ),
        (
            {"mp_app_id": MINI, "mp_app_secret": "s", "mp_subscribe_templates": '{"refund": "TPL"}'},
            "mp_subscribe_templates",
        ),
    ],
)
def test_bad_mini_program_settings_name_their_field(values, field):
    assert field in errors_of(**values)


def test_the_saleor_free_setting_takes_a_sealed_secret_per_channel(settings):
    settings.WECHAT_DISTRIBUTION_MINI_PROGRAMS = {
        "cn": {"app_id": MINI, "app_secret_sealed": seal("s3cret"), "check_path": False},
        "*": {"app_id": "wxffffffffffffffff", "app_secret": "dev"},
    }
    cn = mini_program_settings("cn")
    assert (cn.app_id, cn.app_secret, cn.check_path) == (MINI, "s3cret", False)
    assert mini_program_settings("other").app_id == "wxffffffffffffffff"
    settings.WECHAT_DISTRIBUTION_MINI_PROGRAMS = {}
    assert mini_program_settings("cn") is None


def test_a_registered_provider_wins(settings):
    settings.WECHAT_DISTRIBUTION_MINI_PROGRAMS = {"*": {"app_id": MINI, "app_secret": "x"}}
    with host.overridden(mini_program_settings=lambda channel: None):
        assert mini_program_settings("cn") is None
    assert mini_program_settings("cn").app_id == MINI  # the host's provider is gone: Django settings again


def test_bad_saleor_free_settings_are_refused():
    with pytest.raises(MiniProgramSettingsError):
        settings_from_mapping({"app_id": MINI, "app_secret": "x", "env_version": "beta"})
    with pytest.raises(MiniProgramSettingsError):
        settings_from_mapping({"app_id": MINI, "subscribe_templates": {"withdrawal_paid": {"fields": {}}}})
    with pytest.raises(MiniProgramSettingsError):
        settings_from_mapping(
            {"app_id": MINI, "subscribe_templates": {"withdrawal_paid": {"template_id": "T", "page": "/a?b"}}}
        )
