from .commissions import Commission, CommissionRule, LedgerEntry, OrderHold, OrderLineRefund, Wallet
from .coupons import CouponStock, IssuedCoupon
from .distributors import Distributor, DistributorEvent
from .payouts import Withdrawal
from .programs import ChannelProgram
from .referrals import (
    AttributionChange,
    BindingChange,
    CheckoutReferral,
    CustomerBinding,
    DistributorVoucherCode,
    OrderAttribution,
)
from .wechat import InboundEvent, WeChatIdentity

__all__ = [
    "AttributionChange",
    "BindingChange",
    "ChannelProgram",
    "CheckoutReferral",
    "Commission",
    "CommissionRule",
    "CouponStock",
    "CustomerBinding",
    "Distributor",
    "DistributorEvent",
    "DistributorVoucherCode",
    "InboundEvent",
    "IssuedCoupon",
    "LedgerEntry",
    "OrderAttribution",
    "OrderHold",
    "OrderLineRefund",
    "Wallet",
    "WeChatIdentity",
    "Withdrawal",
]
