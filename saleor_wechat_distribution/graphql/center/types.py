"""Types of the distributor center: the home summary, why a commission is where it is, team members as
their upline may see them, withdrawal rules, the catalog for curation, JS-SDK and transfer parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import graphene
from django.utils import timezone
from graphene import relay

from ...domain.center import mask_name
from ...domain.payouts import PayoutMethod
from ...models import Distributor as DistributorModel
from ...selectors.center import (
    CommissionSums,
    HomeSummary,
    commission_sums,
    home_summary,
    month_start,
    recent_commissions,
)
from ...selectors.commissions import Balance as BalanceData
from ..commissions.types import Balance, Commission
from ..core.connection import CountableConnection
from ..core.money import Money, money
from ..distributors.types import DistributorUpline, TeamLevelCount
from ..enums import CommissionErrorCodeEnum, DistributorStatusEnum

RECENT_MAX = 20


class FrozenRelease(graphene.ObjectType):
    on = graphene.Date(description="The day it becomes available; null: the order is not delivered yet.")
    amount = graphene.Field(Money, required=True)

    class Meta:
        description = "Frozen commissions that become available on one day."


@dataclass
class HomeData:
    distributor: DistributorModel
    currency: str

    @cached_property
    def sums(self) -> CommissionSums:
        return commission_sums(distributor=self.distributor, currency=self.currency)

    @cached_property
    def month_start(self) -> datetime:
        return month_start()

    @cached_property
    def summary(self) -> HomeSummary:
        return home_summary(distributor=self.distributor, currency=self.currency, since=self.month_start)


class CenterHome(graphene.ObjectType):
    currency = graphene.String(required=True)
    balance = graphene.Field(Balance, required=True)
    frozen_releases = graphene.List(
        graphene.NonNull(FrozenRelease),
        required=True,
        description="The next three days on which frozen money frees, then the frozen money of orders not "
        "delivered yet (no day).",
    )
    month_start = graphene.DateTime(required=True, description="Start of this month (the shop's time zone).")
    month_earnings = graphene.Field(
        Money,
        required=True,
        description="Commissions earned this month (any state but cancelled), less refunds.",
    )
    team_size = graphene.Int(required=True, description="Approved members in the whole team below.")
    team_counts = graphene.List(
        graphene.NonNull(TeamLevelCount), required=True, description="Approved members at levels 1 and 2."
    )
    recent_commissions = graphene.List(
        graphene.NonNull(Commission), first=graphene.Int(default_value=5), required=True
    )

    class Meta:
        description = "The distributor center's home page: its own money, month and team at a glance."

    @staticmethod
    def resolve_balance(root: HomeData, info: Any) -> BalanceData:
        return BalanceData(
            currency=root.currency,
            available=root.summary.available,
            frozen=root.sums.frozen,
            pending=root.sums.pending,
            withdrawing=root.summary.withdrawing,
        )

    @staticmethod
    def resolve_frozen_releases(root: HomeData, info: Any) -> list[FrozenRelease]:
        return [FrozenRelease(on=r.on, amount=money(r.amount, root.currency)) for r in root.sums.releases]

    @staticmethod
    def resolve_month_start(root: HomeData, info: Any) -> datetime:
        return root.month_start

    @staticmethod
    def resolve_month_earnings(root: HomeData, info: Any) -> Money:
        return money(root.summary.month_earnings, root.currency)

    @staticmethod
    def resolve_team_size(root: HomeData, info: Any) -> int:
        return root.distributor.team_size

    @staticmethod
    def resolve_team_counts(root: HomeData, info: Any) -> list[TeamLevelCount]:
        counts = root.summary.team_counts
        return [TeamLevelCount(level=level, count=n) for level, n in sorted(counts.items())]

    @staticmethod
    def resolve_recent_commissions(root: HomeData, info: Any, *, first: int = 5) -> list:
        return recent_commissions(distributor=root.distributor, count=max(1, min(first, RECENT_MAX)))


class TeamMember(graphene.ObjectType):
    name = graphene.String(required=True, description='The first character of the display name, then "**".')
    joined_on = graphene.Date(required=True, description="The day the member was approved.")
    level = graphene.Int(required=True, description="1: invited by you; 2: invited by them.")

    class Meta:
        description = (
            "A member of your team as the program lets you see it: a masked name, the day it joined and its "
            "level. Never contact details, codes, sales or its own team."
        )

    @staticmethod
    def resolve_name(root: DistributorModel, info: Any) -> str:
        return mask_name(root.display_name)

    @staticmethod
    def resolve_joined_on(root: DistributorModel, info: Any) -> Any:
        return timezone.localtime(root.approved_at or root.created_at).date()

    @staticmethod
    def resolve_level(root: DistributorModel, info: Any) -> int:
        return root.depth - info.context.viewer_distributor.depth


class TeamMemberConnection(CountableConnection):
    class Meta:
        node = TeamMember

    level_counts = graphene.List(
        graphene.NonNull(TeamLevelCount), required=True, description="Approved members at levels 1 and 2."
    )

    @staticmethod
    def resolve_level_counts(root: Any, info: Any) -> list[TeamLevelCount]:
        return [TeamLevelCount(level=level, count=n) for level, n in sorted(root.level_counts.items())]


class WithdrawalRules(graphene.ObjectType):
    currency = graphene.String(required=True)
    minimum = graphene.Field(Money, required=True, description="The smallest withdrawal.")
    daily_limit = graphene.Field(Money, required=True, description="The most per day, all channels together.")
    used_today = graphene.Field(Money, required=True, description="Withdrawn (or on its way) today.")
    left_today = graphene.Field(Money, required=True)
    available = graphene.Field(Money, required=True, description="The balance (negative: a debt).")
    max_now = graphene.Field(Money, required=True, description="The most you can ask for now (0: none).")
    fee = graphene.Field(Money, required=True, description="Always 0: WeChat Pay charges the merchant.")
    confirmation_required = graphene.Boolean(
        required=True, description="You confirm the transfer in WeChat (WeChat Pay 商家转账)."
    )
    blocker = CommissionErrorCodeEnum(description="Why no withdrawal can start now; null when one can.")
    blocker_message = graphene.String(description="The same, in words.")

    class Meta:
        description = "The rules a withdrawal follows, shown before it is asked for."

    resolve_minimum = staticmethod(lambda root, info: money(root.minimum, root.currency))
    resolve_daily_limit = staticmethod(lambda root, info: money(root.daily_limit, root.currency))
    resolve_used_today = staticmethod(lambda root, info: money(root.used_today, root.currency))
    resolve_left_today = staticmethod(lambda root, info: money(root.left_today, root.currency))
    resolve_available = staticmethod(lambda root, info: money(root.available, root.currency))
    resolve_max_now = staticmethod(lambda root, info: money(root.max_now, root.currency))
    resolve_fee = staticmethod(lambda root, info: money(root.fee, root.currency))
    resolve_confirmation_required = staticmethod(lambda root, info: root.payout_method == PayoutMethod.V3)
    resolve_blocker = staticmethod(lambda root, info: root.blocker.value if root.blocker else None)
    resolve_blocker_message = staticmethod(lambda root, info: root.blocker_message or None)


class CatalogProduct(graphene.ObjectType):
    id = graphene.ID(required=True, description="The host's product id (Saleor: its global id).")
    title = graphene.String(required=True)
    price = graphene.Field(Money, required=True)
    image_url = graphene.String()
    in_storefront = graphene.Boolean(required=True, description="Curated in your storefront.")
    share_link = graphene.String(description="Your share link to the product (carries your code).")

    class Meta:
        description = "A product of the brand's catalog in your storefront's channel."


class CatalogProductConnection(relay.Connection):
    class Meta:
        node = CatalogProduct


class JsSdkConfig(graphene.ObjectType):
    app_id = graphene.String(required=True)
    timestamp = graphene.Int(required=True)
    nonce_str = graphene.String(required=True)
    signature = graphene.String(required=True)
    url = graphene.String(required=True, description="The address signed (without its #fragment).")

    class Meta:
        description = "What wx.config needs for one page (add your jsApiList)."


class TransferPackage(graphene.ObjectType):
    mch_id = graphene.String(required=True)
    app_id = graphene.String(required=True)
    package = graphene.String(required=True)

    class Meta:
        description = "The parameters of wx.requestMerchantTransfer for a transfer waiting for you."


class LevelRate(graphene.ObjectType):
    level = graphene.Int(required=True)
    rate = graphene.Decimal(description='Percent of the sale ("10" is 10 %).')
    fixed_amount = graphene.Field(Money, description="Per unit sold.")


class ProgramTerms(graphene.ObjectType):
    channel = graphene.String(required=True)
    currency = graphene.String(required=True)
    paid_levels = graphene.Int(required=True, description="Levels paid: 1 (own sales) or 2 (and invitees').")
    rates = graphene.List(graphene.NonNull(LevelRate), required=True, description="Default rate per level.")
    freeze_days = graphene.Int(required=True, description="Days after delivery before commissions free.")
    withdrawal_minimum = graphene.Field(Money, required=True)
    withdrawal_daily_limit = graphene.Field(Money, required=True)
    entry_fee = graphene.Field(Money, required=True, description="Always 0: joining never costs anything.")

    class Meta:
        description = "The program's terms as numbers: commissions on sales only, never on recruiting."


class CenterApplication(graphene.ObjectType):
    status = DistributorStatusEnum(description="Null: not applied yet.")
    display_name = graphene.String()
    applied_at = graphene.DateTime()
    reject_reason = graphene.String(description="REJECTED: why, when staff said.")
    upline = graphene.Field(DistributorUpline, description="Whom you applied under.")
    suggested_inviter = graphene.Field(
        DistributorUpline, description="The distributor whose link brought you (prefills the inviter code)."
    )

    class Meta:
        description = "The signed-in customer's application to become a distributor."
