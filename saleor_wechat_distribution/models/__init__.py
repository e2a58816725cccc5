from .app_installations import SaleorAppInstallation, SaleorVoucherCode
from .commissions import Commission, CommissionRule, LedgerEntry, OrderHold, OrderLineRefund, Wallet
from .coupons import CouponStock, IssuedCoupon
from .disputes import OrderDispute, OrderDisputeEvent
from .distributors import Distributor, DistributorEvent
from .miniprogram import MiniProgramCode, MiniProgramSession, SubscribeAcceptance, SubscribeMessage
from .network_imports import DistributorImportFileChunk, DistributorImportJob, DistributorImportRowError
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
from .storefronts import Storefront
from .wechat import (
    ComponentTicket,
    InboundEvent,
    OfficialAccount,
    OfficialAccountRoute,
    QrCode,
    TemplateNotification,
    WeChatIdentity,
)

__all__ = [
    "AttributionChange",
    "BindingChange",
    "ChannelProgram",
    "CheckoutReferral",
    "Commission",
    "CommissionRule",
    "ComponentTicket",
    "CouponStock",
    "CustomerBinding",
    "Distributor",
    "DistributorEvent",
    "DistributorImportFileChunk",
    "DistributorImportJob",
    "DistributorImportRowError",
    "DistributorVoucherCode",
    "InboundEvent",
    "IssuedCoupon",
    "LedgerEntry",
    "MiniProgramCode",
    "MiniProgramSession",
    "OfficialAccount",
    "OfficialAccountRoute",
    "OrderAttribution",
    "OrderDispute",
    "OrderDisputeEvent",
    "OrderHold",
    "OrderLineRefund",
    "QrCode",
    "SaleorAppInstallation",
    "SaleorVoucherCode",
    "Storefront",
    "SubscribeAcceptance",
    "SubscribeMessage",
    "TemplateNotification",
    "Wallet",
    "WeChatIdentity",
    "Withdrawal",
]
