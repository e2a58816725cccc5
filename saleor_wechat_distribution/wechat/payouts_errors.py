"""Errors the WeChat Pay payout gateways raise besides returning a ``PayoutResult``.

The rule behind them is WeChat Pay's own: an error answer says something about *this request*, not about
the bill. Only when the bill is known not to exist (or known to have failed) may the money be credited
back; otherwise the caller retries later with the *same* ``out_bill_no``, which WeChat Pay treats as a
re-entry and never as a second payment. So:

- a final refusal whose bill provably does not exist -> ``PayoutResult(state=FAILED)`` (not an error);
- anything else where the outcome is unknown or may change -> ``PayoutTemporaryError``;
- the number already names a *different* payout -> ``PayoutConflict`` (a bug, needs a human);
- a query for a number WeChat Pay never saw -> ``PayoutBillNotFound``.
"""

from __future__ import annotations

# The classes live in the domain, where the services that handle them can see them.
from ..domain.payouts import PayoutBillNotFound, PayoutConflict, PayoutError, PayoutTemporaryError

__all__ = ["PayoutBillNotFound", "PayoutConflict", "PayoutError", "PayoutTemporaryError"]
