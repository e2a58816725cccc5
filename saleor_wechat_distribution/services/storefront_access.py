"""Which storefront a caller may prepare things for (QR codes, share posters), read without a row lock:
preparing one calls WeChat or draws an image, which must not hold a lock on the storefront."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..domain.distributors import DistributorStatus
from ..domain.errors import DistributionError
from ..domain.errors import StorefrontErrorCode as Code
from ..domain.permissions import Permission
from ..models import Distributor, Storefront
from ..ports import Principal
from ..selectors.distributors import distributor_get_for_user


def storefront_managed_by(*, principal: Principal, storefront_id: int | None) -> Storefront:
    """The given storefront when the caller owns it or is staff (MANAGE_USERS), else the caller's own
    (``storefront_id`` omitted). ``NOT_FOUND`` for anything else: whether it exists is not told."""
    if storefront_id is None:
        distributor = distributor_get_for_user(user_id=principal.user_id)
        if distributor is None:
            raise DistributionError(Code.NOT_A_DISTRIBUTOR, _("You are not a distributor."))
        storefront = Storefront.objects.select_related("distributor").filter(distributor=distributor).first()
        if storefront is None:
            raise DistributionError(Code.NOT_FOUND, _("Create your storefront first."), field="id")
        return storefront
    storefront = Storefront.objects.select_related("distributor").filter(pk=storefront_id).first()
    owner = (
        storefront is not None
        and storefront.distributor is not None
        and storefront.distributor.user_id == principal.user_id
    )
    if storefront is None or not (owner or principal.has_perms(Permission.MANAGE_USERS)):
        raise DistributionError(Code.NOT_FOUND, _("No such storefront."), field="id")
    return storefront


def active_distributor_of(storefront: Storefront) -> Distributor:
    """The storefront's distributor, who must be active to hand out codes and posters."""
    if storefront.distributor is None:
        raise DistributionError(Code.NOT_A_DISTRIBUTOR, _("The brand's storefront has no referral code."))
    if storefront.distributor.status != DistributorStatus.ACTIVE:
        raise DistributionError(Code.INACTIVE, _("This distributor is not active."))
    return storefront.distributor
