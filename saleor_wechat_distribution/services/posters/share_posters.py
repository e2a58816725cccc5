"""Share posters of a distributor's products: prepared by ``share_poster_create`` (the
``sharePosterCreate`` mutation: fetch the product's picture, draw, store once), read by
``share_poster_url`` (the ``Storefront.sharePoster`` query: the stored poster's URL, or None while it is
not prepared; no fetch, no drawing, no write)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from ...conf import has_product_lookup, product_lookup
from ...domain.errors import DistributionError
from ...domain.errors import StorefrontErrorCode as Code
from ...models import MiniProgramCode, Storefront
from ...ports import Principal, ProductSnapshot
from ..miniprogram.codes import mini_program_code_png, mini_program_poster_code
from ..referrals import referral_link
from ..storefront_access import active_distributor_of, storefront_managed_by
from .drawing import draw_poster, poster_name
from .product_images import PosterImageUnavailable, fetch_image

PRODUCT_ID_MAX_LENGTH = 64


@dataclass(frozen=True)
class PosterInputs:
    product: ProductSnapshot
    distributor_name: str
    link: str
    #: the Mini Program code drawn instead of the link's QR code, if the poster carries one
    code: MiniProgramCode | None = None

    def carrying(self, code: MiniProgramCode | None) -> PosterInputs:
        """The same poster with the Mini Program code: its ``link`` names the code, so the name differs."""
        if code is None:
            return self
        return PosterInputs(self.product, self.distributor_name, f"miniprogram:{code.scene}", code)

    @property
    def name(self) -> str:
        """The poster's name in the default storage (derived from everything drawn on it)."""
        return poster_name(product=self.product, distributor_name=self.distributor_name, link=self.link)


def poster_inputs(*, storefront: Storefront, product_id: str) -> PosterInputs:
    """What a distributor's share poster for a product shows; the product must be in the storefront's
    selection and known to the host."""
    product_id = (product_id or "").strip()
    distributor = active_distributor_of(storefront)
    if not product_id or len(product_id) > PRODUCT_ID_MAX_LENGTH or "\x00" in product_id:
        raise DistributionError(Code.INVALID, _("Invalid product id."), field="productId")
    if not storefront.all_products and product_id not in storefront.product_ids:
        raise DistributionError(
            Code.PRODUCT_NOT_FOUND, _("This storefront does not sell this product."), field="productId"
        )
    if not has_product_lookup():
        raise DistributionError(
            Code.PRODUCT_LOOKUP_MISSING,
            _(
                "Posters need the shop's product lookup, and none is registered "
                "(host.update(product_lookup=...), or the WECHAT_DISTRIBUTION_PRODUCT_CATALOG setting): "
                "product %(id)s cannot be described."
            )
            % {"id": product_id},
            field="productId",
        )
    product = product_lookup(storefront.channel, product_id)
    if product is None:
        raise DistributionError(
            Code.PRODUCT_NOT_FOUND, _("This storefront does not sell this product."), field="productId"
        )
    try:
        link = referral_link(distributor=distributor, channel=storefront.channel, product_id=product_id)
    except DistributionError as error:
        raise DistributionError(Code.INVALID, error.message, field="storefront") from None
    return PosterInputs(product=product, distributor_name=distributor.display_name, link=link)


def share_poster_url(*, storefront: Storefront, product_id: str, mini_program: bool = False) -> str | None:
    """A read: the URL of the prepared poster for the product as it is now (same picture, title, price
    and link), or None when it is not prepared (or the product changed since). Raises for a product the
    storefront does not sell, as ``share_poster_create`` would. ``mini_program``: the poster carrying the
    Mini Program code (None while that code is not made either: reading never calls WeChat)."""
    inputs = poster_inputs(storefront=storefront, product_id=product_id)
    if mini_program:
        code = mini_program_poster_code(storefront=storefront, product_id=product_id, make=False)
        if code is None:
            return None
        inputs = inputs.carrying(code)
    name = inputs.name
    return default_storage.url(name) if default_storage.exists(name) else None


def share_poster_create(
    *, principal: Principal, storefront_id: int | None, product_id: str, mini_program: bool = False
) -> str:
    """Prepare the poster (owner of the storefront, or staff): draw and store it unless the same poster is
    stored already. Returns its storage URL. ``IMAGE_UNAVAILABLE`` when the product's picture cannot be
    fetched or is not an image; nothing is stored then. ``mini_program``: carry the channel's Mini
    Program code (made first if needed) instead of the link's QR code."""
    storefront = storefront_managed_by(principal=principal, storefront_id=storefront_id)
    inputs = poster_inputs(storefront=storefront, product_id=product_id)
    if mini_program:
        inputs = inputs.carrying(mini_program_poster_code(storefront=storefront, product_id=product_id))
    name = inputs.name
    if not default_storage.exists(name):
        try:
            image = fetch_image(inputs.product.image_url)
        except PosterImageUnavailable:
            raise DistributionError(
                Code.IMAGE_UNAVAILABLE, _("The product image could not be loaded."), field="productId"
            ) from None
        png = draw_poster(
            product=inputs.product,
            image=image,
            distributor_name=inputs.distributor_name,
            link=inputs.link,
            code_png=mini_program_code_png(inputs.code) if inputs.code is not None else None,
        )
        if not default_storage.exists(name):  # drawn meanwhile by another request: theirs is the same
            default_storage.save(name, ContentFile(png))
    return default_storage.url(name)
