"""What the core reads from its host: the accessors over the host registry (``host.py``), with their
defaults where the host installed nothing.

Saleor's adapter installs a host that reads the plugin configuration (per channel); the sandbox and the
tests use Django settings (``WECHAT_DISTRIBUTION``, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from . import host
from .ports import (
    CouponGateway,
    CustomerDirectory,
    OfficialAccountGateway,
    PayoutGateway,
    ProductSnapshot,
    VoucherSource,
)
from .ports_center import CategoryCatalog, CustomerSessions, ProductCatalog
from .ports_miniprogram import MiniProgramGateway, MiniProgramSettings


def setting(name: str, default: Any = None) -> Any:
    """Our Django setting ``name`` (``WECHAT_DISTRIBUTION_PAYOUTS``, ``_COUPONS``, ``_COMPONENT``,
    ``_MINI_PROGRAMS``, ``WECHAT_DISTRIBUTION``) as the shop in scope sees it: the host's value where it
    keeps one per shop (App mode: per Saleor instance, ``Host.setting``), else Django's."""
    lookup = host.current().setting
    return lookup(name, default) if lookup is not None else getattr(settings, name, default)


@dataclass(frozen=True)
class ProgramConfig:
    auto_approve: bool = False


ConfigProvider = Callable[[str | None], ProgramConfig]


def _from_django_settings(channel: str | None) -> ProgramConfig:
    raw = dict(setting("WECHAT_DISTRIBUTION", {}) or {})
    known = {f.name for f in fields(ProgramConfig)}
    return replace(ProgramConfig(), **{k: v for k, v in raw.items() if k in known})


def program_defaults_check(values: object) -> None:
    """Raise ``ValueError`` saying what is wrong with a ``WECHAT_DISTRIBUTION`` mapping (App mode checks
    its settings at start-up: ``app/instance_settings.py``)."""
    if not isinstance(values, dict):
        raise ValueError("must be an object")
    types = {f.name: f.type for f in fields(ProgramConfig)}
    for key, value in values.items():
        if key not in types:
            raise ValueError(f"unknown key {key!r} (known: {', '.join(sorted(types))})")
        if types[key] in ("bool", bool) and not isinstance(value, bool):
            raise ValueError(f"{key!r} must be true or false")


def get_config(channel: str | None = None) -> ProgramConfig:
    return (host.current().program_config or _from_django_settings)(channel)


# --- channels the program runs in ------------------------------------------------------------------

ChannelCheck = Callable[[str], bool]


def channel_is_active(channel: str) -> bool:
    """Whether the program runs in ``channel`` (Saleor's adapter: the plugin is active in that Saleor
    channel). Without a host check (the sandbox), a channel runs it once it has a saved program."""
    check = host.current().channel_active
    return check(channel) if check is not None else True


# --- payout gateways -------------------------------------------------------------------------------

PayoutGatewayFactory = Callable[[str, str], PayoutGateway]


def get_payout_gateway(channel: str, method: str) -> PayoutGateway:
    """The host's payout gateway for (channel, method "v3" | "v2")."""
    factory = host.current().payout_gateway
    if factory is None:
        raise PayoutNotConfigured(f"no WeChat Pay merchant is configured for channel {channel!r}")
    return factory(channel, method)


def payout_available(channel: str, method: str) -> bool:
    """Whether a payout gateway can be built for (channel, method): a merchant is configured."""
    try:
        get_payout_gateway(channel, method)
    except PayoutNotConfigured:
        return False
    return True


class PayoutNotConfigured(RuntimeError):
    pass


# --- coupons (商家券) and the host's vouchers ------------------------------------------------------

#: (channel, distributor id or None) -> the merchants / app ids a voucher's coupons live in: the
#: distributor's own where it has one, else the brand's (with several, the codes are split among them)
CouponGatewayFactory = Callable[[str, int | None], list[CouponGateway]]


class CouponsNotConfigured(RuntimeError):
    pass


def get_coupon_gateways(channel: str, distributor_id: int | None = None) -> list[CouponGateway]:
    factory = host.current().coupon_gateways
    return factory(channel, distributor_id) if factory is not None else []


def get_coupon_gateway(channel: str, distributor_id: int | None, mchid: str, app_id: str) -> CouponGateway:
    for gateway in get_coupon_gateways(channel, distributor_id):
        if gateway.mchid == mchid and gateway.app_id == app_id:
            return gateway
    raise CouponsNotConfigured(f"no coupon merchant {mchid}/{app_id} for channel {channel!r}")


