"""Payout states shared by the payout providers (WeChat Pay v3 商家转账, legacy v2 企业付款)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .wechatpay import WeChatPayApi

#: how withdrawals are paid (``ChannelProgram.payout_method``, ``Withdrawal.payout_method``): through one
#: WeChat Pay API, v3 商家转账 (the user confirms) or the legacy v2 企业付款
PayoutMethod = WeChatPayApi


class PayoutState(StrEnum):
    #: accepted by WeChat Pay, not final yet (ACCEPTED / PROCESSING / TRANSFERING / CANCELING)
    PROCESSING = "processing"
    #: v3 商家转账: the user must confirm in WeChat (package_info goes to the client)
    WAIT_USER_CONFIRM = "wait_user_confirm"
    SUCCESS = "success"
    #: final failure: the money never left (or came back), credit it back to the distributor
    FAILED = "failed"
    #: cancelled before the user confirmed (or not confirmed in time and returned)
    CANCELLED = "cancelled"


FINAL_STATES = frozenset({PayoutState.SUCCESS, PayoutState.FAILED, PayoutState.CANCELLED})


@dataclass(frozen=True)
class PayoutResult:
    out_bill_no: str
    state: PayoutState
    #: WeChat Pay's own bill number, when it gave one
    provider_bill_no: str = ""
    #: v3: what the client passes to wx.requestMerchantTransfer so the user can confirm
    package_info: str = ""
    fail_reason: str = ""
    #: WeChat's raw state string (e.g. "WAIT_USER_CONFIRM"), for the audit trail
    raw_state: str = ""


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
