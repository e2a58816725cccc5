import graphene

from ..domain.coupons import CouponSyncStatus
from ..domain.distributors import DistributorKind, DistributorStatus
from ..domain.errors import CouponErrorCode, DistributorErrorCode

DistributorKindEnum = graphene.Enum.from_enum(DistributorKind)
DistributorStatusEnum = graphene.Enum.from_enum(DistributorStatus)
DistributorErrorCodeEnum = graphene.Enum.from_enum(DistributorErrorCode)

CouponSyncStatusEnum = graphene.Enum.from_enum(CouponSyncStatus)
CouponErrorCodeEnum = graphene.Enum.from_enum(CouponErrorCode)
