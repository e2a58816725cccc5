"""A distributor curates its storefront: add a product of the brand's catalog, remove one, set the order.

Each change locks the storefront's row, so two phones editing at once never lose each other's change.
A storefront selling "everything the brand offers" becomes a curated one with its first added product
(the center says so before). A product must be on sale in the storefront's channel (the host's catalog,
when one is registered) and allowed by the brand's own storefront when that one is curated. The order of
``product_ids`` is the order customers see.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..conf import get_product_catalog
from ..domain.errors import DistributionError
from ..domain.errors import StorefrontErrorCode as Code
from ..domain.storefronts import PRODUCT_ID_MAX_LENGTH, PRODUCTS_MAX, clean_product_ids, products_outside
from ..models import Storefront
from ..ports import Principal
from ..selectors.storefronts import brand_storefront
from .storefronts import storefront_for_update


def _clean_id(product_id: str, field: str = "productId") -> str:
    value = (product_id or "").strip() if isinstance(product_id, str) else ""
    if not value or len(value) > PRODUCT_ID_MAX_LENGTH or not value.isprintable():
        raise DistributionError(Code.INVALID, _("Invalid product id."), field=field)
    return value


def _own_storefront(principal: Principal, storefront_id: int | None) -> Storefront:
    storefront = storefront_for_update(principal=principal, storefront_id=storefront_id)
    if storefront.pk is None:
        raise DistributionError(Code.NOT_FOUND, _("Create your storefront first."), field="id")
    return storefront


def _check_offered(storefront: Storefront, product_ids: list[str]) -> None:
    if not storefront.is_brand:
        brand = brand_storefront(channel=storefront.channel)
        allowed = brand.product_ids if brand is not None and not brand.all_products else None
        outside = products_outside(product_ids, allowed)
        if outside:
            raise DistributionError(
                Code.PRODUCT_NOT_ALLOWED,
                _("The brand does not offer these products: %(ids)s") % {"ids": ", ".join(outside[:5])},
                field="productId",
            )
    catalog = get_product_catalog()
    if catalog is not None:
        found = catalog.products_get(channel=storefront.channel, product_ids=product_ids)
        missing = [p for p in product_ids if p not in found]
        if missing:
            raise DistributionError(
                Code.PRODUCT_NOT_FOUND,
                _("These products are not on sale in this channel: %(ids)s")
                % {"ids": ", ".join(missing[:5])},
                field="productId",
            )


def _save(storefront: Storefront, product_ids: list[str]) -> Storefront:
    storefront.product_ids = product_ids
    storefront.all_products = False
    storefront.save(update_fields=["product_ids", "all_products", "updated_at"])
    return storefront


def storefront_product_add(
    *, principal: Principal, product_id: str, position: int | None = None, storefront_id: int | None = None
) -> Storefront:
    """Add a product (at ``position``, 0 = first; at the end by default). Adding one already there moves
    it to ``position`` when one is given, else changes nothing."""
    product_id = _clean_id(product_id)
    with transaction.atomic():
        storefront = _own_storefront(principal, storefront_id)
        current = [] if storefront.all_products else list(storefront.product_ids)
        if product_id in current and position is None and not storefront.all_products:
            return storefront
        if product_id not in current:
            if len(current) >= PRODUCTS_MAX:
                raise DistributionError(
                    Code.TOO_LONG, _("At most %(max)d products.") % {"max": PRODUCTS_MAX}, field="productId"
                )
            _check_offered(storefront, [product_id])
        else:
            current.remove(product_id)
        if position is not None and not 0 <= position <= len(current):
            raise DistributionError(
                Code.INVALID,
                _("Enter a position from 0 to %(max)d.") % {"max": len(current)},
                field="position",
            )
        current.insert(len(current) if position is None else position, product_id)
        return _save(storefront, current)


def storefront_product_remove(
    *, principal: Principal, product_id: str, storefront_id: int | None = None
) -> Storefront:
    product_id = _clean_id(product_id)
    with transaction.atomic():
        storefront = _own_storefront(principal, storefront_id)
        if storefront.all_products or product_id not in storefront.product_ids:
            raise DistributionError(
                Code.PRODUCT_NOT_FOUND, _("This product is not in your storefront."), field="productId"
            )
        return _save(storefront, [p for p in storefront.product_ids if p != product_id])


def storefront_products_reorder(
    *, principal: Principal, product_ids: list[str], storefront_id: int | None = None
) -> Storefront:
    """Put the storefront's products in this order: the list must hold exactly its products."""
    cleaned = clean_product_ids(_clean_id(p, "productIds") for p in product_ids)
    with transaction.atomic():
        storefront = _own_storefront(principal, storefront_id)
        if (
            storefront.all_products
            or len(cleaned) != len(product_ids)
            or set(cleaned) != set(storefront.product_ids)
        ):
            raise DistributionError(
                Code.INVALID,
                _("List each product of your storefront exactly once."),
                field="productIds",
            )
        return _save(storefront, cleaned)
