"""What the staff console reads about a distributor besides its profile: its place in the network
(ancestors, direct children, distributors per level below it), its customers (binding counts), its
storefront, and its money (balances per currency, the ledger). Mixed into the ``Distributor`` type.

Every field is batched per request (dataloaders) or costs a fixed number of statements, whatever the
size of the page asking for it: tests/graphql/test_console_statements.py counts them.
"""

from __future__ import annotations

from typing import Any

import graphene
from django.utils import timezone
from promise import Promise
from promise.dataloader import DataLoader

from ...domain.permissions import Permission
from ...models import ChannelProgram as ChannelProgramModel
from ...models import Distributor as DistributorModel
from ...models import LedgerEntry as LedgerEntryModel
from ...models import Storefront as StorefrontModel
from ...selectors.commissions import balance_of
from ...selectors.customers import BindingCounts as BindingCountsData
from ...selectors.customers import binding_counts, ledger_of
from ...selectors.distributors import distributor_ancestors, network_level_counts
from ..core.connection import CountableConnection, keyset_connection
from ..core.money import Money, money
from ..core.permissions import check_access
from ..dataloaders import loader


class BindingCountsLoader(DataLoader):
    """Binding counts of every distributor of a page, in one grouped query."""

    def batch_load_fn(self, ids: list[int]) -> Promise:
        found = binding_counts(distributor_ids=ids, now=timezone.now())
        empty = BindingCountsData(total=0, active=0)
        return Promise.resolve([found.get(pk, empty) for pk in ids])


class StorefrontByDistributorLoader(DataLoader):
    def batch_load_fn(self, ids: list[int]) -> Promise:
        found = {s.distributor_id: s for s in StorefrontModel.objects.filter(distributor_id__in=ids)}
        return Promise.resolve([found.get(pk) for pk in ids])


class BindingCounts(graphene.ObjectType):
    total = graphene.Int(required=True, description="Customers and WeChat identities bound, ever kept.")
    active = graphene.Int(required=True, description="Bindings that have not expired.")

    class Meta:
        description = "Customers bound to a distributor."


class NetworkLevelCount(graphene.ObjectType):
    level = graphene.Int(required=True, description="1 = directly below, 2 = below those, ...")
    count = graphene.Int(required=True, description="Distributors of every status at this level.")


class LedgerEntry(graphene.ObjectType):
    kind = graphene.String(
        required=True,
        description="commission, clawback, withdrawal, withdrawal_returned, adjustment, dispute_hold, "
        "dispute_release.",
    )
    amount = graphene.Field(Money, required=True, description="Credit (positive) or debit (negative).")
    order_id = graphene.ID(required=True, description="The host's order (empty: none).")
    created_at = graphene.DateTime(required=True)

    class Meta:
        description = "An entry of a distributor's append-only ledger."

    @staticmethod
    def resolve_amount(root: LedgerEntryModel, info: Any) -> Money:
        return money(root.amount, root.currency)


class LedgerEntryCountableConnection(CountableConnection):
    class Meta:
        node = LedgerEntry


def _balance_type() -> Any:
    from ..commissions.types import Balance

    return Balance


def _storefront_type() -> Any:
    from ..storefronts.types import Storefront

    return Storefront


def _distributor_type() -> Any:
    from .types import Distributor

    return Distributor


STAFF = (Permission.MANAGE_USERS,)
MONEY_STAFF = (Permission.MANAGE_ORDERS,)


class DistributorConsoleFields:
    """Fields of ``Distributor`` for the staff console (MANAGE_USERS; money: MANAGE_ORDERS)."""

    children_count = graphene.Int(
        description="Distributors directly below, every status. Requires MANAGE_USERS."
    )
    ancestors = graphene.List(
        graphene.NonNull(_distributor_type),
        description="The upline, from the top level down to the parent. Requires MANAGE_USERS.",
    )
    network_level_counts = graphene.List(
        graphene.NonNull(NetworkLevelCount),
        description="Distributors of every status per level below this one (large teams: counted at most "
        "a minute ago). Requires MANAGE_USERS.",
    )
    binding_counts = graphene.Field(BindingCounts, description="Requires MANAGE_USERS.")
    storefront = graphene.Field(_storefront_type, description="Its storefront. Requires MANAGE_USERS.")
    balances = graphene.List(
        graphene.NonNull(_balance_type),
        description="Its money in each currency of the programs. Requires MANAGE_ORDERS.",
    )
    ledger = graphene.Field(
        LedgerEntryCountableConnection,
        first=graphene.Int(),
        after=graphene.String(),
        description="Its ledger, newest first. Requires MANAGE_ORDERS.",
    )

    @staticmethod
    def resolve_children_count(root: DistributorModel, info: Any) -> int:
        check_access(info.context.principal, permissions=STAFF)
        return root.numchild

    @staticmethod
    def resolve_ancestors(root: DistributorModel, info: Any) -> list[DistributorModel]:
        check_access(info.context.principal, permissions=STAFF)
        return distributor_ancestors(distributor=root)

    @staticmethod
    def resolve_network_level_counts(root: DistributorModel, info: Any) -> list[NetworkLevelCount]:
        check_access(info.context.principal, permissions=STAFF)
        counts = network_level_counts(parent=root)
        return [NetworkLevelCount(level=level, count=n) for level, n in sorted(counts.items())]

    @staticmethod
    def resolve_binding_counts(root: DistributorModel, info: Any) -> Any:
        check_access(info.context.principal, permissions=STAFF)
        return loader(info.context, BindingCountsLoader).load(root.pk)

    @staticmethod
    def resolve_storefront(root: DistributorModel, info: Any) -> Any:
        check_access(info.context.principal, permissions=STAFF)
        return loader(info.context, StorefrontByDistributorLoader).load(root.pk)

    @staticmethod
    def resolve_balances(root: DistributorModel, info: Any) -> list[Any]:
        check_access(info.context.principal, permissions=MONEY_STAFF)
        currencies = sorted(set(ChannelProgramModel.objects.values_list("currency", flat=True)))
        return [balance_of(distributor=root, currency=currency) for currency in currencies]

    @staticmethod
    def resolve_ledger(
        root: DistributorModel, info: Any, *, first: int | None = None, after: str | None = None
    ) -> LedgerEntryCountableConnection:
        check_access(info.context.principal, permissions=MONEY_STAFF)
        return keyset_connection(
            ledger_of(distributor=root), LedgerEntryCountableConnection, key="-pk", first=first, after=after
        )
