"""Program settings the core reads, from a provider the host registers.

Saleor's adapter registers one that reads the plugin configuration (per channel); the sandbox and the
tests use Django settings (``WECHAT_DISTRIBUTION``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from django.conf import settings


@dataclass(frozen=True)
class ProgramConfig:
    auto_approve: bool = False


ConfigProvider = Callable[[str | None], ProgramConfig]


def _from_django_settings(channel: str | None) -> ProgramConfig:
    raw = dict(getattr(settings, "WECHAT_DISTRIBUTION", {}) or {})
    known = {f.name for f in fields(ProgramConfig)}
    return replace(ProgramConfig(), **{k: v for k, v in raw.items() if k in known})


_provider: ConfigProvider = _from_django_settings


def set_config_provider(provider: ConfigProvider | None) -> None:
    global _provider
    _provider = provider or _from_django_settings


def get_config(channel: str | None = None) -> ProgramConfig:
    return _provider(channel)
