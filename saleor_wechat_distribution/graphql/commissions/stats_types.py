"""A distributor's figures over a period (the ``distributorStats`` query)."""

from __future__ import annotations

from typing import Any

import graphene

from ...selectors.commissions import DistributorStats as DistributorStatsData
from ..core.money import Money, money
from ..distributors.types import TeamLevelCount
from ..enums import AttributionSourceEnum


class SourceCount(graphene.ObjectType):
    source = AttributionSourceEnum(description="null: recorded without a source.")
    count = graphene.Int(required=True)


class DistributorStats(graphene.ObjectType):
    sales = graphene.Field(
        Money, required=True, description="Net total of the orders attributed to the distributor."
    )
    orders = graphene.Int(required=True, description="Orders attributed to the distributor.")
    commission = graphene.Field(
        Money, required=True, description="Commissions earned (any level), less what was taken back."
    )
    orders_by_source = graphene.List(graphene.NonNull(SourceCount), required=True)
    team_by_level = graphene.List(
        graphene.NonNull(TeamLevelCount),
        required=True,
        description="Approved members per level of the team today (not limited to the period).",
    )

    class Meta:
        description = "A distributor's figures over a period."

    @staticmethod
    def resolve_sales(root: Any, info: Any) -> Money:
        data: DistributorStatsData = root.data
        return money(data.sales, root.currency)

    @staticmethod
    def resolve_orders(root: Any, info: Any) -> int:
        return root.data.orders

    @staticmethod
    def resolve_commission(root: Any, info: Any) -> Money:
        return money(root.data.commission, root.currency)

    @staticmethod
    def resolve_orders_by_source(root: Any, info: Any) -> list[SourceCount]:
        return [
            SourceCount(source=source or None, count=n)
            for source, n in sorted(root.data.orders_by_source.items())
        ]

    @staticmethod
    def resolve_team_by_level(root: Any, info: Any) -> list[TeamLevelCount]:
        return [TeamLevelCount(level=level, count=n) for level, n in sorted(root.data.team_by_level.items())]
