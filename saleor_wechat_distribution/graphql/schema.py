"""The schema: queries and mutations for the distribution program (commission queries in
``commission_schema.py``, imports and disputes in ``network_schema.py``, storefronts in
``storefront_schema.py``)."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ..domain.distributors import DistributorKind, DistributorStatus
from ..domain.permissions import Permission
from ..models import Distributor as DistributorModel
from ..selectors.distributors import (
    distributor_get,
    distributor_list,
    distributor_team,
    distributor_team_level_counts,
)
from .bulk_schema import DistributorBulkMutations
from .commission_schema import CommissionQueries
from .core.connection import keyset_connection
from .core.errors import QueryError
from .core.ids import InvalidGlobalId, decode_global_id
from .core.node import node_field
from .core.permissions import (
    login_required,
    permission_required,
)
from .coupons import CouponQueries
from .enums import DistributorKindEnum, DistributorStatusEnum
from .mutations.channel_program_update import ChannelProgramUpdate
from .mutations.checkout_attribute import CheckoutAttribute
from .mutations.commission_rules_set import CommissionRulesSet
from .mutations.distributor_apply import DistributorApply
from .mutations.distributor_approve import DistributorApprove
from .mutations.distributor_move import DistributorMove
from .mutations.distributor_reactivate import DistributorReactivate
from .mutations.distributor_reject import DistributorReject
from .mutations.distributor_suspend import DistributorSuspend
from .mutations.order_attribution_reassign import OrderAttributionReassign
from .mutations.voucher_card_link import VoucherCardLink
from .mutations.voucher_coupon_stock_attach import VoucherCouponStockAttach
from .mutations.voucher_coupon_sync import VoucherCouponSync
from .mutations.withdrawal_approve import WithdrawalApprove
from .mutations.withdrawal_fail import WithdrawalFail
from .mutations.withdrawal_reject import WithdrawalReject
from .mutations.withdrawal_request import WithdrawalRequest
from .mutations.withdrawal_retry import WithdrawalRetry
from .network_schema import NetworkMutations, NetworkQueries
from .storefront_schema import StorefrontMutations, StorefrontQueries
from .types import (
    Distributor,
    DistributorCountableConnection,
    DistributorTeamConnection,
)

SEARCH_MAX_LENGTH = 100
MAX_TEAM_LEVEL = 62


class DistributorFilterInput(graphene.InputObjectType):
    status = DistributorStatusEnum()
    kind = DistributorKindEnum()
    search = graphene.String(description="Part of the display name, an exact referral code or e-mail.")


class DistributorQueries(graphene.ObjectType):
    """Distributors and their teams."""

    node = node_field()
    my_distributor = graphene.Field(Distributor, description="The signed-in customer's distributor profile.")
    my_team = graphene.Field(
        DistributorTeamConnection,
        level=graphene.Int(default_value=1, description="1 = invited directly, 2 = their invitees, ..."),
        first=graphene.Int(),
        after=graphene.String(),
        description="Approved members of the signed-in distributor's team at one level.",
    )
    distributor = graphene.Field(
        Distributor,
        id=graphene.ID(required=True),
        description="Staff: one distributor. Requires MANAGE_USERS.",
    )
    distributors = graphene.Field(
        DistributorCountableConnection,
        filter=DistributorFilterInput(),
        first=graphene.Int(),
        after=graphene.String(),
        description="Staff: all distributors, newest first. Requires MANAGE_USERS.",
    )

    @staticmethod
    @login_required
    def resolve_my_distributor(root: Any, info: Any) -> DistributorModel | None:
        return info.context.viewer_distributor

    @staticmethod
    @login_required
    def resolve_my_team(
        root: Any, info: Any, *, level: int = 1, first: int | None = None, after: str | None = None
    ) -> DistributorTeamConnection:
        viewer = info.context.viewer_distributor
        if viewer is None:
            raise QueryError(_("You are not a distributor."), code="NOT_FOUND")
        if not 1 <= level <= MAX_TEAM_LEVEL:
            raise QueryError(
                _("'level' must be between 1 and %(max)d.") % {"max": MAX_TEAM_LEVEL},
                code="INVALID",
                field="level",
            )
        connection = keyset_connection(
            distributor_team(distributor=viewer, level=level),
            DistributorTeamConnection,
            key="path",
            first=first,
            after=after,
        )
        connection.level_counts = distributor_team_level_counts(distributor=viewer)
        return connection

    @staticmethod
    @permission_required(Permission.MANAGE_USERS)
    def resolve_distributor(root: Any, info: Any, *, id: str) -> DistributorModel | None:
        try:
            pk = decode_global_id(id, expected_type="Distributor")
        except InvalidGlobalId:
            raise QueryError(
                _("Invalid ID: %(id)s.") % {"id": str(id)[:64]}, code="INVALID", field="id"
            ) from None
        return distributor_get(distributor_id=pk)

    @staticmethod
    @permission_required(Permission.MANAGE_USERS)
    def resolve_distributors(
        root: Any,
        info: Any,
        *,
        filter: dict | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> DistributorCountableConnection:
        filter = filter or {}
        search = filter.get("search")
        if search is not None and "\x00" in search:
            raise QueryError(_("'search' contains a NUL character."), code="INVALID", field="search")
        if search is not None and len(search) > SEARCH_MAX_LENGTH:
            raise QueryError(
                _("'search' can be at most %(max)d characters long.") % {"max": SEARCH_MAX_LENGTH},
                code="INVALID",
                field="search",
            )
        status, kind = filter.get("status"), filter.get("kind")
        queryset = distributor_list(
            status=DistributorStatus(status) if status else None,
            kind=DistributorKind(kind) if kind else None,
            search=search,
        )
        return keyset_connection(
            queryset, DistributorCountableConnection, key="-pk", first=first, after=after
        )


class Query(NetworkQueries, StorefrontQueries, CouponQueries, CommissionQueries, DistributorQueries):
    pass


class Mutation(NetworkMutations, StorefrontMutations, DistributorBulkMutations, graphene.ObjectType):
    distributor_apply = DistributorApply.Field()
    distributor_approve = DistributorApprove.Field()
    distributor_reject = DistributorReject.Field()
    distributor_suspend = DistributorSuspend.Field()
    distributor_reactivate = DistributorReactivate.Field()
    distributor_move = DistributorMove.Field()
    withdrawal_request = WithdrawalRequest.Field()
    withdrawal_approve = WithdrawalApprove.Field()
    withdrawal_reject = WithdrawalReject.Field()
    withdrawal_retry = WithdrawalRetry.Field()
    withdrawal_fail = WithdrawalFail.Field()
    commission_rules_set = CommissionRulesSet.Field()
    channel_program_update = ChannelProgramUpdate.Field()
    order_attribution_reassign = OrderAttributionReassign.Field()
    checkout_attribute = CheckoutAttribute.Field()
    voucher_coupon_sync = VoucherCouponSync.Field()
    voucher_coupon_stock_attach = VoucherCouponStockAttach.Field()
    voucher_card_link = VoucherCardLink.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
