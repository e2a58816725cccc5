"""Saleor-style mutations: declared permissions, and business errors in a per-mutation error type."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError
from ...domain.permissions import Permission
from .ids import InvalidGlobalId, decode_global_id
from .permissions import check_access


def mutation_error_type(
    name: str, code_enum: type[graphene.Enum], description: str = "", *, indexed: bool = False
) -> type:
    """One error type per mutation (``field``, ``message``, ``code``), as Saleor's mutations have;
    ``indexed``: also ``index``, the item of an input list the error is about (Saleor's bulk errors)."""
    fields: dict[str, Any] = {
        "field": graphene.String(description="The input field the error is about, if any."),
        "message": graphene.String(description="A translated, human-readable description."),
        "code": code_enum(required=True, description="The error code."),
        "Meta": type("Meta", (), {"description": description or f"An error of {name[:-5]}."}),
    }
    if indexed:
        fields["index"] = graphene.Int(
            description="The position (from 0) in the input list of the item the error is about."
        )
    return type(name, (graphene.ObjectType,), fields)


class BaseMutation(graphene.Mutation):
    """Subclasses declare ``permissions`` / ``login_required`` and implement ``perform_mutation``.

    A ``DistributionError`` raised by a service becomes an entry of ``errors``; the service's
    transaction has rolled back, so nothing was changed.
    """

    permissions: ClassVar[tuple[Permission, ...]] = ()
    login_required: ClassVar[bool] = False
    error_type: ClassVar[type]
    invalid_code: ClassVar[Any]
    #: a service's name of an input -> the mutation's (``{"binding_trigger": "trigger"}``)
    error_fields: ClassVar[dict[str, str]] = {}

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root: Any, info: Any, **data: Any) -> Any:
        check_access(info.context.principal, permissions=cls.permissions, login=cls.login_required)
        try:
            return cls.perform_mutation(root, info, **data)
        except DistributionError as error:
            log = getattr(info.context, "log", None)
            if log is not None:  # one INFO line: the client's mistake, not ours (error_log.py)
                log.expected(error.code.value, info.path)
            return cls.failure(error)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def failure(cls, error: DistributionError) -> Any:
        # lazy Django strings are translated by str(); domain messages (plain English, marked with
        # domain.i18n.gettext_noop) are looked up here
        field = cls.error_fields.get(error.field, error.field) if error.field else error.field
        entry = cls.error_type(field=field, message=gettext(str(error.message)), code=error.code.value)
        if "index" in cls.error_type._meta.fields:
            entry.index = error.index
        return cls(errors=[entry])

    @classmethod
    def decode_id(cls, global_id: str | None, *, type_name: str, field: str) -> int | None:
        if global_id is None:
            return None
        try:
            return decode_global_id(global_id, expected_type=type_name)
        except InvalidGlobalId:
            raise DistributionError(
                cls.invalid_code, _("Invalid ID: %(id)s.") % {"id": str(global_id)[:64]}, field=field
            ) from None
