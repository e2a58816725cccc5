"""Where inbound events come from: the ``InboundEvent.source`` of each kind (one word per sender)."""

from __future__ import annotations

from enum import StrEnum


class InboundSource(StrEnum):
    #: an Official Account callback message (follow, scan, card and template events)
    OFFICIAL_ACCOUNT = "wechat.mp"
    #: an Open Platform notice (authorized, updateauthorized, unauthorized)
    OPEN_PLATFORM = "wechat.component"
    #: a WeChat Pay 商家转账 notification (``transfer_bill``)
    PAYOUT = "wechatpay.transfer"
    #: a WeChat Pay 商家券 notification (``COUPON.SEND``)
    COUPON = "wechatpay.coupon"
    #: a voucher code used on WeChat's side, counted once on the host's voucher code
    VOUCHER_CODE_USE = "saleor_voucher_code_use"
