"""The webhooks the App asks Saleor for (the manifest's ``webhooks``), with their subscription queries.

The payloads carry ids only: the tasks read the objects through Saleor's API when they run (``orders.py``),
as the plugin's tasks read the ORM, so a retried or late task sees Saleor as it is now, and a payload is
small and stable across Saleor versions.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import task_names as names

WEBHOOK_PATH = "api/webhooks/"


@dataclass(frozen=True)
class Subscription:
    #: Saleor's ``WebhookEventTypeAsyncEnum`` (the ``Saleor-Event`` header, lower-cased there)
    event: str
    #: the GraphQL type of the event (``subscription { event { ... on <type> } }``)
    type_name: str
    #: the selection inside that fragment
    selection: str
    #: the task that handles it (one service call each)
    task: str

    @property
    def query(self) -> str:
        return (
            f"subscription {self.type_name} {{ event {{ __typename issuedAt "
            f"... on {self.type_name} {{ {self.selection} }} }} }}"
        )


_ORDER = "order { id }"
_VOUCHER = "voucher { id }"
_CODES = "voucherCodes { id code }"

SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription("ORDER_CREATED", "OrderCreated", _ORDER, names.APP_ORDER_CREATED),
    Subscription("ORDER_PAID", "OrderPaid", _ORDER, names.APP_ORDER_PAID),
    Subscription("ORDER_FULLY_PAID", "OrderFullyPaid", _ORDER, names.APP_ORDER_PAID),
    Subscription("ORDER_REFUNDED", "OrderRefunded", _ORDER, names.APP_ORDER_REFUNDED),
    Subscription("ORDER_FULLY_REFUNDED", "OrderFullyRefunded", _ORDER, names.APP_ORDER_REFUNDED),
    Subscription("ORDER_CANCELLED", "OrderCancelled", _ORDER, names.APP_ORDER_CANCELLED),
    Subscription("ORDER_FULFILLED", "OrderFulfilled", _ORDER, names.APP_ORDER_FULFILLED),
    # after-sales cases: a return sends only ORDER_UPDATED; the grants and fulfillment statuses say
    # whether the order has a case to read (``after_sales.py``)
    Subscription(
        "ORDER_UPDATED",
        "OrderUpdated",
        "order { id grantedRefunds { id } fulfillments { status } }",
        names.APP_ORDER_UPDATED,
    ),
    # vouchers -> WeChat Pay coupons (``voucher_tasks.py``); a ``VoucherCode`` does not name its voucher
    Subscription("VOUCHER_CREATED", "VoucherCreated", _VOUCHER, names.APP_VOUCHER_CHANGED),
    Subscription("VOUCHER_UPDATED", "VoucherUpdated", _VOUCHER, names.APP_VOUCHER_CHANGED),
    # the distributor assignment is private metadata: changing it sends only this
    Subscription("VOUCHER_METADATA_UPDATED", "VoucherMetadataUpdated", _VOUCHER, names.APP_VOUCHER_CHANGED),
    Subscription("VOUCHER_CODES_CREATED", "VoucherCodesCreated", _CODES, names.APP_VOUCHER_CODES_CREATED),
    Subscription("VOUCHER_CODES_DELETED", "VoucherCodesDeleted", _CODES, names.APP_VOUCHER_CODES_DELETED),
    Subscription("VOUCHER_DELETED", "VoucherDeleted", _VOUCHER, names.APP_VOUCHER_DELETED),
    Subscription("CUSTOMER_DELETED", "CustomerDeleted", "user { id }", names.APP_CUSTOMER_DELETED),
)

BY_EVENT = {s.event: s for s in SUBSCRIPTIONS}


def manifest_webhooks(target_url: str) -> list[dict]:
    """The manifest's ``webhooks``: one per event, each with its query, all posting to ``target_url``."""
    return [
        {
            "name": f"WeChat distribution {s.event.lower()}",
            "asyncEvents": [s.event],
            "query": s.query,
            "targetUrl": target_url,
            "isActive": True,
        }
        for s in SUBSCRIPTIONS
    ]
