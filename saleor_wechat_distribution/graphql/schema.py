"""The schema: the queries and mutations of every area, in Saleor's folder grammar (``<area>/schema.py``
holds an area's queries, ``<area>/types.py`` its object types, ``mutations/`` one module per mutation):
``distributors``, ``commissions`` (commissions, withdrawals, attributed orders, programs' queries),
``network`` (imports and disputes), ``storefronts``, ``coupons``, ``center`` (the distributor center)."""

from __future__ import annotations

import graphene

from .center.schema import CenterMutations, CenterQueries
from .commissions.schema import CommissionQueries
from .coupons.schema import CouponQueries
from .distributors.schema import DistributorBulkMutations, DistributorQueries
from .miniprogram.schema import MiniProgramMutations, MiniProgramQueries
from .mutations.channel_program_update import ChannelProgramUpdate
from .mutations.checkout_attribute import CheckoutAttribute
from .mutations.commission_rules_set import CommissionRulesSet
from .mutations.distributor_apply import DistributorApply
from .mutations.distributor_approve import DistributorApprove
from .mutations.distributor_move import DistributorMove
from .mutations.distributor_reactivate import DistributorReactivate
from .mutations.distributor_reject import DistributorReject
from .mutations.distributor_suspend import DistributorSuspend
from .mutations.order_attribution_reassign import OrderAttributionReassign
from .mutations.voucher_card_link import VoucherCardLink
from .mutations.voucher_coupon_stock_attach import VoucherCouponStockAttach
from .mutations.voucher_coupon_sync import VoucherCouponSync
from .mutations.withdrawal_approve import WithdrawalApprove
from .mutations.withdrawal_fail import WithdrawalFail
from .mutations.withdrawal_reject import WithdrawalReject
from .mutations.withdrawal_request import WithdrawalRequest
from .mutations.withdrawal_retry import WithdrawalRetry
from .network.schema import NetworkMutations, NetworkQueries
from .storefronts.schema import StorefrontMutations, StorefrontQueries


class Query(
    MiniProgramQueries,
    CenterQueries, NetworkQueries, StorefrontQueries, CouponQueries, CommissionQueries, DistributorQueries
):
    pass


class Mutation(
    MiniProgramMutations,
    CenterMutations, NetworkMutations, StorefrontMutations, DistributorBulkMutations, graphene.ObjectType
):
    distributor_apply = DistributorApply.Field()
    distributor_approve = DistributorApprove.Field()
    distributor_reject = DistributorReject.Field()
    distributor_suspend = DistributorSuspend.Field()
    distributor_reactivate = DistributorReactivate.Field()
    distributor_move = DistributorMove.Field()
    withdrawal_request = WithdrawalRequest.Field()
    withdrawal_approve = WithdrawalApprove.Field()
    withdrawal_reject = WithdrawalReject.Field()
    withdrawal_retry = WithdrawalRetry.Field()
    withdrawal_fail = WithdrawalFail.Field()
    commission_rules_set = CommissionRulesSet.Field()
    channel_program_update = ChannelProgramUpdate.Field()
    order_attribution_reassign = OrderAttributionReassign.Field()
    checkout_attribute = CheckoutAttribute.Field()
    voucher_coupon_sync = VoucherCouponSync.Field()
    voucher_coupon_stock_attach = VoucherCouponStockAttach.Field()
    voucher_card_link = VoucherCardLink.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
