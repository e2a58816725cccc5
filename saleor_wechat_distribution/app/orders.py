"""Orders and their refunds read through Saleor's GraphQL API -> the core's DTOs (App mode's
``saleor_adapter/snapshots.py`` + ``refunds.py``).

The ids are the ones the plugin uses (global ids for orders, lines, products; the user's database pk;
``saleor-transaction-event:<pk>`` for a refund), so a program moved from plugin mode to App mode keeps
recognising what it has already counted. Refunds: the Transaction API's ``REFUND_SUCCESS`` events, with
the lines of the granted refund they answer when there is one (``domain/refund_lines.py`` does the
arithmetic); legacy payments' refunds, paired with refund fulfillments as the plugin pairs them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..domain.refund_lines import RefundRecord, ReturnedLine, line_amounts, without_lines_amount
from ..order_identities import identities_from_metadata, merged_identities
from ..ports import LineSnapshot, OrderSnapshot
from .saleor_api import SaleorApiError, SaleorClient

_MONEY = "{ amount }"
_TAXED = "{ net { amount } gross { amount currency } }"
_LINE = f"id quantity variant {{ id product {{ id category {{ id }} }} }} totalPrice {_TAXED}"

ORDER_QUERY = f"""
query WeChatDistributionOrder($id: ID!) {{
  order(id: $id) {{
    id number created userEmail voucherCode checkoutId
    channel {{ slug }}
    user {{ id privateMetadata {{ key value }} }}
    metadata {{ key value }}
    shippingPrice {_TAXED}
    total {_TAXED}
    totalCharged {_MONEY}
    lines {{ {_LINE} }}
    fulfillments {{
      id created status totalRefundedAmount {_MONEY} shippingRefundedAmount {_MONEY}
      lines {{ quantity orderLine {{ id }} }}
    }}
    payments {{ transactions {{ id kind isSuccess amount {_MONEY} }} }}
    transactions {{ events {{ id type amount {_MONEY} }} }}
    grantedRefunds {{
      id shippingCostsIncluded
      lines {{ quantity orderLine {{ id }} }}
      transactionEvents {{ id type }}
    }}
  }}
}}
"""
REFUND_SUCCESS = "REFUND_SUCCESS"
REFUND_FULFILLMENT_STATUSES = ("REFUNDED", "REFUNDED_AND_RETURNED")


def database_pk(global_id: str | None) -> str | None:
    """``"VXNlcjo0Mg=="`` (``User:42``) -> ``"42"``; None when it is not a global id."""
    if not global_id:
        return None
    try:
        decoded = base64.b64decode(global_id + "=" * (-len(global_id) % 4), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    _type, sep, pk = decoded.partition(":")
    return pk if sep and pk else None


def _amount(money: Any, *path: str) -> Decimal:
    for key in path:
        money = money.get(key) if isinstance(money, dict) else None
    return Decimal(str(money)) if money is not None else Decimal(0)


def _line(data: dict[str, Any]) -> LineSnapshot:
    variant = data.get("variant") or {}
    product = variant.get("product") or {}
    category = product.get("category") or {}
    return LineSnapshot(
        line_id=data["id"],
        product_id=product.get("id") or "",
        variant_id=variant.get("id") or "",
        category_id=category.get("id"),
        quantity=int(data["quantity"]),
        net_total=_amount(data, "totalPrice", "net", "amount"),
    )


def user_pk(order: dict[str, Any]) -> int | None:
    pk = database_pk((order.get("user") or {}).get("id"))
    return int(pk) if pk and pk.isdigit() else None


def _pairs(items: Any) -> dict[str, str]:
    return {str(m["key"]): str(m["value"]) for m in items or () if isinstance(m, dict) and m.get("key")}


def order_snapshot(order: dict[str, Any], linked: Iterable[tuple[str, str]] = ()) -> OrderSnapshot:
    """One order as ``ORDER_QUERY`` answers it; ``linked``: the (app id, openid) pairs the core's identity
    model links to the order's user (first), as in plugin mode."""
    metadata = _pairs(order.get("metadata"))
    user = order.get("user") or {}
    from_metadata = identities_from_metadata(_pairs(user.get("privateMetadata"))) if user else ()
    return OrderSnapshot(
        order_id=order["id"],
        number=str(order["number"]),
        channel=order["channel"]["slug"],
        currency=order["total"]["gross"]["currency"],
        lines=tuple(_line(line) for line in order.get("lines") or ()),
        user_id=user_pk(order),
        email=order.get("userEmail") or "",
        shipping_net=_amount(order, "shippingPrice", "net", "amount"),
        voucher_code=order.get("voucherCode") or None,
        checkout_id=database_pk(order.get("checkoutId")) or order.get("checkoutId") or None,
        metadata=metadata,
        identities=merged_identities(linked, from_metadata),
        created_at=datetime.fromisoformat(order["created"]) if order.get("created") else None,
        total_gross=_amount(order, "total", "gross", "amount"),
        charged=_amount(order, "totalCharged", "amount"),
    )


