"""Per-request batch loaders, so a page of distributors asking for their parents costs one query."""

from __future__ import annotations

from typing import Any

from promise import Promise
from promise.dataloader import DataLoader

from ..models import Commission, Distributor
from ..selectors.center import commission_explanations
from ..selectors.disputes import commission_hold_reasons


class DistributorByPathLoader(DataLoader):
    def batch_load_fn(self, paths: list[str]) -> Promise:
        found = {d.path: d for d in Distributor.objects.filter(path__in=paths)}
        return Promise.resolve([found.get(path) for path in paths])


class DistributorByIdLoader(DataLoader):
    """The distributors of a page of commissions, withdrawals or attributed orders, in one query."""

    def batch_load_fn(self, ids: list[int]) -> Promise:
        found = Distributor.objects.in_bulk(ids)
        return Promise.resolve([found.get(pk) for pk in ids])


class CommissionHoldReasonLoader(DataLoader):
    """Why each commission of a page is held (an open dispute or refund request), in one query."""

    def batch_load_fn(self, commissions: list[Commission]) -> Promise:
        reasons = commission_hold_reasons(commissions=commissions)
        return Promise.resolve([reasons.get(c.pk) for c in commissions])

    def get_cache_key(self, commission: Commission) -> int:
        return commission.pk


class CommissionExplanationLoader(DataLoader):
    """Why each commission of a page is where it is (holds, refunds, reassignments), in three queries."""

    def batch_load_fn(self, commissions: list[Commission]) -> Promise:
        found = commission_explanations(commissions=commissions)
        return Promise.resolve([found[c.pk] for c in commissions])

    def get_cache_key(self, commission: Commission) -> int:
        return commission.pk


def loader(context: Any, loader_class: type[DataLoader]) -> DataLoader:
    key = loader_class.__name__
    if key not in context.loaders:
        context.loaders[key] = loader_class()
    return context.loaders[key]
