"""Saleor's after-sales cases (granted refunds, returns) -> the core's disputes, in App mode (plugin mode:
``saleor_adapter/after_sales.py``; the rule both follow: ``domain/after_sales.py``).

Which of Saleor's webhooks tell us (Saleor 3.20-3.24, ``saleor/order/actions.py`` and the mutations):

- ``orderGrantRefundCreate`` / ``orderGrantRefundUpdate``: **none** (they only save the order's charge
  status, which touches its ``updatedAt``);
- a refund requested for a grant (``transactionRequestRefundForGrantedRefund``): only the payment app's
  synchronous TRANSACTION_REFUND_REQUESTED, which no other App receives;
- the refund succeeds: ORDER_REFUNDED (+ ORDER_UPDATED, ORDER_FULLY_REFUNDED): ``tasks.py`` reverses the
  refunded lines and so resolves the dispute (``services/disputes.order_refund_received``);
- the refund fails (``REFUND_FAILURE``): **none** (only ``updatedAt`` again);
- products returned without a refund (``orderFulfillmentReturnProducts``): ORDER_UPDATED.

So two ways in, both ending in :func:`order_cases_sync`:

- ORDER_UPDATED (its payload lists the order's grants and fulfillment statuses): at once, when the order
  is one of ours and has a grant, a returned fulfillment or an open case of ours;
- ``app_orders_poll`` (beat, every 5 minutes): the orders Saleor updated since the last poll (``updatedAt``
  from a cursor kept on the installation row, read again with an overlap), for grants created and refunds
  that failed, which no webhook announces.

:func:`order_cases_sync` reads the order's grants, fulfillments and refunds **under the order's case lock**
(``services/disputes.order_cases_sync``), which the refund event's task also takes: Saleor records a
refund before it sends the refund's webhook, so a case is never opened after the refund that closed it was
counted. Every case is recomputed from what Saleor says now, keyed by the plugin's references
(``saleor-granted-refund:<pk>``, ``saleor-return:<pk>``): replays, late and out-of-order deliveries, and a
poll after a webhook change nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q

from ..domain.after_sales import (
    GRANTED,
    GRANTED_PREFIX,
    RETURN,
    RETURN_PREFIX,
    HostCase,
    case_reason,
    case_reference,
    granted_refund_state,
    return_state,
)
from ..models import Commission, OrderAttribution, OrderDispute, SaleorAppInstallation
from ..services import disputes as dispute_services
from .orders import REFUND_SUCCESS, database_pk
from .saleor_api import SaleorApiError, SaleorClient

logger = logging.getLogger(__name__)

RETURNED = "RETURNED"

CASES_QUERY = """
query WeChatDistributionOrderCases($id: ID!) {
  order(id: $id) {
    id
    grantedRefunds { id status reason transactionEvents { id type createdAt } }
    fulfillments { id status created }
    transactions { events { id type createdAt } }
    payments { transactions { id kind isSuccess created } }
  }
}
"""

#: the poll's listing: ids, update times, and just enough to tell which orders have a case
UPDATED_ORDERS_QUERY = """
query WeChatDistributionUpdatedOrders($since: DateTime!, $after: String) {
  orders(
    first: 100, after: $after, filter: { updatedAt: { gte: $since } },
    sortBy: { field: LAST_MODIFIED_AT, direction: ASC }
  ) {
    pageInfo { hasNextPage endCursor }
    edges { node { id updatedAt grantedRefunds { id } fulfillments { status } } }
  }
}
"""
#: orders updated this long before the newest one listed are listed again by the next poll: an order saved
#: in a transaction that commits late carries an ``updatedAt`` earlier than orders listed before it
POLL_OVERLAP = timedelta(minutes=5)
#: the first poll of an installation starts this long before it was installed
POLL_FIRST_LOOKBACK = timedelta(days=1)
#: pages of 100 orders per run; a longer backlog continues at the next run
POLL_MAX_PAGES = 20


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _pk(global_id: Any) -> str:
    return database_pk(global_id) or str(global_id)


def _event_order(event: dict[str, Any]) -> tuple[str, int]:
    pk = _pk(event.get("id"))
    return (str(event.get("createdAt") or ""), int(pk) if pk.isdigit() else 0)


# --- the order's cases, from Saleor's answer --------------------------------------------------------------


def _refund_times(order: dict[str, Any]) -> list[datetime]:
    """When each successful refund was recorded (Transaction API events; legacy payments' refunds)."""
    times = [
        _time(event.get("createdAt"))
        for transaction in order.get("transactions") or ()
        for event in transaction.get("events") or ()
        if event.get("type") == REFUND_SUCCESS
    ] + [
        _time(transaction.get("created"))
        for payment in order.get("payments") or ()
        for transaction in payment.get("transactions") or ()
        if transaction.get("kind") == "REFUND" and transaction.get("isSuccess")
    ]
    return [t for t in times if t is not None]


def _grant_case(grant: dict[str, Any]) -> HostCase:
    events = sorted(grant.get("transactionEvents") or (), key=_event_order)
    return HostCase(
        reference=case_reference(GRANTED, _pk(grant["id"])),
        state=granted_refund_state(grant.get("status"), [str(e.get("type")) for e in events]),
        reason=case_reason("refund granted", grant.get("reason")),
    )


def order_cases(order: dict[str, Any], open_references: Iterable[str] = ()) -> list[HostCase]:
    """The order's after-sales cases as Saleor's answer (``CASES_QUERY``) says they are now, plus the open
    disputes of granted refunds Saleor no longer has (deleted: released, as in plugin mode)."""
    cases = [_grant_case(grant) for grant in order.get("grantedRefunds") or ()]
    refunds = _refund_times(order)
    for fulfillment in order.get("fulfillments") or ():
        if fulfillment.get("status") != RETURNED:
            continue
        created = _time(fulfillment.get("created"))
        cases.append(
            HostCase(
                reference=case_reference(RETURN, _pk(fulfillment["id"])),
                # Fulfillment.reason is Saleor 3.23+: the dispute says "products returned" on every version
                state=return_state(
                    returned=True, refunded_since=any(created is None or t >= created for t in refunds)
                ),
                reason=case_reason("products returned", None),
            )
        )
    listed = {case.reference for case in cases}
    for reference in open_references:
        if reference.startswith(GRANTED_PREFIX) and reference not in listed:
            cases.append(HostCase(reference=reference, state=granted_refund_state(None)))
    return cases


def order_cases_fetch(client: SaleorClient, order_id: str) -> dict[str, Any] | None:
    order = client.query(CASES_QUERY, {"id": order_id}).get("order")
    if order is not None and not isinstance(order, dict):
        raise SaleorApiError("Unexpected order answer.")
    return order


def order_cases_sync(client: SaleorClient, order_id: str) -> list[HostCase] | None:
    """Read the order's cases from Saleor under the order's case lock and let each dispute follow (one
    transaction: a read that fails writes nothing). None when Saleor has no such order."""

    def read(open_references: list[str]) -> list[HostCase] | None:
        order = order_cases_fetch(client, order_id)
        return None if order is None else order_cases(order, open_references)

    return dispute_services.order_cases_sync(order_id=order_id, read=read)


# --- which orders are worth reading ------------------------------------------------------------------------


def _has_case(order: dict[str, Any]) -> bool | None:
    """From a webhook payload or the poll's listing: whether the order has a grant or a returned
    fulfillment (None: the payload does not say)."""
    if "grantedRefunds" not in order and "fulfillments" not in order:
        return None
    return bool(order.get("grantedRefunds")) or any(
        (f or {}).get("status") == RETURNED for f in order.get("fulfillments") or ()
    )


def _ours(order_ids: list[str]) -> set[str]:
    """The orders among ``order_ids`` we count commissions for (a dispute needs one of them)."""
    return set(
        OrderAttribution.objects.filter(order_id__in=order_ids).values_list("order_id", flat=True)
    ) | set(Commission.objects.filter(order_id__in=order_ids).values_list("order_id", flat=True))


def _with_open_case(order_ids: list[str]) -> set[str]:
    return set(
        OrderDispute.objects.filter(order_id__in=order_ids, status=OrderDispute.Status.OPEN)
        .filter(Q(reference__startswith=GRANTED_PREFIX) | Q(reference__startswith=RETURN_PREFIX))
        .values_list("order_id", flat=True)
    )


def worth_reading(orders: list[dict[str, Any]]) -> list[str]:
    """The ids of those orders (``{"id", "grantedRefunds", "fulfillments"}``) whose cases may change one of
    our disputes: ours, and with a case in Saleor or an open case of ours. Orders that are not ours (most of
    ORDER_UPDATED's deliveries) cost no request to Saleor."""
    listed = [o for o in orders if isinstance(o, dict) and isinstance(o.get("id"), str)]
    ours = _ours([o["id"] for o in listed])
    if not ours:
        return []
    open_cases = _with_open_case(sorted(ours))
    return [
        o["id"] for o in listed if o["id"] in ours and (_has_case(o) is not False or o["id"] in open_cases)
    ]


# --- the poll --------------------------------------------------------------------------------------------


def orders_poll(installation: SaleorAppInstallation, client: SaleorClient | None = None) -> int:
    """List the orders Saleor updated since the installation's cursor, sync the cases of ours, then move
    the cursor (to the newest ``updatedAt`` listed, less ``POLL_OVERLAP``; never backwards). Saleor
    unreachable: the exception propagates and the cursor stays, so the next run lists them again. Returns
    how many orders were synced."""
    client = client or SaleorClient.of(installation)
    since = installation.orders_polled_until or installation.created_at - POLL_FIRST_LOOKBACK
    after: str | None = None
    newest: datetime | None = None
    synced = 0
    backlog = True
    for _page in range(POLL_MAX_PAGES):
        data = client.query(UPDATED_ORDERS_QUERY, {"since": since.isoformat(), "after": after})
        connection = data.get("orders") or {}
        nodes = [e["node"] for e in connection.get("edges") or () if isinstance((e or {}).get("node"), dict)]
        for order_id in worth_reading(nodes):
            try:
                order_cases_sync(client, order_id)
            except SaleorApiError:  # final for this order (retrying will not help): the others go on
                logger.exception("after-sales cases of %s not read", order_id)
            else:
                synced += 1
        times = [t for t in (_time(n.get("updatedAt")) for n in nodes) if t is not None]
        newest = max([t for t in (newest, *times) if t is not None], default=None)
        page_info = connection.get("pageInfo") or {}
        if not page_info.get("hasNextPage"):
            backlog = False
            break
        after = page_info.get("endCursor")
    if newest is not None:
        # a backlog continues from the newest order listed (sorted ascending: nothing older is left), so
        # a run always moves on; otherwise the overlap lists the last minutes again
        _move_cursor(installation, since, newest if backlog else newest - POLL_OVERLAP)
    return synced


def _move_cursor(installation: SaleorAppInstallation, since: datetime, until: datetime) -> None:
    until = max(until, since)
    SaleorAppInstallation.objects.filter(pk=installation.pk).update(orders_polled_until=until)
    installation.orders_polled_until = until
