"""Why an order's commissions are held from settlement whatever the freeze window says."""

from __future__ import annotations

from enum import StrEnum


class HoldReason(StrEnum):
    """``OrderHold.reason``; the order of the members is the order a distributor is told them in when
    several cases hold one order (a dispute first)."""

    #: an open purchase dispute (staff or the host's after-sales case)
    DISPUTE = "dispute"
    #: a refund the customer requested and the host has not decided yet
    REFUND_REQUESTED = "refund_requested"


#: the reason shown first when several hold one order
HOLD_PRECEDENCE: tuple[HoldReason, ...] = tuple(HoldReason)
