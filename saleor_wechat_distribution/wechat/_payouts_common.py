"""Argument checks shared by the v2 and v3 payout gateways (plain Python, no WeChat library)."""

from __future__ import annotations

import re

#: WeChat Pay: the merchant's number "只能由数字、大小写字母组成", at most 32 characters (v2 and v3)
_OUT_BILL_NO = re.compile(r"[0-9A-Za-z]{1,32}")


def check_out_bill_no(out_bill_no: str) -> None:
    """Refuse a number WeChat Pay would refuse, before anything is sent (and before it lands in a URL)."""
    if not _OUT_BILL_NO.fullmatch(out_bill_no):
        raise ValueError(f"out_bill_no must be 1-32 ASCII letters or digits, got {out_bill_no!r}")


def check_transfer(*, out_bill_no: str, openid: str, amount_fen: int, remark: str, max_remark: int) -> None:
    """Caller mistakes are ``ValueError``: they are bugs, not payout outcomes, and nothing was sent."""
    check_out_bill_no(out_bill_no)
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise ValueError(f"amount_fen must be a positive int (fen), got {amount_fen!r}")
    if not openid:
        raise ValueError("openid is required")
    if not remark or len(remark) > max_remark:
        raise ValueError(f"remark must be 1-{max_remark} characters, got {len(remark)}")
