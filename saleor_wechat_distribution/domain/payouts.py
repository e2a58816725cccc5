"""Payout states shared by the payout providers (WeChat Pay v3 商家转账, legacy v2 企业付款)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
