from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError, StorefrontErrorCode
from ...services.official_accounts import NOTIFICATION_KINDS, official_account_templates_update
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import StorefrontErrorCodeEnum
from ..storefronts.types import NotificationKindEnum, Storefront

StorefrontAccountTemplatesUpdateError = mutation_error_type(
    "StorefrontAccountTemplatesUpdateError", StorefrontErrorCodeEnum
)


class NotificationTemplateInput(graphene.InputObjectType):
    kind = NotificationKindEnum(required=True)
    template_id = graphene.String(description="Empty: do not send this kind through this account.")


class StorefrontAccountTemplatesUpdate(BaseMutation):
    """Template ids of the storefront's own account, per notification kind (fields first, keyword1..3,
    remark)."""

    login_required = True
    error_type = StorefrontAccountTemplatesUpdateError
    invalid_code = StorefrontErrorCode.INVALID

    storefront = graphene.Field(Storefront)
    errors = graphene.List(graphene.NonNull(StorefrontAccountTemplatesUpdateError), required=True)

    class Arguments:
        id = graphene.ID(description="Global id of the storefront; omitted: your own.")
        templates = graphene.List(graphene.NonNull(NotificationTemplateInput), required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, templates: list, id: str | None = None) -> Any:
        if len(templates) > len(NOTIFICATION_KINDS):
            raise DistributionError(StorefrontErrorCode.TOO_LONG, _("One entry per kind."), field="templates")
        account = official_account_templates_update(
            principal=info.context.principal,
            storefront_id=cls.decode_id(id, type_name="Storefront", field="id"),
            templates={entry["kind"]: entry.get("template_id") or "" for entry in templates},
        )
        return cls(storefront=account.storefront, errors=[])
