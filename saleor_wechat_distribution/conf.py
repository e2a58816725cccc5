"""Program settings the core reads, from a provider the host registers.

Saleor's adapter registers one that reads the plugin configuration (per channel); the sandbox and the
tests use Django settings (``WECHAT_DISTRIBUTION``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from django.conf import settings

from .ports import OfficialAccountGateway, PayoutGateway, ProductSnapshot


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


# --- Official Account gateway ----------------------------------------------------------------------

_official_account_gateway: OfficialAccountGateway | None = None


def set_official_account_gateway(gateway: OfficialAccountGateway | None) -> None:
    """The host (or apps.ready with wechat/mp.py's default) registers how WeChat is called."""
    global _official_account_gateway
    _official_account_gateway = gateway


def has_official_account_gateway() -> bool:
    return _official_account_gateway is not None


def get_official_account_gateway() -> OfficialAccountGateway:
    if _official_account_gateway is None:
        raise RuntimeError("no Official Account gateway is registered")
    return _official_account_gateway


# --- products (share posters) ------------------------------------------------------------------------

ProductLookup = Callable[[str, str], ProductSnapshot | None]
_product_lookup: ProductLookup | None = None


def set_product_lookup(lookup: ProductLookup | None) -> None:
    """The host registers how to describe a product: (channel, product id) -> ProductSnapshot or None."""
    global _product_lookup
    _product_lookup = lookup


def product_lookup(channel: str, product_id: str) -> ProductSnapshot | None:
    return _product_lookup(channel, product_id) if _product_lookup is not None else None
