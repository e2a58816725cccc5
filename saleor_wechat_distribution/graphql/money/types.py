"""Types of the console's money reads: withdrawal totals, an attribution's policy and its history."""

from __future__ import annotations

from typing import Any

import graphene

from ...models import AttributionChange as AttributionChangeModel
from ...selectors.money_console import WithdrawalTotal as WithdrawalTotalData
from ..core.money import Money, money
from ..dataloaders import DistributorByIdLoader, loader
from ..distributors.types import Distributor
from ..enums import WithdrawalStatusEnum


class WithdrawalTotal(graphene.ObjectType):
    status = WithdrawalStatusEnum(required=True)
    count = graphene.Int(required=True, description="Withdrawals in this status and currency.")
    amount = graphene.Field(Money, required=True, description="Their sum.")

    class Meta:
        description = "How many withdrawals are in a status, and how much money, per currency."

    @staticmethod
    def resolve_amount(root: WithdrawalTotalData, info: Any) -> Money:
        return money(root.amount, root.currency)


class AttributionPolicy(graphene.ObjectType):
    trigger = graphene.String(description="What bound the customer (the binding trigger) at the time.")
    validity_days = graphene.Int(description="How long a binding lasted; null: for good.")
    protection_days = graphene.Int(description="How long nobody else could take the customer over.")
    override = graphene.String(description="Whether another distributor could take a bound customer over.")
    code_priority = graphene.String(description="Which code won when an order carried two.")
    commission_depth = graphene.Int(description="Levels paid (at most two).")
    self_purchase_earns = graphene.Boolean(description="Whether a distributor's own orders earned.")

    class Meta:
        description = "The channel program's attribution policy as it was when the order was decided."

    @classmethod
    def from_snapshot(cls, snapshot: dict) -> AttributionPolicy:
        return cls(**{name: snapshot.get(name) for name in cls._meta.fields})


def _distributor(context: Any, pk: int | None) -> Any:
    return None if pk is None else loader(context, DistributorByIdLoader).load(pk)


class AttributionChange(graphene.ObjectType):
    from_distributor = graphene.Field(Distributor, description="Who had the order; null: nobody.")
    to_distributor = graphene.Field(Distributor, description="Who got it; null: nobody.")
    actor = graphene.String(required=True, description="Who reassigned it.")
    reason = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)

    class Meta:
        description = "A staff reassignment of an order (the history is kept)."

    @staticmethod
    def resolve_from_distributor(root: AttributionChangeModel, info: Any) -> Any:
        return _distributor(info.context, root.from_distributor_id)

    @staticmethod
    def resolve_to_distributor(root: AttributionChangeModel, info: Any) -> Any:
        return _distributor(info.context, root.to_distributor_id)
