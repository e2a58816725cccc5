import graphene

from ..domain.coupons import CouponNote, CouponSyncStatus, IssuedCouponState
from ..domain.distributors import DistributorKind, DistributorStatus
from ..domain.errors import (
    CommissionErrorCode,
    CouponErrorCode,
    CouponStockAttachErrorCode,
    DistributorErrorCode,
    StorefrontErrorCode,
)
from ..domain.referrals import AttributionSource, BindingOverride, BindingTrigger, CodePriority
from ..domain.storefronts import MessageEncryption
from ..models import Commission, Withdrawal

DistributorKindEnum = graphene.Enum.from_enum(DistributorKind)
DistributorStatusEnum = graphene.Enum.from_enum(DistributorStatus)
DistributorErrorCodeEnum = graphene.Enum.from_enum(DistributorErrorCode)

CommissionErrorCodeEnum = graphene.Enum.from_enum(CommissionErrorCode)
AttributionSourceEnum = graphene.Enum.from_enum(
    AttributionSource, description="How an order came to belong to its distributor."
)
BindingTriggerEnum = graphene.Enum.from_enum(
    BindingTrigger, description="The event that binds a customer to the distributor who referred them."
)
BindingOverrideEnum = graphene.Enum.from_enum(
    BindingOverride, description="Whether another distributor may take over a bound customer, and when."
)
CodePriorityEnum = graphene.Enum.from_enum(
    CodePriority, description="Which code wins when an order carries both a voucher code and a link code."
)
# the model's choices (their own class is named ``Status`` in both models, hence the explicit names)
CommissionStatusEnum = graphene.Enum(
    "CommissionStatus",
    [(member.name, member.value) for member in Commission.Status],
    description="PENDING: order placed; FROZEN: paid, inside the after-sales window; AVAILABLE: settled "
    "into the balance; CANCELLED: the order was cancelled or refunded before settlement.",
)
WithdrawalStatusEnum = graphene.Enum(
    "WithdrawalStatus",
    [(member.name, member.value) for member in Withdrawal.Status],
    description="REQUESTED waits for staff; APPROVED, PROCESSING and WAIT_USER_CONFIRM are on their way "
    "(WAIT_USER_CONFIRM: confirm the transfer in WeChat); PAID is final; REJECTED, FAILED and CANCELLED "
    "returned the money to the balance.",
)
CouponSyncStatusEnum = graphene.Enum.from_enum(CouponSyncStatus)
CouponErrorCodeEnum = graphene.Enum.from_enum(CouponErrorCode)
CouponStockAttachErrorCodeEnum = graphene.Enum.from_enum(CouponStockAttachErrorCode)
CouponNoteEnum = graphene.Enum.from_enum(
    CouponNote,
    description="What WeChat could not do for a handed-out coupon: CARD_CONSUME_REFUSED (WeChat refused to "
    "consume a legacy card code for its order), USE_FAILED (marking it used kept failing), "
    "CARD_NOT_RETURNABLE (its order was cancelled; a consumed legacy card cannot come back), "
    "CODE_USED_IN_SALEOR (its order was cancelled; Saleor does not take the code again, so the coupon stays "
    "used).",
)
IssuedCouponStateEnum = graphene.Enum.from_enum(IssuedCouponState)
StorefrontErrorCodeEnum = graphene.Enum.from_enum(StorefrontErrorCode)
MessageEncryptionEnum = graphene.Enum.from_enum(
    MessageEncryption,
    description="How an Official Account's messages travel, as set in its server settings (消息加解密方式): "
    "PLAIN (明文模式) plaintext only; COMPATIBLE (兼容模式) both, for the switch-over; SAFE (安全模式) "
    "encrypted only. Messages that come otherwise are refused.",
)
