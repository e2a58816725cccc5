"""Storefronts: create, update, and who may change one (Official Accounts: ``official_accounts.py``)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ..domain.distributors import DistributorStatus
from ..domain.errors import DistributionError
from ..domain.errors import StorefrontErrorCode as Code
from ..domain.permissions import Permission
from ..domain.storefronts import (
    PRODUCT_ID_MAX_LENGTH,
    PRODUCTS_MAX,
    TITLE_MAX_LENGTH,
    WELCOME_MAX_LENGTH,
    clean_product_ids,
    products_outside,
    slug_problem,
)
from ..models import Distributor, Storefront
from ..ports import Principal
from ..selectors.distributors import distributor_get_for_user
from ..selectors.storefronts import brand_storefront

logger = logging.getLogger(__name__)

URL_MAX_LENGTH = 500
APP_ID_MAX_LENGTH = 32
SECRET_MAX_LENGTH = 128


def _is_staff(principal: Principal) -> bool:
    return principal.has_perms(Permission.MANAGE_USERS)


def storefront_for_update(*, principal: Principal, storefront_id: int | None) -> Storefront:
    """The storefront the caller may change: the given one (its owner, or staff), or their own."""
    if storefront_id is None:
        distributor = distributor_get_for_user(user_id=principal.user_id)
        if distributor is None:
            raise DistributionError(Code.NOT_A_DISTRIBUTOR, _("You are not a distributor."))
        storefront = Storefront.objects.select_for_update().filter(distributor=distributor).first()
        if storefront is None:
            if distributor.status != DistributorStatus.ACTIVE:
                raise DistributionError(Code.INACTIVE, _("Your distributor account is not active."))
            storefront = Storefront(distributor=distributor, channel="", slug="", title="")
        return storefront
    storefront = Storefront.objects.select_for_update().filter(pk=storefront_id).first()
    owner = (
        storefront is not None
        and storefront.distributor is not None
        and (storefront.distributor.user_id == principal.user_id)
    )
    if storefront is None or not (owner or _is_staff(principal)):
        raise DistributionError(Code.NOT_FOUND, _("No such storefront."), field="id")
    return storefront


def clean_input(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if "\x00" in text:
        raise DistributionError(Code.INVALID, _("The text contains a NUL character."), field=field)
    if required and not text:
        raise DistributionError(Code.REQUIRED, _("This field is required."), field=field)
    if len(text) > max_length:
        raise DistributionError(
            Code.TOO_LONG, _("At most %(max)d characters.") % {"max": max_length}, field=field
        )
    return text


def clean_url(value: Any, *, field: str) -> str:
    url = clean_input(value, field=field, max_length=URL_MAX_LENGTH)
    if url and not url.startswith(("https://", "http://")):
        raise DistributionError(Code.INVALID, _("Enter an http(s) address."), field=field)
    return url


def _new_storefront_for(*, principal: Principal, distributor_id: int) -> Storefront:
    """Staff create a distributor's storefront: an active distributor without one."""
    if not _is_staff(principal):
        raise DistributionError(Code.NOT_FOUND, _("No such distributor."), field="distributorId")
    distributor = Distributor.objects.select_for_update().filter(pk=distributor_id).first()
    if distributor is None:
        raise DistributionError(Code.NOT_FOUND, _("No such distributor."), field="distributorId")
    if distributor.status != DistributorStatus.ACTIVE:
        raise DistributionError(Code.INACTIVE, _("This distributor is not active."), field="distributorId")
    if Storefront.objects.filter(distributor=distributor).exists():
        raise DistributionError(
            Code.STOREFRONT_EXISTS, _("This distributor already has a storefront."), field="distributorId"
        )
    return Storefront(distributor=distributor, channel="", slug="", title="")


