"""Rules of the distributor center that need no database: why a commission is where it is, and what a
distributor sees of its team.

Why a commission is where it is (``explain``): one primary reason a distributor can act on or wait for,
plus what reversed part of it and why. Holds come first (an open dispute or refund request stops the
clock whatever the window says), then the state: not paid yet, paid but not delivered (the after-sales
window starts at delivery), frozen until a date, available. A commission taken back entirely says what
took it: the order's refunds (the line was refunded in full), the order's cancellation, or a staff
reassignment of the order to another distributor (a later attribution generation).

Team members (``mask_name``): a distributor's team view shows, per member, only the first character of
the display name followed by two asterisks (the length of the name is not revealed), the day the member
joined (approved) and the level (1: invited by the viewer, 2: invited by those). Never contact details,
referral codes, statuses, sales, commissions or the member's own team: the program pays on sales, never
on recruiting (《禁止传销条例》 Art. 7), and members' figures are not their upline's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from .holds import HoldReason

#: the team levels the center shows (the levels a commission can be paid on)
TEAM_LEVELS = (1, 2)
MASK = "**"


class CommissionReason(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    AWAITING_FULFILMENT = "awaiting_fulfilment"
    FROZEN_UNTIL = "frozen_until"
    HELD_BY_DISPUTE = "held_by_dispute"
    HELD_BY_REFUND_REQUEST = "held_by_refund_request"
    AVAILABLE = "available"
    REVERSED_BY_REFUND = "reversed_by_refund"
    ORDER_CANCELLED = "order_cancelled"
    REASSIGNED = "reassigned"


class ReversalCause(StrEnum):
    REFUND = "refund"
    CANCELLATION = "cancellation"
    REASSIGNMENT = "reassignment"


_HOLDS = {
    HoldReason.DISPUTE: CommissionReason.HELD_BY_DISPUTE,
    HoldReason.REFUND_REQUESTED: CommissionReason.HELD_BY_REFUND_REQUEST,
}
_GONE = {
    ReversalCause.REFUND: CommissionReason.REVERSED_BY_REFUND,
    ReversalCause.CANCELLATION: CommissionReason.ORDER_CANCELLED,
    ReversalCause.REASSIGNMENT: CommissionReason.REASSIGNED,
}


@dataclass(frozen=True)
class CommissionFacts:
    """What the explanation is made of (one commission row and what the center loaded beside it)."""

    status: str  # pending | frozen | available | cancelled
    amount: Decimal
    reversed_amount: Decimal
    settle_after: datetime | None = None
    settled_at: datetime | None = None
    hold_reason: str | None = None
    #: the share of the commission's order line refunded so far (0 to 1)
    line_refunded_share: Decimal = Decimal(0)
    #: the order was reassigned after this commission (its attribution generation is older)
    reassigned: bool = False


@dataclass(frozen=True)
class Explanation:
    reason: CommissionReason
    #: FROZEN_UNTIL: the end of the after-sales window; AVAILABLE: when it was credited
    at: datetime | None
    reversed: Decimal
    reversal_cause: ReversalCause | None


def _reversal_cause(facts: CommissionFacts, fully_gone: bool) -> ReversalCause | None:
    if facts.reassigned:
        return ReversalCause.REASSIGNMENT
    if not fully_gone:
        return ReversalCause.REFUND if facts.reversed_amount > 0 else None
    return ReversalCause.REFUND if facts.line_refunded_share >= 1 else ReversalCause.CANCELLATION


def explain(facts: CommissionFacts) -> Explanation:
    fully_gone = facts.status == "cancelled" or (facts.amount > 0 and facts.reversed_amount >= facts.amount)
    cause = _reversal_cause(facts, fully_gone)
    if fully_gone:
        return Explanation(_GONE[cause or ReversalCause.CANCELLATION], None, facts.reversed_amount, cause)
    if facts.hold_reason in _HOLDS:
        reason, at = _HOLDS[facts.hold_reason], None
    elif facts.status == "pending":
        reason, at = CommissionReason.AWAITING_PAYMENT, None
    elif facts.status == "frozen" and facts.settle_after is None:
        reason, at = CommissionReason.AWAITING_FULFILMENT, None
    elif facts.status == "frozen":
        reason, at = CommissionReason.FROZEN_UNTIL, facts.settle_after
    else:
        reason, at = CommissionReason.AVAILABLE, facts.settled_at
    return Explanation(reason, at, facts.reversed_amount, cause)


def mask_name(display_name: str) -> str:
    """``"王芳 Wang Fang"`` -> ``"王**"``: the first character a member chose to show, no more."""
    name = (display_name or "").strip()
    return (name[0] + MASK) if name else MASK
