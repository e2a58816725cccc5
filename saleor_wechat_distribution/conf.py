"""Program settings the core reads, from a provider the host registers.

Saleor's adapter registers one that reads the plugin configuration (per channel); the sandbox and the
tests use Django settings (``WECHAT_DISTRIBUTION``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .ports import (
    CouponGateway,
    CustomerDirectory,
    OfficialAccountGateway,
    PayoutGateway,
    ProductSnapshot,
    VoucherSource,
)
from .ports_center import CustomerSessions, ProductCatalog
from .ports_miniprogram import MiniProgramGateway, MiniProgramSettings


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


# --- channels the program runs in ------------------------------------------------------------------

ChannelCheck = Callable[[str], bool]
_channel_check: ChannelCheck | None = None


def set_channel_check(check: ChannelCheck | None) -> None:
    """The host registers whether the program runs in a channel (Saleor's adapter: the plugin is active
    in that Saleor channel). Without one (the sandbox), a channel runs it once it has a saved program."""
    global _channel_check
    _channel_check = check


def channel_is_active(channel: str) -> bool:
    return _channel_check(channel) if _channel_check is not None else True


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
_coupon_factory: CouponGatewayFactory | None = None
_voucher_source: VoucherSource | None = None


class CouponsNotConfigured(RuntimeError):
    pass


def set_coupon_gateway_factory(factory: CouponGatewayFactory | None) -> None:
    global _coupon_factory
    _coupon_factory = factory


def has_coupon_gateway_factory() -> bool:
    return _coupon_factory is not None


def get_coupon_gateways(channel: str, distributor_id: int | None = None) -> list[CouponGateway]:
    if _coupon_factory is None:
        return []
    return _coupon_factory(channel, distributor_id)


def get_coupon_gateway(channel: str, distributor_id: int | None, mchid: str, app_id: str) -> CouponGateway:
    for gateway in get_coupon_gateways(channel, distributor_id):
        if gateway.mchid == mchid and gateway.app_id == app_id:
            return gateway
    raise CouponsNotConfigured(f"no coupon merchant {mchid}/{app_id} for channel {channel!r}")


def set_voucher_source(source: VoucherSource | None) -> None:
    """The host registers where vouchers come from (Saleor's adapter; the sandbox its own table)."""
    global _voucher_source
    _voucher_source = source


def has_voucher_source() -> bool:
    return _voucher_source is not None


def get_voucher_source() -> VoucherSource:
    if _voucher_source is None:
        raise CouponsNotConfigured("no voucher source is registered")
    return _voucher_source


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


def has_product_lookup() -> bool:
    """Whether products can be described: a registered lookup, or the host's catalog."""
    return _product_lookup is not None or get_product_catalog() is not None


def product_lookup(channel: str, product_id: str) -> ProductSnapshot | None:
    """The registered lookup, else the host's catalog (``get_product_catalog``), else None."""
    if _product_lookup is not None:
        return _product_lookup(channel, product_id)
    catalog = get_product_catalog()
    return (
        catalog.products_get(channel=channel, product_ids=[product_id]).get(product_id) if catalog else None
    )


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


# --- the distributor center: the host's product catalog and customer sessions ------------------------

_product_catalog: ProductCatalog | None = None
_customer_sessions: CustomerSessions | None = None


class CenterHostNotConfigured(RuntimeError):
    pass


@cache
def _instance(dotted: str) -> object:
    return import_string(dotted)()


def set_product_catalog(catalog: ProductCatalog | None) -> None:
    """The host registers its catalog (Saleor's adapter: Saleor's products; the sandbox: by setting)."""
    global _product_catalog
    _product_catalog = catalog


def get_product_catalog() -> ProductCatalog | None:
    """The registered catalog, else the class named by ``WECHAT_DISTRIBUTION_PRODUCT_CATALOG``, else None."""
    if _product_catalog is not None:
        return _product_catalog
    dotted = getattr(settings, "WECHAT_DISTRIBUTION_PRODUCT_CATALOG", None)
    return _instance(dotted) if dotted else None  # type: ignore[return-value]


def set_customer_sessions(sessions: CustomerSessions | None) -> None:
    """The host registers how a WeChat sign-in becomes a customer token (Saleor: its JWT)."""
    global _customer_sessions
    _customer_sessions = sessions


def get_customer_sessions() -> CustomerSessions:
    """The registered sessions, else the class named by ``WECHAT_DISTRIBUTION_CUSTOMER_SESSIONS``."""
    if _customer_sessions is not None:
        return _customer_sessions
    dotted = getattr(settings, "WECHAT_DISTRIBUTION_CUSTOMER_SESSIONS", None)
    if not dotted:
        raise CenterHostNotConfigured("no customer sessions are registered for WeChat sign-in")
    return _instance(dotted)  # type: ignore[return-value]


# --- Mini Programs (小程序) ------------------------------------------------------------------------------

MiniProgramProvider = Callable[[str], "MiniProgramSettings | None"]
_mini_program_provider: MiniProgramProvider | None = None
_mini_program_gateway: MiniProgramGateway | None = None


def set_mini_program_provider(provider: MiniProgramProvider | None) -> None:
    """The host registers a channel's Mini Program (Saleor's adapter: the plugin configuration)."""
    global _mini_program_provider
    _mini_program_provider = provider


def mini_program_settings(channel: str) -> MiniProgramSettings | None:
    """The channel's Mini Program: the registered provider's, else ``WECHAT_DISTRIBUTION_MINI_PROGRAMS``
    (``{"<channel or *>": {...}}``, see ``miniprogram_settings.settings_from_mapping``), else None."""
    if _mini_program_provider is not None:
        return _mini_program_provider(channel)
    from .miniprogram_settings import settings_from_django

    return settings_from_django(channel)


def set_mini_program_gateway(gateway: MiniProgramGateway | None) -> None:
    global _mini_program_gateway
    _mini_program_gateway = gateway


def get_mini_program_gateway() -> MiniProgramGateway:
    """The registered gateway, else wechatpy's (``wechat/miniprogram.py``)."""
    if _mini_program_gateway is not None:
        return _mini_program_gateway
    return _instance("saleor_wechat_distribution.wechat.miniprogram.WeChatMiniProgramGateway")  # type: ignore[return-value]
