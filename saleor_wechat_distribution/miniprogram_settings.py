"""A channel's Mini Program from plain values (Saleor-free): Django's ``WECHAT_DISTRIBUTION_MINI_PROGRAMS``
setting, and the plugin configuration's fields once ``saleor_adapter`` has read them.

``WECHAT_DISTRIBUTION_MINI_PROGRAMS = {"<channel or *>": {"app_id": "wx…", "app_secret_sealed": "…",
"page": "pages/index/index", "check_path": true, "env_version": "release", "subscribe_templates":
{"commission_new": {"template_id": "…", "fields": {"amount": "amount1", "order": "character_string2"},
"page": "pages/wallet/index"}}}}``. The secret is given sealed (``sealing.seal``, like every secret we
keep) as ``app_secret_sealed``; a plaintext ``app_secret`` is accepted for development only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from .domain.miniprogram import ENV_VERSIONS, SUBSCRIBE_KINDS, clean_page
from .ports_miniprogram import MiniProgramSettings, SubscribeTemplate
from .sealing import unseal

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
        secret = unseal(str(values["app_secret_sealed"]))
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
    configured = getattr(settings, "WECHAT_DISTRIBUTION_MINI_PROGRAMS", None) or {}
    values = configured.get(channel) or configured.get("*")
    return settings_from_mapping(values) if values else None
