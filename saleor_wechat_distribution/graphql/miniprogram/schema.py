"""The Mini Program's queries and mutations, mixed into the schema (graphql/schema.py)."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...services.miniprogram.transfers import mini_program_transfer_package
from ..core.errors import QueryError, domain_errors_as_query_errors
from ..core.ids import InvalidGlobalId, decode_global_id
from ..core.permissions import distributor_required
from ..mutations.mini_program_code_create import MiniProgramCodeCreate
from ..mutations.mini_program_sign_in import MiniProgramSignIn
from ..mutations.mini_program_subscriptions_record import MiniProgramSubscriptionsRecord
from ..mutations.referral_scene_resolve import ReferralSceneResolve
from .types import MiniProgramTransferPackage


class MiniProgramQueries(graphene.ObjectType):
    mini_program_transfer_package = graphene.Field(
        MiniProgramTransferPackage,
        id=graphene.ID(required=True, description="Your withdrawal's global id."),
        description="wx.requestMerchantTransfer's parameters in the Mini Program, for your withdrawal "
        "made to your Mini Program openid and waiting for confirmation.",
    )

    @staticmethod
    @distributor_required
    @domain_errors_as_query_errors
    def resolve_mini_program_transfer_package(root: Any, info: Any, *, id: str) -> MiniProgramTransferPackage:
        try:
            pk = decode_global_id(id, expected_type="Withdrawal")
        except InvalidGlobalId:
            raise QueryError(
                _("Invalid ID: %(id)s.") % {"id": str(id)[:64]}, code="INVALID", field="id"
            ) from None
        found = mini_program_transfer_package(distributor=info.context.viewer_distributor, withdrawal_id=pk)
        return MiniProgramTransferPackage(mch_id=found.mch_id, app_id=found.app_id, package=found.package)


class MiniProgramMutations(graphene.ObjectType):
    mini_program_sign_in = MiniProgramSignIn.Field()
    mini_program_code_create = MiniProgramCodeCreate.Field()
    mini_program_subscriptions_record = MiniProgramSubscriptionsRecord.Field()
    referral_scene_resolve = ReferralSceneResolve.Field()
