"""Shared shape of the staff status mutations (approve, reject, suspend, reactivate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError, DistributorErrorCode
from ...domain.permissions import Permission
from ...models import Distributor as DistributorModel
from ..core.mutations import BaseMutation

REASON_MAX_LENGTH = 500


def clean_reason(reason: str | None, *, required: bool = False) -> str:
    """A status change's reason, stripped; too long (or, when ``required``, blank) is a coded error."""
    reason = (reason or "").strip()
    if required and not reason:
        raise DistributionError(
            DistributorErrorCode.REQUIRED, _("Give the reason (the applicant sees it)."), field="reason"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise DistributionError(
            DistributorErrorCode.TOO_LONG,
            _("The reason can be at most %(max)d characters long.") % {"max": REASON_MAX_LENGTH},
            field="reason",
        )
    return reason


class DistributorStatusMutation(BaseMutation):
    permissions = (Permission.MANAGE_USERS,)
    invalid_code = DistributorErrorCode.INVALID
    service: Callable[..., DistributorModel]
    takes_reason = False

    class Meta:
        abstract = True

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, id: str, reason: str | None = None) -> Any:
        distributor_id = cls.decode_id(id, type_name="Distributor", field="id")
        kwargs: dict[str, Any] = {}
        if cls.takes_reason:
            kwargs["reason"] = clean_reason(reason)
        node = cls.service(actor=info.context.principal, distributor_id=distributor_id, **kwargs)
        return cls(distributor=node, errors=[])
