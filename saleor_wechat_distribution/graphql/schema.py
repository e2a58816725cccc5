"""The schema: queries and mutations for the distribution program."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import graphene
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..domain.distributors import DistributorKind, DistributorStatus
from ..domain.errors import CommissionErrorCode
from ..domain.permissions import Permission
from ..models import ChannelProgram as ChannelProgramModel
from ..models import Commission as CommissionModel
from ..models import CommissionRule as CommissionRuleModel
from ..models import Distributor as DistributorModel
from ..models import Withdrawal as WithdrawalModel
from ..selectors.commissions import Balance as BalanceData
from ..selectors.commissions import (
    attributed_orders_of,
    balance_of,
    commissions_of,
    distributor_stats,
    withdrawals_of,
)
from ..selectors.distributors import (
    distributor_get,
    distributor_list,
    distributor_team,
    distributor_team_level_counts,
)
from ..selectors.programs import commission_rules_of, program_for_channel
from ..services.referrals import referral_link
from .bulk_schema import DistributorBulkMutations
from .core.connection import keyset_connection
from .core.errors import QueryError, domain_errors_as_query_errors
from .core.ids import InvalidGlobalId, decode_global_id
from .core.inputs import HOST_ID_MAX_LENGTH, clean_channel, clean_text
from .core.node import node_field
from .core.permissions import (
    distributor_required,
    login_required,
    permission_required,
    permission_required_or_self,
)
from .coupons import CouponQueries
from .enums import CommissionStatusEnum, DistributorKindEnum, DistributorStatusEnum, WithdrawalStatusEnum
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
from .mutations.withdrawal_reject import WithdrawalReject
from .mutations.withdrawal_request import WithdrawalRequest
from .network_schema import NetworkMutations, NetworkQueries
from .storefront_schema import StorefrontMutations, StorefrontQueries
from .types import (
    Balance,
    ChannelProgram,
    CommissionCountableConnection,
    CommissionRule,
    Distributor,
    DistributorCountableConnection,
    DistributorStats,
    DistributorTeamConnection,
    OrderAttributionCountableConnection,
    WithdrawalCountableConnection,
)

SEARCH_MAX_LENGTH = 100
MAX_TEAM_LEVEL = 62


class DistributorFilterInput(graphene.InputObjectType):
    status = DistributorStatusEnum()
    kind = DistributorKindEnum()
    search = graphene.String(description="Part of the display name, an exact referral code or e-mail.")


class CommissionFilterInput(graphene.InputObjectType):
    status = CommissionStatusEnum()
    distributor_id = graphene.ID(description="Global id of the distributor who earns.")
    order_id = graphene.ID(description="The host's (Saleor's) order id.")


class WithdrawalFilterInput(graphene.InputObjectType):
    status = WithdrawalStatusEnum()
    distributor_id = graphene.ID(description="Global id of the distributor who withdraws.")


CHANNEL_ARGUMENT = "Channel slug."


def _by_distributor(queryset: QuerySet, global_id: str | None, select: Any, **filters: Any) -> QuerySet:
    """``select(distributor=..., **filters)``, or nothing when the filter names no distributor we know."""
    if global_id is None:
        return select(**filters)
    try:
        pk = decode_global_id(global_id, expected_type="Distributor")
    except InvalidGlobalId:
        raise QueryError(
            _("Invalid ID: %(id)s.") % {"id": str(global_id)[:64]}, code="INVALID", field="distributorId"
        ) from None
    distributor = distributor_get(distributor_id=pk)
    return queryset.none() if distributor is None else select(distributor=distributor, **filters)


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


class CommissionQueries(graphene.ObjectType):
    """Commissions, balances, withdrawals, attributed orders, program settings."""

    my_commissions = graphene.Field(
        CommissionCountableConnection,
        status=CommissionStatusEnum(),
        first=graphene.Int(),
        after=graphene.String(),
        description="The signed-in distributor's commissions, newest first.",
    )
    my_balance = graphene.Field(
        Balance,
        channel=graphene.String(required=True, description=CHANNEL_ARGUMENT),
        description="The signed-in distributor's money in the channel's currency.",
    )
    my_withdrawals = graphene.Field(
        WithdrawalCountableConnection,
        first=graphene.Int(),
        after=graphene.String(),
        description="The signed-in distributor's withdrawals, newest first.",
    )
    my_attributed_orders = graphene.Field(
        OrderAttributionCountableConnection,
        first=graphene.Int(),
        after=graphene.String(),
        description="Orders attributed to the signed-in distributor, newest first.",
    )
    referral_link = graphene.String(
        channel=graphene.String(required=True, description=CHANNEL_ARGUMENT),
        product_id=graphene.ID(description="A product's page instead of the storefront's home page."),
        description="The signed-in distributor's share link on the channel's storefront.",
    )
    commissions = graphene.Field(
        CommissionCountableConnection,
        filter=CommissionFilterInput(),
        first=graphene.Int(),
        after=graphene.String(),
        description="Staff: all commissions, newest first. Requires MANAGE_ORDERS.",
    )
    withdrawals = graphene.Field(
        WithdrawalCountableConnection,
        filter=WithdrawalFilterInput(),
        first=graphene.Int(),
        after=graphene.String(),
        description="Staff: all withdrawals, newest first. Requires MANAGE_ORDERS.",
    )
    commission_rules = graphene.List(
        graphene.NonNull(CommissionRule),
        channel=graphene.String(required=True, description=CHANNEL_ARGUMENT),
        description="Staff: the channel's commission rules, by level. Requires MANAGE_PLUGINS.",
    )
    channel_program = graphene.Field(
        ChannelProgram,
        channel=graphene.String(required=True, description=CHANNEL_ARGUMENT),
        description="Staff: the channel's program settings (the defaults when never configured). "
        "Requires MANAGE_PLUGINS.",
    )
    distributor_stats = graphene.Field(
        DistributorStats,
        id=graphene.ID(required=True, description="Global id of the distributor."),
        channel=graphene.String(required=True, description="Channel slug whose currency amounts are in."),
        from_=graphene.Argument(graphene.DateTime, required=True, name="from", description="Included."),
        to=graphene.Argument(graphene.DateTime, required=True, description="Excluded."),
        description="A distributor's sales, orders and commission over [from, to), orders per source and "
        "team size per level. Requires MANAGE_USERS, or the distributor itself.",
    )

    @staticmethod
    @distributor_required
    def resolve_my_commissions(
        root: Any, info: Any, *, status: str | None = None, first: int | None = None, after: str | None = None
    ) -> CommissionCountableConnection:
        queryset = commissions_of(distributor=info.context.viewer_distributor, status=status)
        return keyset_connection(queryset, CommissionCountableConnection, key="-pk", first=first, after=after)

    @staticmethod
    @distributor_required
    @domain_errors_as_query_errors
    def resolve_my_balance(root: Any, info: Any, *, channel: str) -> BalanceData:
        channel = clean_channel(channel, code=CommissionErrorCode.INVALID)
        currency = program_for_channel(channel=channel).currency
        return balance_of(distributor=info.context.viewer_distributor, currency=currency)

    @staticmethod
    @distributor_required
    def resolve_my_withdrawals(
        root: Any, info: Any, *, first: int | None = None, after: str | None = None
    ) -> WithdrawalCountableConnection:
        queryset = withdrawals_of(distributor=info.context.viewer_distributor)
        return keyset_connection(queryset, WithdrawalCountableConnection, key="-pk", first=first, after=after)

    @staticmethod
    @distributor_required
    def resolve_my_attributed_orders(
        root: Any, info: Any, *, first: int | None = None, after: str | None = None
    ) -> OrderAttributionCountableConnection:
        queryset = attributed_orders_of(distributor=info.context.viewer_distributor)
        return keyset_connection(
            queryset, OrderAttributionCountableConnection, key="-pk", first=first, after=after
        )

    @staticmethod
    @distributor_required
    @domain_errors_as_query_errors
    def resolve_referral_link(root: Any, info: Any, *, channel: str, product_id: str | None = None) -> str:
        return referral_link(
            distributor=info.context.viewer_distributor,
            channel=clean_channel(channel, code=CommissionErrorCode.INVALID),
            product_id=clean_text(
                product_id, field="productId", code=CommissionErrorCode.INVALID, max_length=HOST_ID_MAX_LENGTH
            ),
        )

    @staticmethod
    @permission_required(Permission.MANAGE_ORDERS)
    @domain_errors_as_query_errors
    def resolve_commissions(
        root: Any,
        info: Any,
        *,
        filter: dict | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> CommissionCountableConnection:
        filter = filter or {}
        order_id = clean_text(
            filter.get("order_id"),
            field="orderId",
            code=CommissionErrorCode.INVALID,
            max_length=HOST_ID_MAX_LENGTH,
        )
        queryset = _by_distributor(
            CommissionModel.objects.none(),
            filter.get("distributor_id"),
            commissions_of,
            status=filter.get("status"),
            order_id=order_id,
        )
        return keyset_connection(queryset, CommissionCountableConnection, key="-pk", first=first, after=after)

    @staticmethod
    @permission_required(Permission.MANAGE_ORDERS)
    def resolve_withdrawals(
        root: Any,
        info: Any,
        *,
        filter: dict | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> WithdrawalCountableConnection:
        filter = filter or {}
        queryset = _by_distributor(
            WithdrawalModel.objects.none(),
            filter.get("distributor_id"),
            withdrawals_of,
            status=filter.get("status"),
        )
        return keyset_connection(queryset, WithdrawalCountableConnection, key="-pk", first=first, after=after)

    @staticmethod
    @permission_required(Permission.MANAGE_PLUGINS)
    @domain_errors_as_query_errors
    def resolve_commission_rules(root: Any, info: Any, *, channel: str) -> list[CommissionRuleModel]:
        channel = clean_channel(channel, code=CommissionErrorCode.INVALID)
        currency = program_for_channel(channel=channel).currency
        rules = commission_rules_of(channel=channel)
        for rule in rules:  # fixed amounts are in the channel's currency
            rule.currency = currency
        return rules

    @staticmethod
    @permission_required(Permission.MANAGE_PLUGINS)
    @domain_errors_as_query_errors
    def resolve_channel_program(root: Any, info: Any, *, channel: str) -> ChannelProgramModel:
        return program_for_channel(channel=clean_channel(channel, code=CommissionErrorCode.INVALID))

    @staticmethod
    @permission_required_or_self(Permission.MANAGE_USERS)
    @domain_errors_as_query_errors
    def resolve_distributor_stats(
        root: Any, info: Any, *, id: str, channel: str, from_: datetime, to: datetime
    ) -> DistributorStats | None:
        try:
            pk = decode_global_id(id, expected_type="Distributor")
        except InvalidGlobalId:
            raise QueryError(
                _("Invalid ID: %(id)s.") % {"id": str(id)[:64]}, code="INVALID", field="id"
            ) from None
        channel = clean_channel(channel, code=CommissionErrorCode.INVALID)
        start, end = _aware(from_), _aware(to)
        if start >= end:
            raise QueryError(_("'to' must be later than 'from'."), code="INVALID", field="to")
        distributor = distributor_get(distributor_id=pk)
        if distributor is None:
            return None
        stats = DistributorStats()
        stats.data = distributor_stats(distributor=distributor, start=start, end=end, channel=channel)
        stats.currency = program_for_channel(channel=channel).currency
        return stats


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
    commission_rules_set = CommissionRulesSet.Field()
    channel_program_update = ChannelProgramUpdate.Field()
    order_attribution_reassign = OrderAttributionReassign.Field()
    checkout_attribute = CheckoutAttribute.Field()
    voucher_coupon_sync = VoucherCouponSync.Field()
    voucher_coupon_stock_attach = VoucherCouponStockAttach.Field()
    voucher_card_link = VoucherCardLink.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
