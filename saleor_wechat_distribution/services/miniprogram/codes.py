"""Distributor codes (小程序码) through ``wxacode.getUnlimited``.

The scene is at most 32 characters, too short for a referral code, a page and a product: it is a short
random token (``s=`` + 12 characters, ``domain.miniprogram.new_scene``) naming a ``MiniProgramCode`` row
(distributor, page, product). A code is made once per (Mini Program, distributor, page, product): WeChat
is called once (concurrent requests wait on an advisory lock, then find the code), the PNG is kept in
Django's storage and served from there.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ...conf import get_mini_program_gateway, has_product_lookup, product_lookup
from ...domain.distributors import DistributorStatus
from ...domain.errors import DistributionError
from ...domain.miniprogram import MiniProgramErrorCode as Code
from ...domain.miniprogram import clean_page, new_scene
from ...locks import named_exclusive
from ...models import Distributor, MiniProgramCode, Storefront
from ...ports import WeChatApiError
from ...ports_miniprogram import MiniProgramSettings
from .common import mini_failure, settings_required

PRODUCT_ID_MAX_LENGTH = 64


def code_image_name(*, app_id: str, scene: str) -> str:
    return f"wechat_distribution/miniprogram/{app_id}/{scene.replace('=', '-')}.png"


def _clean_product(channel: str, product_id: str | None) -> str:
    product_id = (product_id or "").strip()
    if not product_id:
        return ""
    if len(product_id) > PRODUCT_ID_MAX_LENGTH or not product_id.isprintable():
        raise DistributionError(Code.INVALID, _("Invalid product id."), field="productId")
    if has_product_lookup() and product_lookup(channel, product_id) is None:
        raise DistributionError(Code.NOT_FOUND, _("No such product in this channel."), field="productId")
    return product_id


def _code_key(
    *, distributor: Distributor, channel: str, page: str | None, product_id: str | None
) -> tuple[MiniProgramSettings, dict]:
    """The channel's Mini Program settings and the row key of the distributor's code (refusals first)."""
    settings = settings_required(channel)
    if distributor.status != DistributorStatus.ACTIVE:
        raise DistributionError(Code.INACTIVE, _("This distributor is not active."))
    chosen = clean_page(page) if page else settings.page
    if chosen is None:
        raise DistributionError(Code.INVALID, _("A page is a path such as pages/index/index."), field="page")
    product = _clean_product(channel, product_id)
    return settings, {
        "app_id": settings.app_id,
        "distributor": distributor,
        "page": chosen,
        "product_id": product,
    }


def mini_program_code_made(
    *, distributor: Distributor, channel: str, page: str | None = None, product_id: str | None = None
) -> MiniProgramCode | None:
    """A read: the distributor's code if it was made already (no WeChat call, no write)."""
    _, key = _code_key(distributor=distributor, channel=channel, page=page, product_id=product_id)
    return MiniProgramCode.objects.filter(**key).first()


def mini_program_code_for(
    *, distributor: Distributor, channel: str, page: str | None = None, product_id: str | None = None
) -> MiniProgramCode:
    """The distributor's code for ``page`` (the channel's configured page by default) and ``product_id``
    (none: the page alone); made and stored on first request only."""
    settings, key = _code_key(distributor=distributor, channel=channel, page=page, product_id=product_id)
    existing = MiniProgramCode.objects.filter(**key).first()
    if existing is not None:
        return existing
    chosen, product = key["page"], key["product_id"]
    # one maker per (app, distributor, page, product): concurrent requests wait, then find the code made
    with transaction.atomic():
        named_exclusive(f"mp-code:{settings.app_id}:{distributor.pk}:{chosen}:{product}")
        existing = MiniProgramCode.objects.filter(**key).first()
        if existing is not None:
            return existing
        scene = new_scene()
        try:
            png = get_mini_program_gateway().unlimited_code(
                settings, scene=scene, page=chosen, check_path=settings.check_path
            )
        except WeChatApiError as error:
            raise mini_failure(error, field="page") from None
        name = default_storage.save(code_image_name(app_id=settings.app_id, scene=scene), ContentFile(png))
        try:
            return MiniProgramCode.objects.create(**key, channel=channel, scene=scene, image=name)
        except Exception:
            default_storage.delete(name)
            raise


def mini_program_code_url(code: MiniProgramCode) -> str:
    return default_storage.url(code.image)


def mini_program_code_png(code: MiniProgramCode) -> bytes:
    with default_storage.open(code.image, "rb") as handle:
        return handle.read()


def mini_program_poster_code(
    *, storefront: Storefront, product_id: str, make: bool = True
) -> MiniProgramCode | None:
    """The code a share poster of the storefront's distributor carries for ``product_id``: made on first
    request, or with ``make=False`` only read (None while it is not made)."""
    if storefront.distributor is None:
        raise DistributionError(Code.NOT_A_DISTRIBUTOR, _("The brand's storefront has no referral code."))
    find = mini_program_code_for if make else mini_program_code_made
    return find(distributor=storefront.distributor, channel=storefront.channel, product_id=product_id)
