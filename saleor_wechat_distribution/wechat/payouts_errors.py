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


class PayoutError(Exception):
    """A payout call that produced no ``PayoutResult``. ``code`` is WeChat Pay's error code (v3 ``code``,
    v2 ``err_code``) or one of ours (``NETWORK_ERROR``, ``INVALID_RESPONSE_SIGNATURE``)."""

    def __init__(
        self, code: str, message: str = "", *, http_status: int | None = None, out_bill_no: str = ""
    ):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.out_bill_no = out_bill_no


class PayoutTemporaryError(PayoutError):
    """Not final: retry later (with backoff) with the same ``out_bill_no``; do not credit the money back.

    Raised for WeChat Pay's retryable codes (SYSTEM_ERROR, FREQUENCY_LIMITED, NOT_ENOUGH — "请充值后原单
    重试"), for HTTP 429/5xx, for codes we do not know (WeChat Pay: never switch numbers on a new code), for
    network failures and for answers whose signature did not verify."""


class PayoutConflict(PayoutError):
    """``out_bill_no`` already names a bill with other parameters (openid, amount): nothing was sent, and
    retrying will not help. Our numbers are derived from withdrawals, so this is a bug to investigate."""


class PayoutBillNotFound(PayoutError):
    """WeChat Pay has no bill under this ``out_bill_no`` (query / cancel). Not a failure by itself: a
    transfer whose request never arrived is also "not found", and may be sent again with the same number."""
