"""Shared shape of the staff bulk status mutations (``distributorBulkApprove``, ``distributorBulkReject``).

The input is checked whole first (at most :data:`MAX_BULK` ids, every id a distributor's, a valid reason):
a bad input changes nothing and answers in ``errors``. Then each distributor is decided on its own, in its
own transaction, through the same service as the single mutation: one that cannot change (a colleague
decided it already, it was deleted) gets its own ``errors`` in ``results`` and the others go ahead.
``results`` follow the order of ``ids`` (a repeated id is decided once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import graphene
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError, DistributorErrorCode
from ...domain.permissions import Permission
from ...models import Distributor as DistributorModel
from ..core.mutations import BaseMutation
from ..distributors.types import Distributor
from .status_changes import clean_reason

#: the console's page size: a page of the applications queue at once
MAX_BULK = 100


def bulk_result_type(name: str, error_type: type) -> type:
    return type(
        name,
        (graphene.ObjectType,),
        {
            "id": graphene.ID(required=True, description="The distributor's id as it was given."),
            "distributor": graphene.Field(Distributor, description="The distributor after the change."),
            "errors": graphene.List(
                graphene.NonNull(error_type), required=True, description="Why this one did not change."
            ),
            "Meta": type("Meta", (), {"description": "What happened to one distributor of the request."}),
        },
    )


class DistributorBulkStatusMutation(BaseMutation):
    permissions = (Permission.MANAGE_USERS,)
    invalid_code = DistributorErrorCode.INVALID
    service: Callable[..., DistributorModel]
    result_type: ClassVar[type]
    takes_reason = False

    class Meta:
        abstract = True

    @classmethod
    def failure(cls, error: DistributionError) -> Any:
        entry = cls.error_type(field=error.field, message=gettext(str(error.message)), code=error.code.value)
        return cls(count=0, results=[], errors=[entry])

    @classmethod
    def _clean(cls, ids: list[str], reason: str | None) -> tuple[list[tuple[str, int]], dict[str, Any]]:
        if not ids:
            raise DistributionError(
                DistributorErrorCode.REQUIRED, _("Give at least one distributor."), field="ids"
            )
        if len(ids) > MAX_BULK:
            raise DistributionError(
                DistributorErrorCode.INVALID,
                _("At most %(max)d distributors at once.") % {"max": MAX_BULK},
                field="ids",
            )
        decoded: dict[str, int] = {}
        for global_id in ids:
            pk = cls.decode_id(global_id, type_name="Distributor", field="ids")
            if pk is not None:
                decoded.setdefault(global_id, pk)
        kwargs: dict[str, Any] = {}
        if cls.takes_reason:
            kwargs["reason"] = clean_reason(reason, required=True)
        return list(decoded.items()), kwargs

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, ids: list[str], reason: str | None = None) -> Any:
        targets, kwargs = cls._clean(ids, reason)
        actor = info.context.principal
        results = []
        for global_id, pk in targets:
            try:
                node = cls.service(actor=actor, distributor_id=pk, **kwargs)
            except DistributionError as error:
                message = gettext(str(error.message))
                entry = cls.error_type(field="ids", message=message, code=error.code.value)
                results.append(cls.result_type(id=global_id, distributor=None, errors=[entry]))
            else:
                results.append(cls.result_type(id=global_id, distributor=node, errors=[]))
        count = sum(1 for result in results if not result.errors)
        return cls(count=count, results=results, errors=[])
