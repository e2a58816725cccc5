"""A channel's Mini Program from plain values (Saleor-free): Django's ``WECHAT_DISTRIBUTION_MINI_PROGRAMS``
setting, and the plugin configuration's fields once ``saleor_adapter`` has read them.

``WECHAT_DISTRIBUTION_MINI_PROGRAMS = {"<channel or *>": {"app_id": "wx…", "app_secret_sealed": "…",
"page": "pages/index/index", "check_path": true, "env_version": "release", "subscribe_templates":
{"commission_new": {"template_id": "…", "fields": {"amount": "amount1", "order": "character_string2"},
"page": "pages/wallet/index"}}}}``. The secret is given sealed (``sealing.seal``, like every secret we
keep) as ``app_secret_sealed``; a plaintext ``app_secret`` is accepted for development only.

The setting is read through ``conf.setting``: in App mode the instance in scope's own
(``WECHAT_DISTRIBUTION_INSTANCES``' ``mini_programs``), else the server's. App mode checks it at start-up
with :func:`mini_programs_configuration_check`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .domain.miniprogram import ENV_VERSIONS, SUBSCRIBE_KINDS, clean_page
from .ports_miniprogram import MiniProgramSettings, SubscribeTemplate
from .sealing import SealingError, unseal

SETTING = "WECHAT_DISTRIBUTION_MINI_PROGRAMS"
#: the keys of a channel's entry
ENTRY_KEYS = (
    "app_id", "app_secret", "app_secret_sealed", "page", "check_path", "env_version", "subscribe_templates",
)  # fmt: skip
#: a Mini Program's AppID, as WeChat gives it (the plugin configuration checks the same)
APP_ID_RE = re.compile(r"^wx[0-9a-f]{16}$")

#: our values a subscribe message can carry, mapped onto the template's keys
SUBSCRIBE_VALUES = ("order", "amount", "time", "note")


class MiniProgramSettingsError(ValueError):
    """``{field: message}`` of what does not parse."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def subscribe_templates_from(raw: Any) -> dict[str, SubscribeTemplate]:
    """``{kind: {"template_id", "fields", "page"}}`` (or ``{kind: template_id}``); unknown kinds and values
    are refused with :class:`MiniProgramSettingsError`."""
    if not raw:
        return {}
    if not isinstance(raw, Mapping):
        raise MiniProgramSettingsError({"subscribe_templates": "expected an object of kind -> template"})
    templates: dict[str, SubscribeTemplate] = {}
    for kind, value in raw.items():
        if kind not in SUBSCRIBE_KINDS:
            raise MiniProgramSettingsError(
                {"subscribe_templates": f"unknown kind {kind!r} (one of {', '.join(SUBSCRIBE_KINDS)})"}
            )
        value = {"template_id": value} if isinstance(value, str) else dict(value or {})
        template_id = str(value.get("template_id") or "").strip()
        fields = {str(k): str(v) for k, v in dict(value.get("fields") or {}).items()}
        if not template_id or len(template_id) > 64 or any(k not in SUBSCRIBE_VALUES for k in fields):
            raise MiniProgramSettingsError(
                {
                    "subscribe_templates": f"{kind}: template id, fields among {', '.join(SUBSCRIBE_VALUES)}"
                }
            )
        page = clean_page(value.get("page")) if value.get("page") else ""
        if page is None:
            raise MiniProgramSettingsError({"subscribe_templates": f"{kind}: a page like pages/index/index"})
        templates[kind] = SubscribeTemplate(template_id=template_id, fields=fields, page=page)
    return templates


def settings_from_mapping(values: Mapping[str, Any]) -> MiniProgramSettings | None:
    app_id = str(values.get("app_id") or "").strip()
    if not app_id:
        return None
    secret = str(values.get("app_secret") or "")
    if values.get("app_secret_sealed"):
        try:
            secret = unseal(str(values["app_secret_sealed"]))
        except SealingError as error:  # a key changed since: no Mini Program rather than a 500
            raise MiniProgramSettingsError({"app_secret_sealed": str(error)}) from None
    page = clean_page(values.get("page") or "pages/index/index")
    env_version = str(values.get("env_version") or "release")
    if page is None or env_version not in ENV_VERSIONS:
        raise MiniProgramSettingsError(
            {"page": "a page path such as pages/index/index; env release|trial|develop"}
        )
    return MiniProgramSettings(
        app_id=app_id,
        app_secret=secret,
        page=page,
        check_path=bool(values.get("check_path", True)),
        env_version=env_version,
        subscribe_templates=subscribe_templates_from(values.get("subscribe_templates")),
    )


def settings_from_django(channel: str) -> MiniProgramSettings | None:
    """``channel``'s entry (else ``*``'s) of ``WECHAT_DISTRIBUTION_MINI_PROGRAMS`` as the shop in scope
    sees it (``conf.setting``: App mode's instance's own, else the server's)."""
    from .conf import setting

    configured = setting(SETTING) or {}
    values = configured.get(channel) or configured.get("*")
    return settings_from_mapping(values) if values else None


def mini_programs_configuration_check(configuration: object) -> None:
    """Raise ``ValueError`` saying what is wrong with a ``WECHAT_DISTRIBUTION_MINI_PROGRAMS`` mapping (an
    entry that is not an object, an unknown key, an AppID that is not one, no secret, a bad page or
    template): App mode checks its settings at start-up (``app/instance_settings.py``) instead of refusing
    a sign-in later. Sealed secrets are opened there too (``instance_settings.mini_program_secrets_check``),
    with the server's key."""
    if not isinstance(configuration, dict):
        raise ValueError('must be an object: {"<channel or *>": {"app_id": "wx…", "app_secret_sealed": "…"}}')
    for channel, values in configuration.items():
        where = f"[{channel!r}]"
        if not isinstance(values, dict):
            raise ValueError(f'{where} must be an object: {{"app_id": "wx…", "app_secret_sealed": "…"}}')
        unknown = sorted(set(values) - set(ENTRY_KEYS))
        if unknown:
            raise ValueError(
                f"{where}: unknown key(s) {', '.join(map(repr, unknown))} (known: {', '.join(ENTRY_KEYS)})"
            )
        app_id = values.get("app_id")
        if not isinstance(app_id, str) or not APP_ID_RE.match(app_id):
            raise ValueError(f"{where}['app_id']: the Mini Program's AppID, wx and 16 hex digits")
        secrets = [key for key in ("app_secret_sealed", "app_secret") if values.get(key) is not None]
        if len(secrets) != 1 or not isinstance(values[secrets[0]], str) or not values[secrets[0]]:
            raise ValueError(
                f"{where}: give the AppSecret once, as 'app_secret' or as 'app_secret_sealed' (sealed with "
                "the server's key)"
            )
        if "check_path" in values and not isinstance(values["check_path"], bool):
            raise ValueError(f"{where}['check_path'] must be true or false")
        try:
            settings_from_mapping({k: v for k, v in values.items() if k != "app_secret_sealed"})
        except MiniProgramSettingsError as error:
            field, said = next(iter(error.errors.items()))
            raise ValueError(f"{where}[{field!r}]: {said}") from None
        except (TypeError, ValueError, AttributeError) as error:  # e.g. a template given as a list
            raise ValueError(f"{where}: {error}") from None
