"""Per-request batch loaders of the money page and the order widget: a page of disputes or attributions
asking for their orders' commissions, disputes, events or history costs one query per kind, whatever the
page size."""

from __future__ import annotations

from promise import Promise
from promise.dataloader import DataLoader

from ...selectors.money_console import (
    attributions_of_orders,
    changes_of_attributions,
    commissions_of_orders,
    events_of_disputes,
    latest_disputes_of_orders,
)


class AttributionByOrderLoader(DataLoader):
    def batch_load_fn(self, order_ids: list[str]) -> Promise:
        found = attributions_of_orders(order_ids)
        return Promise.resolve([found.get(order_id) for order_id in order_ids])


class CommissionsByOrderLoader(DataLoader):
    def batch_load_fn(self, order_ids: list[str]) -> Promise:
        found = commissions_of_orders(order_ids)
        return Promise.resolve([found.get(order_id, []) for order_id in order_ids])


class LatestDisputeByOrderLoader(DataLoader):
    def batch_load_fn(self, order_ids: list[str]) -> Promise:
        found = latest_disputes_of_orders(order_ids)
        return Promise.resolve([found.get(order_id) for order_id in order_ids])


class DisputeEventsLoader(DataLoader):
    def batch_load_fn(self, dispute_ids: list[int]) -> Promise:
        found = events_of_disputes(dispute_ids)
        return Promise.resolve([found.get(pk, []) for pk in dispute_ids])


class AttributionChangesLoader(DataLoader):
    def batch_load_fn(self, attribution_ids: list[int]) -> Promise:
        found = changes_of_attributions(attribution_ids)
        return Promise.resolve([found.get(pk, []) for pk in attribution_ids])
