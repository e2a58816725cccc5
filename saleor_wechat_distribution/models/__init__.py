from .commissions import Commission, CommissionRule, LedgerEntry, OrderHold, OrderLineRefund, Wallet
from .distributors import Distributor, DistributorEvent
from .network import DistributorImportJob, OrderDispute, OrderDisputeEvent
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
    "CustomerBinding",
    "Distributor",
    "DistributorEvent",
    "DistributorImportJob",
    "DistributorVoucherCode",
    "InboundEvent",
    "LedgerEntry",
    "OrderAttribution",
    "OrderDispute",
    "OrderDisputeEvent",
    "OrderHold",
    "OrderLineRefund",
    "Wallet",
    "WeChatIdentity",
    "Withdrawal",
]
