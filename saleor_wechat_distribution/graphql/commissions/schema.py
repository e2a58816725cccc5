"""Queries of commissions, balances, withdrawals, attributed orders and program settings, mixed into
the schema's root. Every ``channel`` argument goes through ``core.channels.channel_argument``: under Saleor
the route's channel decides; money reads take no program of defaults (``UNKNOWN_CHANNEL``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import graphene
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ...domain.errors import CommissionErrorCode
from ...domain.permissions import Permission
from ...models import ChannelProgram as ChannelProgramModel
from ...models import Commission as CommissionModel
from ...models import CommissionRule as CommissionRuleModel
from ...models import Withdrawal as WithdrawalModel
from ...selectors.commissions import Balance as BalanceData
from ...selectors.commissions import (
    attributed_orders_of,
    balance_of,
    commissions_of,
    distributor_stats,
    withdrawals_of,
)
from ...selectors.distributors import distributor_get
from ...selectors.money_console import staff_commissions
from ...selectors.programs import ProgramChannel as ProgramChannelData
from ...selectors.programs import commission_rules_of, program_channels, program_for_channel
from ...services.referrals import referral_link
from ...services.withdrawals import channel_program_required
from ..core.channels import channel_argument
from ..core.connection import keyset_connection
from ..core.errors import QueryError, domain_errors_as_query_errors
from ..core.ids import decode_id_argument
from ..core.inputs import HOST_ID_MAX_LENGTH, clean_text
from ..core.permissions import distributor_required, permission_required, permission_required_or_self
from ..enums import CommissionStatusEnum, WithdrawalStatusEnum
from ..money.schema import MoneyQueries
from ..programs.categories import CATEGORY_IDS_MAX, program_categories_page
from ..programs.products import PRODUCT_IDS_MAX, program_products_page
from ..programs.types import (
    ChannelProgram,
    CommissionRule,
    ProgramCategoryConnection,
    ProgramChannel,
    ProgramProductConnection,
)
from .filters import commission_filter
from .stats_types import DistributorStats
from .types import (
    Balance,
    CommissionCountableConnection,
    OrderAttributionCountableConnection,
    WithdrawalCountableConnection,
)


class CommissionFilterInput(graphene.InputObjectType):
    status = CommissionStatusEnum()
    distributor_id = graphene.ID(description="Global id of the distributor who earns.")
    order_id = graphene.ID(description="The host's (Saleor's) order id.")
    referral_code = graphene.String(description="The earning distributor's referral code (or external id).")
    created_from = graphene.DateTime(description="Created at or after.")
    created_to = graphene.DateTime(description="Created before.")


class WithdrawalFilterInput(graphene.InputObjectType):
    status = WithdrawalStatusEnum()
    distributor_id = graphene.ID(description="Global id of the distributor who withdraws.")


CHANNEL_ARGUMENT = "Channel slug."


def _by_distributor(queryset: QuerySet, global_id: str | None, select: Any, **filters: Any) -> QuerySet:
    """``select(distributor=..., **filters)``, or nothing when the filter names no distributor we know."""
    if global_id is None:
        return select(**filters)
    pk = decode_id_argument(global_id, expected_type="Distributor", field="distributorId")
    distributor = distributor_get(distributor_id=pk)
    return queryset.none() if distributor is None else select(distributor=distributor, **filters)


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


class CommissionQueries(MoneyQueries, graphene.ObjectType):
    """Commissions, balances, withdrawals, attributed orders, program settings (and the console's money
    reads, ``money/schema.py``)."""

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
    program_channels = graphene.List(
        graphene.NonNull(ProgramChannel),
        required=True,
        description="Staff: the channels the program can run in (the shop's, and those with a saved "
        "program), by slug; only the address's own channel on an address that serves one. "
        "Requires MANAGE_PLUGINS.",
    )
    program_products = graphene.Field(
        graphene.NonNull(ProgramProductConnection),
        channel=graphene.String(required=True, description=CHANNEL_ARGUMENT),
        search=graphene.String(description="Part of the name (the host's catalog search)."),
        ids=graphene.List(
            graphene.NonNull(graphene.ID),
            description=f"These products (at most {PRODUCT_IDS_MAX}), in this order, instead of a search: "
            "the names of the products the rules name (ids not on sale in the channel are left out).",
        ),
        first=graphene.Int(),
        after=graphene.String(),
        description="Staff: the shop's products in the channel, to pick for a commission rule. "
        "Requires MANAGE_PLUGINS.",
    )
    program_categories = graphene.Field(
        graphene.NonNull(ProgramCategoryConnection),
        search=graphene.String(description="Part of the name (the host's category search)."),
        ids=graphene.List(
            graphene.NonNull(graphene.ID),
            description=f"These categories (at most {CATEGORY_IDS_MAX}), in this order, instead of a search: "
            "the names of the categories the rules name (ids the shop does not know are left out).",
        ),
        first=graphene.Int(),
        after=graphene.String(),
        description="Staff: the shop's product categories (each with its path in the category tree), to "
        "pick for a commission rule. Requires MANAGE_PLUGINS.",
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
        program = channel_program_required(channel_argument(info, channel))
        return balance_of(distributor=info.context.viewer_distributor, currency=program.currency)

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
            channel=channel_argument(info, channel),
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
        filters = commission_filter(filter or {})
        queryset = CommissionModel.objects.none() if filters is None else staff_commissions(filters)
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
        channel = channel_argument(info, channel)
        currency = program_for_channel(channel=channel).currency
        rules = commission_rules_of(channel=channel)
        for rule in rules:  # fixed amounts are in the channel's currency
            rule.currency = currency
        return rules

    @staticmethod
    @permission_required(Permission.MANAGE_PLUGINS)
    @domain_errors_as_query_errors
    def resolve_program_products(
        root: Any,
        info: Any,
        *,
        channel: str,
        search: str | None = None,
        ids: list[str] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ProgramProductConnection:
        return program_products_page(
            channel=channel_argument(info, channel), search=search, ids=ids, first=first, after=after
        )

    @staticmethod
    @permission_required(Permission.MANAGE_PLUGINS)
    @domain_errors_as_query_errors
    def resolve_program_categories(
        root: Any,
        info: Any,
        *,
        search: str | None = None,
        ids: list[str] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ProgramCategoryConnection:
        return program_categories_page(search=search, ids=ids, first=first, after=after)

    @staticmethod
    @permission_required(Permission.MANAGE_PLUGINS)
    def resolve_program_channels(root: Any, info: Any) -> list[ProgramChannelData]:
        return program_channels(only=getattr(info.context, "channel", None))

    @staticmethod
    @permission_required(Permission.MANAGE_PLUGINS)
    @domain_errors_as_query_errors
    def resolve_channel_program(root: Any, info: Any, *, channel: str) -> ChannelProgramModel:
        return program_for_channel(channel=channel_argument(info, channel))

    @staticmethod
    @permission_required_or_self(Permission.MANAGE_USERS)
    @domain_errors_as_query_errors
    def resolve_distributor_stats(
        root: Any, info: Any, *, id: str, channel: str, from_: datetime, to: datetime
    ) -> DistributorStats | None:
        pk = decode_id_argument(id, expected_type="Distributor")
        channel = channel_argument(info, channel)
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
