"""Program settings the core reads, from a provider the host registers.

Saleor's adapter registers one that reads the plugin configuration (per channel); the sandbox and the
tests use Django settings (``WECHAT_DISTRIBUTION``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from django.conf import settings
from django.utils.module_loading import import_string

from .ports import CustomerDirectory, PayoutGateway


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


# --- payout gateways -------------------------------------------------------------------------------

PayoutGatewayFactory = Callable[[str, str], PayoutGateway]
_payout_factory: PayoutGatewayFactory | None = None


def set_payout_gateway_factory(factory: PayoutGatewayFactory | None) -> None:
    """The host registers how to build a payout gateway for (channel, method "v3" | "v2")."""
    global _payout_factory
    _payout_factory = factory


def has_payout_gateway_factory() -> bool:
    return _payout_factory is not None


def get_payout_gateway(channel: str, method: str) -> PayoutGateway:
    if _payout_factory is None:
        raise PayoutNotConfigured(f"no WeChat Pay merchant is configured for channel {channel!r}")
    return _payout_factory(channel, method)


class PayoutNotConfigured(RuntimeError):
    pass


# --- customer directory (network imports) --------------------------------------------------------


_customer_directory: CustomerDirectory | None = None


def set_customer_directory(directory: CustomerDirectory | None) -> None:
    """The host registers how imports match people to its customer accounts (Saleor: its User table)."""
    global _customer_directory
    _customer_directory = directory


def get_customer_directory() -> CustomerDirectory:
    """The registered directory, else the class named by ``WECHAT_DISTRIBUTION_CUSTOMER_DIRECTORY``."""
    if _customer_directory is not None:
        return _customer_directory
    dotted = getattr(settings, "WECHAT_DISTRIBUTION_CUSTOMER_DIRECTORY", None)
    if not dotted:
        raise CustomerDirectoryNotConfigured("no customer directory is registered for network imports")
    return import_string(dotted)()


class CustomerDirectoryNotConfigured(RuntimeError):
    pass
