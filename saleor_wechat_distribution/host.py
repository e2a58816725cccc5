"""The host registry: everything the core looks up from the shop it runs in, in one object.

The core never imports its host. What it needs from one (program settings, the channels the program runs
in, payout and coupon merchants, vouchers, products and categories, customers, checkouts, Mini Programs,
WeChat) is a field of :class:`Host`, installed once at start-up:

- inside Saleor, by the adapter (``saleor_adapter/wiring.py``, called from ``apps.ready``): Saleor's
  implementations of every lookup (:func:`update`, so the core's WeChat clients and event handlers stay);
- in the sandbox, by its app (``sandbox/vouchers/apps.py``) and Django settings;
- in tests, with :func:`overridden` (restored afterwards).

A field left ``None`` means the default, resolved by the accessors in ``conf.py`` (which the services
call): Django settings (``WECHAT_DISTRIBUTION``, ``WECHAT_DISTRIBUTION_PAYOUTS``, ...), or "not configured".
``apps.ready`` fills the WeChat defaults (gateways from settings, the real WeChat client) where the host
installed none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .conf import ProgramConfig
    from .ports import (
        CouponGateway,
        CustomerDirectory,
        HostChannel,
        HostCheckout,
        OfficialAccountGateway,
        PayoutGateway,
        ProductSnapshot,
        VoucherSource,
    )
    from .ports_center import CategoryCatalog, CustomerSessions, ProductCatalog
    from .ports_miniprogram import MiniProgramGateway, MiniProgramSettings
    from .wechat.event_hooks import WeChatEvent


@dataclass(frozen=True)
class Host:
    #: channel (or None) -> the program settings; default: Django's ``WECHAT_DISTRIBUTION`` setting
    program_config: Callable[[str | None], ProgramConfig] | None = None
    #: channel -> whether the program runs there (Saleor: the plugin is active in that channel); default:
    #: every channel with a saved program
    channel_active: Callable[[str], bool] | None = None
    #: the host's sales channels (Saleor: its channels), for the console's channel picker; default: only
    #: the channels with a saved program
    channel_list: Callable[[], list[HostChannel]] | None = None
    #: (channel, method "v3" | "v2") -> a payout gateway, or raises ``conf.PayoutNotConfigured``
    payout_gateway: Callable[[str, str], PayoutGateway] | None = None
    #: (channel, distributor id or None) -> the coupon merchants a voucher's coupons live in
    coupon_gateways: Callable[[str, int | None], list[CouponGateway]] | None = None
    #: where vouchers come from (Saleor's vouchers; the sandbox's own table)
    voucher_source: VoucherSource | None = None
    #: how WeChat Official Accounts are called (default: wechatpy, ``wechat/web.py``)
    official_account_gateway: OfficialAccountGateway | None = None
    #: (channel, product id) -> ProductSnapshot or None (share posters); default: the product catalog
    product_lookup: Callable[[str, str], ProductSnapshot | None] | None = None
    #: the host's catalog (distributor center, storefront curation); default: the class named by
    #: ``WECHAT_DISTRIBUTION_PRODUCT_CATALOG``
    product_catalog: ProductCatalog | None = None
    #: the host's product categories (Saleor: its category tree), for the console's rules editor; default:
    #: none ("not configured": a rule's category is typed as an id)
    category_catalog: CategoryCatalog | None = None
    #: how network imports match people to customer accounts; default: the class named by
    #: ``WECHAT_DISTRIBUTION_CUSTOMER_DIRECTORY``
    customer_directory: CustomerDirectory | None = None
    #: how a WeChat sign-in becomes a customer token; default: ``WECHAT_DISTRIBUTION_CUSTOMER_SESSIONS``
    customer_sessions: CustomerSessions | None = None
    #: any id a storefront holds for a checkout (Saleor: its global id or its token) -> the checkout, or
    #: None when there is no such checkout; default: none (``checkoutAttribute`` finds no checkout)
    checkout_lookup: Callable[[str], HostCheckout | None] | None = None
    #: channel -> the channel's Mini Program (Saleor: the plugin configuration's ``mp_*`` fields), or None;
    #: default: Django's ``WECHAT_DISTRIBUTION_MINI_PROGRAMS`` setting (through ``conf.setting``)
    mini_program_settings: Callable[[str], MiniProgramSettings | None] | None = None
    #: how WeChat Mini Programs are called (default: wechatpy, ``wechat/miniprogram.py``)
    mini_program_gateway: MiniProgramGateway | None = None
    #: (name, default) -> one of our Django settings as the shop in scope sees it (App mode: the Saleor
    #: instance's own merchants, component, Mini Programs and program defaults,
    #: ``app/instance_settings.py``); default: Django's settings (``conf.setting``)
    setting: Callable[[str, Any], Any] | None = None
    #: WeChat callback events other modules take (lower-case event name -> handler; ``wechat/event_hooks``)
    wechat_event_handlers: Mapping[str, Callable[[WeChatEvent], str | None]] = field(default_factory=dict)


_current = Host()


def current() -> Host:
    return _current


def install(host: Host) -> None:
    """Make ``host`` the registry (the adapter's and the sandbox's way; replaces every field)."""
    global _current
    _current = host


def update(**fields: Any) -> Host:
    """Replace some fields of the installed host; the others stay."""
    install(replace(_current, **fields))
    return _current


def fill_defaults(**fields: Any) -> None:
    """Set each field that the installed host left ``None`` (``apps.ready``'s defaults)."""
    update(**{name: value for name, value in fields.items() if getattr(_current, name) is None})


@contextmanager
def overridden(**fields: Any) -> Iterator[Host]:
    """Tests: the host with these fields replaced, the previous one back afterwards."""
    saved = _current
    try:
        yield update(**fields)
    finally:
        install(saved)