def storefront_update(
    *,
    principal: Principal,
    storefront_id: int | None = None,
    brand_channel: str | None = None,
    distributor_id: int | None = None,
    values: dict[str, Any],
) -> Storefront:
    """Create or change a storefront. Without an id: the caller's own (a distributor's), or with
    ``brand_channel`` (staff only) the brand's storefront of that channel, or with ``distributor_id``
    (staff only) a new storefront for that distributor (one per distributor)."""
    with transaction.atomic():
        if distributor_id is not None:
            storefront = _new_storefront_for(principal=principal, distributor_id=distributor_id)
        elif brand_channel is not None:
            if not _is_staff(principal):
                raise DistributionError(Code.NOT_FOUND, _("No such storefront."), field="brandChannel")
            channel = clean_input(brand_channel, field="brandChannel", max_length=100, required=True)
            storefront = Storefront.objects.select_for_update().filter(
                channel=channel, distributor__isnull=True
            ).first() or Storefront(channel=channel, slug="", title="")
        else:
            storefront = storefront_for_update(principal=principal, storefront_id=storefront_id)
        creating = storefront.pk is None
        if "slug" in values or creating:
            slug = clean_input(values.get("slug"), field="slug", max_length=200, required=True).lower()
            problem = slug_problem(slug)
            if problem == "too_long":
                raise DistributionError(Code.TOO_LONG, _("The address is too long."), field="slug")
            if problem == "reserved":
                raise DistributionError(Code.SLUG_RESERVED, _("This address is reserved."), field="slug")
            if problem:
                raise DistributionError(
                    Code.INVALID,
                    _("Use 3 to 50 lower-case letters, digits and single hyphens."),
                    field="slug",
                )
            storefront.slug = slug
        if "title" in values or creating:
            storefront.title = clean_input(
                values.get("title"), field="title", max_length=TITLE_MAX_LENGTH, required=True
            )
        if "channel" in values or (creating and brand_channel is None):
            if not creating and values.get("channel") != storefront.channel and not _is_staff(principal):
                raise DistributionError(Code.INVALID, _("Only staff move a storefront."), field="channel")
            storefront.channel = clean_input(
                values.get("channel"), field="channel", max_length=100, required=True
            )
        if "logo_url" in values:
            storefront.logo_url = clean_url(values["logo_url"], field="logoUrl")
        if "welcome_text" in values:
            storefront.welcome_text = clean_input(
                values["welcome_text"], field="welcomeText", max_length=WELCOME_MAX_LENGTH
            )
        if "is_active" in values and values["is_active"] is not None:
            storefront.is_active = bool(values["is_active"])
        if "all_products" in values and values["all_products"] is not None:
            storefront.all_products = bool(values["all_products"])
        if "product_ids" in values and values["product_ids"] is not None:
            raw = list(values["product_ids"])
            if len(raw) > PRODUCTS_MAX:
                raise DistributionError(
                    Code.TOO_LONG, _("At most %(max)d products.") % {"max": PRODUCTS_MAX}, field="productIds"
                )
            if any(not isinstance(p, str) or len(p) > PRODUCT_ID_MAX_LENGTH or "\x00" in p for p in raw):
                raise DistributionError(Code.INVALID, _("Invalid product id."), field="productIds")
            storefront.product_ids = clean_product_ids(raw)
        if not storefront.is_brand:
            brand = brand_storefront(channel=storefront.channel)
            allowed = brand.product_ids if brand is not None and not brand.all_products else None
            outside = products_outside(storefront.product_ids, allowed)
            if outside:
                raise DistributionError(
                    Code.PRODUCT_NOT_ALLOWED,
                    _("The brand does not offer these products: %(ids)s") % {"ids": ", ".join(outside[:5])},
                    field="productIds",
                )
        try:
            with transaction.atomic():
                storefront.save()
        except IntegrityError:
            if (
                creating
                and storefront.distributor_id is not None
                and Storefront.objects.filter(distributor_id=storefront.distributor_id).exists()
            ):
                raise DistributionError(
                    Code.STOREFRONT_EXISTS,
                    _("This distributor already has a storefront."),
                    field="distributorId" if distributor_id is not None else None,
                ) from None
            raise DistributionError(Code.SLUG_TAKEN, _("This address is taken."), field="slug") from None
    return storefront