def has_voucher_source() -> bool:
    return host.current().voucher_source is not None


def get_voucher_source() -> VoucherSource:
    """Where vouchers come from (Saleor's adapter; the sandbox its own table)."""
    source = host.current().voucher_source
    if source is None:
        raise CouponsNotConfigured("no voucher source is registered")
    return source


# --- Official Account gateway ----------------------------------------------------------------------


def get_official_account_gateway() -> OfficialAccountGateway:
    """How WeChat is called: the host's, else apps.ready's default (wechatpy, ``wechat/web.py``)."""
    gateway = host.current().official_account_gateway
    if gateway is None:
        raise RuntimeError("no Official Account gateway is registered")
    return gateway


# --- products (share posters) ------------------------------------------------------------------------

ProductLookup = Callable[[str, str], ProductSnapshot | None]


def has_product_lookup() -> bool:
    """Whether products can be described: a registered lookup, or the host's catalog."""
    return host.current().product_lookup is not None or get_product_catalog() is not None


def product_lookup(channel: str, product_id: str) -> ProductSnapshot | None:
    """The host's lookup, else the host's catalog (``get_product_catalog``), else None."""
    lookup = host.current().product_lookup
    if lookup is not None:
        return lookup(channel, product_id)
    catalog = get_product_catalog()
    return (
        catalog.products_get(channel=channel, product_ids=[product_id]).get(product_id) if catalog else None
    )


# --- customer directory (network imports) --------------------------------------------------------


def get_customer_directory() -> CustomerDirectory:
    """How imports match people to customer accounts (Saleor: its User table): the host's directory,
    else the class named by ``WECHAT_DISTRIBUTION_CUSTOMER_DIRECTORY``."""
    directory = host.current().customer_directory
    if directory is not None:
        return directory
    dotted = getattr(settings, "WECHAT_DISTRIBUTION_CUSTOMER_DIRECTORY", None)
    if not dotted:
        raise CustomerDirectoryNotConfigured("no customer directory is registered for network imports")
    return import_string(dotted)()


class CustomerDirectoryNotConfigured(RuntimeError):
    pass


# --- the distributor center: the host's product catalog and customer sessions ------------------------


class CenterHostNotConfigured(RuntimeError):
    pass


@cache
def _instance(dotted: str) -> object:
    return import_string(dotted)()


def get_product_catalog() -> ProductCatalog | None:
    """The host's catalog (Saleor's products), else the class named by ``WECHAT_DISTRIBUTION_PRODUCT_CATALOG``
    (the sandbox's), else None."""
    catalog = host.current().product_catalog
    if catalog is not None:
        return catalog
    dotted = getattr(settings, "WECHAT_DISTRIBUTION_PRODUCT_CATALOG", None)
    return _instance(dotted) if dotted else None  # type: ignore[return-value]


def get_category_catalog() -> CategoryCatalog | None:
    """The host's product categories (Saleor's category tree, the sandbox's demo set), else None."""
    return host.current().category_catalog


def get_customer_sessions() -> CustomerSessions:
    """How a WeChat sign-in becomes a customer token (Saleor: its JWT): the host's, else the class named
    by ``WECHAT_DISTRIBUTION_CUSTOMER_SESSIONS``."""
    sessions = host.current().customer_sessions
    if sessions is not None:
        return sessions
    dotted = getattr(settings, "WECHAT_DISTRIBUTION_CUSTOMER_SESSIONS", None)
    if not dotted:
        raise CenterHostNotConfigured("no customer sessions are registered for WeChat sign-in")
    return _instance(dotted)  # type: ignore[return-value]


# --- Mini Programs (小程序) ------------------------------------------------------------------------------


def mini_program_settings(channel: str) -> MiniProgramSettings | None:
    """The channel's Mini Program: the host's (``Host.mini_program_settings``), else
    ``WECHAT_DISTRIBUTION_MINI_PROGRAMS`` (``{"<channel or *>": {...}}``, see
    ``miniprogram_settings.settings_from_mapping``) read through :func:`setting` (App mode: the instance
    in scope's own where it has some), else None."""
    provider = host.current().mini_program_settings
    if provider is not None:
        return provider(channel)
    from .miniprogram_settings import settings_from_django

    return settings_from_django(channel)


def get_mini_program_gateway() -> MiniProgramGateway:
    """How Mini Programs are called: the host's, else apps.ready's default (wechatpy,
    ``wechat/miniprogram.py``)."""
    gateway = host.current().mini_program_gateway
    if gateway is None:
        raise RuntimeError("no Mini Program gateway is registered")
    return gateway
