"""Reads over storefronts, their Official Accounts, QR codes and identities."""

from __future__ import annotations

from django.db.models import Q

from ..domain.referrals import AttributionSource
from ..models import (
    Distributor,
    OfficialAccount,
    OrderAttribution,
    QrCode,
    Storefront,
    WeChatIdentity,
)


def storefront_get_by_slug(*, slug: str) -> Storefront | None:
    if not slug or len(slug) > 50 or not slug.isascii():
        return None
    return Storefront.objects.select_related("distributor").filter(slug=slug).first()


def storefront_of_distributor(*, distributor: Distributor) -> Storefront | None:
    return Storefront.objects.filter(distributor=distributor).first()


def brand_storefront(*, channel: str) -> Storefront | None:
    return Storefront.objects.filter(channel=channel, distributor__isnull=True).first()


def official_account_get(*, app_id: str) -> OfficialAccount | None:
    if not app_id or len(app_id) > 32:
        return None
    return OfficialAccount.objects.select_related("storefront").filter(app_id=app_id).first()


def official_account_of(*, storefront: Storefront, fallback_to_brand: bool = True) -> OfficialAccount | None:
    """The storefront's own active account, else (when allowed) the brand's for the same channel."""
    own = OfficialAccount.objects.filter(storefront=storefront, status=OfficialAccount.Status.ACTIVE).first()
    if own is not None or not fallback_to_brand or storefront.is_brand:
        return own
    brand = brand_storefront(channel=storefront.channel)
    if brand is None:
        return None
    return OfficialAccount.objects.filter(storefront=brand, status=OfficialAccount.Status.ACTIVE).first()


def identity_get(*, app_id: str, openid: str) -> WeChatIdentity | None:
    return WeChatIdentity.objects.filter(app_id=app_id, openid=openid).first()


def qr_funnel(*, qr_code: QrCode) -> dict[str, int]:
    """scans -> follows -> bindings -> orders for one code. Orders: attributions to the code's distributor
    with its code, by QR, or by a binding of a buyer identified on the code's account."""
    orders = (
        OrderAttribution.objects.filter(distributor_id=qr_code.distributor_id, code=qr_code.scene)
        .filter(
            Q(source=AttributionSource.QR.value)
            | Q(source=AttributionSource.BINDING.value, app_id=qr_code.app_id)
        )
        .count()
    )
    return {
        "scans": qr_code.scans,
        "follows": qr_code.follows,
        "bindings": qr_code.bindings,
        "orders": orders,
    }


#: ``storefronts_for_staff``'s account filter: the storefront's own account's status, or none bound
ACCOUNT_FILTERS = ("active", "unauthorized", "none")


def storefronts_for_staff(*, search: str = "", account: str | None = None):  # -> QuerySet[Storefront]
    """Every storefront with its distributor and own account read in the same query (the console's
    storefronts page): ``search`` in the slug or title, ``account`` one of ``ACCOUNT_FILTERS``."""
    storefronts = Storefront.objects.select_related("distributor", "official_account")
    search = (search or "").strip()[:100]
    if search:
        storefronts = storefronts.filter(Q(slug__icontains=search) | Q(title__icontains=search))
    if account == "none":
        storefronts = storefronts.filter(official_account__isnull=True)
    elif account in ACCOUNT_FILTERS:
        storefronts = storefronts.filter(official_account__status=account)
    return storefronts


def detached_accounts(*, search: str = ""):  # -> QuerySet[OfficialAccount]
    """Accounts whose storefront bound another one (they serve nobody; their history stays)."""
    accounts = OfficialAccount.objects.filter(status=OfficialAccount.Status.DETACHED)
    search = (search or "").strip()[:100]
    if search:
        accounts = accounts.filter(Q(app_id__icontains=search) | Q(name__icontains=search))
    return accounts
