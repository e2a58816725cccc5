"""The console's pages: each one is a Saleor App extension (a line of the manifest) and a URL.

Adding a page = one :class:`ConsolePage` here + its React page in ``ui/console/src/pages/registry.ts``
(docs/screens.md). List a page only once it exists: the dashboard shows every extension of the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..domain.permissions import Permission


@dataclass(frozen=True)
class ConsolePage:
    #: the URL under the console (``console/<slug>/``) and the React page's key
    slug: str
    #: the dashboard's menu entry (the manifest's ``label``)
    label: str | Promise
    #: where the dashboard shows it: Saleor's ``AppExtensionMount`` (``NAVIGATION_*``, ``*_WIDGETS``...)
    mount: str
    #: what a staff user needs to see it (the dashboard hides it otherwise; our API checks again)
    permissions: tuple[Permission, ...]
    #: ``APP_PAGE`` (a page of its own) or ``WIDGET`` (a box on a details page, Saleor 3.22+)
    target: str = "APP_PAGE"
    #: the first Saleor version whose manifest validation accepts this mount and target
    since: tuple[int, int] = (3, 20)


PAGES: tuple[ConsolePage, ...] = (
    ConsolePage("distributors", _("Distributors"), "NAVIGATION_CUSTOMERS", (Permission.MANAGE_USERS,)),
    ConsolePage("coupons", _("Card-pack coupons"), "NAVIGATION_DISCOUNTS", (Permission.MANAGE_DISCOUNTS,)),
    ConsolePage(
        "storefronts",
        _("Storefronts and Official Accounts"),
        "NAVIGATION_CUSTOMERS",
        (Permission.MANAGE_USERS,),
    ),
    ConsolePage("money", _("Money"), "NAVIGATION_ORDERS", (Permission.MANAGE_ORDERS,)),
    ConsolePage(
        "order-distribution",
        _("Distribution"),
        "ORDER_DETAILS_WIDGETS",
        (Permission.MANAGE_ORDERS,),
        target="WIDGET",
        since=(3, 22),
    ),
    ConsolePage("program", _("Distribution program"), "NAVIGATION_CUSTOMERS", (Permission.MANAGE_PLUGINS,)),
    ConsolePage("network-import", _("Network import"), "NAVIGATION_CUSTOMERS", (Permission.MANAGE_USERS,)),
    ConsolePage(
        "customer-distribution",
        _("Distribution"),
        "CUSTOMER_DETAILS_WIDGETS",
        (Permission.MANAGE_USERS,),
        target="WIDGET",
        since=(3, 22),
    ),
)


def page_by_slug(slug: str) -> ConsolePage | None:
    return next((page for page in PAGES if page.slug == slug), None)
