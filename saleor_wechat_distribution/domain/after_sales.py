"""Saleor's after-sales cases (granted refunds, returns) -> the state of the dispute they stand for: one rule
for both adapters (plugin mode reads Saleor's ORM, App mode its GraphQL API), so both name a case with the
same reference and open, keep or release it alike; a program moved from one mode to the other recognises
the disputes the other opened.

A case's state is ``"open"`` (the commissions are held), ``"released"`` (closed without a refund: they go
on) or None (refunded, or no longer a case: the refund's own event resolves the dispute, reversing the
refunded lines).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

GRANTED = "granted_refund"
RETURN = "return"
REASON_MAX = 480
OPEN = "open"
RELEASED = "released"

GRANTED_PREFIX = "saleor-granted-refund:"
RETURN_PREFIX = "saleor-return:"

#: Saleor's ``OrderGrantedRefundStatusEnum`` values that leave the case open
GRANT_OPEN_STATUSES = frozenset({"NONE", "PENDING"})
#: the transaction events Saleor derives a granted refund's status from (the latest one wins)
REFUND_EVENT_STATUSES = {
    "REFUND_REQUEST": "PENDING",
    "REFUND_SUCCESS": "SUCCESS",
    "REFUND_FAILURE": "FAILURE",
    "REFUND_REVERSE": "NONE",
}


def case_reference(kind: str, pk: object) -> str:
    """``saleor-granted-refund:<pk>`` / ``saleor-return:<pk>``: Saleor's database pk of the case."""
    return f"{GRANTED_PREFIX if kind == GRANTED else RETURN_PREFIX}{pk}"


def case_reason(prefix: str, text: str | None) -> str:
    """``prefix: Saleor's reason`` on one line of printable characters, cut to fit the dispute."""
    text = "".join(ch for ch in " ".join((text or "").split()) if ch.isprintable())
    return f"{prefix}: {text}"[:REASON_MAX] if text else prefix


def granted_refund_state(status: str | None, event_types: Iterable[str] = ()) -> str | None:
    """A granted refund (its ``status``; ``event_types``: its refund transaction events, oldest first).

    Saleor sets the status from the latest refund event only *after* it has sent the refund's webhooks,
    so the events are read too: a grant with a successful refund is refunded whatever its status still says
    (its refund resolves the case), a failure as the latest event closes it."""
    types = [t for t in event_types if t in REFUND_EVENT_STATUSES]
    if "REFUND_SUCCESS" in types:
        return None
    if types:
        status = REFUND_EVENT_STATUSES[types[-1]]
    if status is None or status == "FAILURE":
        return RELEASED
    if status in GRANT_OPEN_STATUSES:
        return OPEN
    return None  # SUCCESS


def return_state(*, returned: bool, refunded_since: bool) -> str | None:
    """Products returned without a refund (fulfillment RETURNED) open a case, unless a refund was recorded
    since the return (that refund resolves it); a return fulfillment no longer there is left to the
    refund that moved its lines (REFUNDED_AND_RETURNED)."""
    return OPEN if returned and not refunded_since else None


@dataclass(frozen=True)
class HostCase:
    """One after-sales case of an order as the host's record says it is now."""

    reference: str
    state: str | None
    reason: str = ""


def cases_in_order(cases: Iterable[HostCase]) -> list[HostCase]:
    """Releases first, then opens: an order has one open dispute at a time, so a case released frees the
    order for the next case that is open."""
    listed = list(cases)
    return [c for c in listed if c.state == RELEASED] + [c for c in listed if c.state == OPEN]
