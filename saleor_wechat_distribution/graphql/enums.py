import graphene

from ..domain.distributors import DistributorKind, DistributorStatus
from ..domain.errors import DistributorErrorCode, StorefrontErrorCode

DistributorKindEnum = graphene.Enum.from_enum(DistributorKind)
DistributorStatusEnum = graphene.Enum.from_enum(DistributorStatus)
DistributorErrorCodeEnum = graphene.Enum.from_enum(DistributorErrorCode)

StorefrontErrorCodeEnum = graphene.Enum.from_enum(StorefrontErrorCode)