def _lines_by_id(order: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {line["id"]: line for line in order.get("lines") or ()}


def _pk_order(record: RefundRecord) -> int:
    pk = record.refund_id.rsplit(":", 1)[1]
    return int(pk) if pk.isdigit() else 0


def _returned(order: dict[str, Any], refund_lines: Any) -> list[ReturnedLine]:
    """(order line, quantity returned) pairs of a grant or a refund fulfillment -> ``line_amounts``' input."""
    lines = _lines_by_id(order)
    returned = []
    for item in refund_lines or ():
        line = lines.get((item.get("orderLine") or {}).get("id"))
        if line is not None:
            returned.append(
                ReturnedLine(
                    line_id=line["id"],
                    ordered_quantity=int(line["quantity"]),
                    returned_quantity=int(item["quantity"]),
                    net_total=_amount(line, "totalPrice", "net", "amount"),
                    gross_total=_amount(line, "totalPrice", "gross", "amount"),
                )
            )
    return returned


def _record(refund_id: str, amount: Decimal, currency: str, returned: list[ReturnedLine], shipping: Decimal):
    per_line = line_amounts(returned, refunded=amount, currency=currency, shipping_gross=shipping)
    if per_line is None:
        return RefundRecord(refund_id, without_lines_amount(amount, shipping))
    return RefundRecord(refund_id, amount, per_line)


def transaction_refunds(order: dict[str, Any]) -> list[RefundRecord]:
    """Transaction API: each ``REFUND_SUCCESS`` event, with the lines of the granted refund it answers."""
    grants = {}
    for grant in order.get("grantedRefunds") or ():
        for event in grant.get("transactionEvents") or ():
            grants[event["id"]] = grant
    currency = order["total"]["gross"]["currency"]
    records = []
    for event in [e for t in order.get("transactions") or () for e in t.get("events") or ()]:
        if event.get("type") != REFUND_SUCCESS:
            continue
        refund_id = f"saleor-transaction-event:{database_pk(event['id']) or event['id']}"
        amount = _amount(event, "amount", "amount")
        grant = grants.get(event["id"])
        if grant is None:
            records.append(RefundRecord(refund_id, amount))
            continue
        shipping = (
            _amount(order, "shippingPrice", "gross", "amount")
            if grant.get("shippingCostsIncluded")
            else Decimal(0)
        )
        records.append(_record(refund_id, amount, currency, _returned(order, grant.get("lines")), shipping))
    return sorted(records, key=_pk_order)


def payment_refunds(order: dict[str, Any]) -> list[RefundRecord]:
    """Legacy payments: each successful ``REFUND`` transaction, paired by amount (oldest first) with a
    refund fulfillment whose lines say what was returned, as the plugin pairs them (``refunds.py``)."""
    refunds = sorted(
        (
            (int(database_pk(t["id"]) or 0), t)
            for p in order.get("payments") or ()
            for t in p.get("transactions") or ()
            if t.get("kind") == "REFUND" and t.get("isSuccess")
        ),
        key=lambda pair: pair[0],
    )
    fulfillments = sorted(
        (
            f
            for f in order.get("fulfillments") or ()
            if f.get("status") in REFUND_FULFILLMENT_STATUSES and f.get("totalRefundedAmount") is not None
        ),
        key=lambda f: (f.get("created") or "", int(database_pk(f.get("id")) or 0)),
    )
    currency = order["total"]["gross"]["currency"]
    records = []
    for pk, transaction in refunds:
        refund_id = f"saleor-payment-transaction:{pk}"
        amount = _amount(transaction, "amount", "amount")
        match = next((f for f in fulfillments if _amount(f, "totalRefundedAmount", "amount") == amount), None)
        if match is None:
            records.append(RefundRecord(refund_id, amount))
            continue
        fulfillments.remove(match)
        shipping = _amount(match, "shippingRefundedAmount", "amount")
        records.append(_record(refund_id, amount, currency, _returned(order, match.get("lines")), shipping))
    return records


def refunds(order: dict[str, Any]) -> list[RefundRecord]:
    """Every successful refund of the order, in the plugin's order (``saleor_adapter/refunds.refunds_of``)."""
    return transaction_refunds(order) + payment_refunds(order)


def first_fulfilled_at(order: dict[str, Any]) -> datetime | None:
    fulfillments = order.get("fulfillments") or ()
    times = [datetime.fromisoformat(f["created"]) for f in fulfillments if f.get("created")]
    return min(times) if times else None


def order_fetch(client: SaleorClient, order_id: str) -> dict[str, Any] | None:
    """The order as ``ORDER_QUERY`` answers it; None when Saleor has no such order (deleted)."""
    data = client.query(ORDER_QUERY, {"id": order_id})
    order = data.get("order")
    if order is not None and not isinstance(order, dict):
        raise SaleorApiError("Unexpected order answer.")
    return order
