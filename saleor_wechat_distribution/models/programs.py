"""Per-channel program settings: commission depth and freeze window, binding policy, withdrawal limits.

Kept in the database (not only in the plugin configuration) because attributions snapshot the policy
version in force, and staff edit it through our GraphQL API.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from ..domain.payouts import PayoutMethod
from ..domain.referrals import BindingOverride, BindingTrigger, CodePriority

MONEY = {"max_digits": 20, "decimal_places": 4}


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(m.value, m.value) for m in enum]


class ChannelProgram(models.Model):
    channel = models.CharField(max_length=100, unique=True)
    currency = models.CharField(max_length=3, default="CNY")
    version = models.PositiveIntegerField(default=1)
    # commissions
    commission_depth = models.PositiveSmallIntegerField(default=2)
    freeze_days = models.PositiveIntegerField(default=15)
    base_includes_shipping = models.BooleanField(default=False)
    self_purchase_earns = models.BooleanField(default=True)
    # binding policy
    binding_trigger = models.CharField(max_length=20, choices=_choices(BindingTrigger), default="first_click")
    binding_validity_days = models.PositiveIntegerField(null=True, blank=True, default=365)
    binding_protection_days = models.PositiveIntegerField(default=30)
    binding_override = models.CharField(
        max_length=20, choices=_choices(BindingOverride), default="after_expiry"
    )
    code_priority = models.CharField(max_length=20, choices=_choices(CodePriority), default="voucher_first")
    # withdrawals
    withdrawal_minimum = models.DecimalField(**MONEY, default=Decimal("1.00"))
    withdrawal_daily_limit = models.DecimalField(**MONEY, default=Decimal("5000.00"))
    withdrawal_auto_approve_below = models.DecimalField(**MONEY, default=Decimal("0"))
    payout_method = models.CharField(
        max_length=8, choices=_choices(PayoutMethod), default=PayoutMethod.V3.value
    )
    #: share links: ``<storefront_base_url>/?ref=CODE`` and ``…/products/<id>/?ref=CODE``
    storefront_base_url = models.URLField(blank=True, default="")
    #: the app id (Official Account or mini program) whose openids payouts go to
    payout_app_id = models.CharField(max_length=32, blank=True, default="")
    #: applications become active at once; None: the host's setting decides (``conf.ProgramConfig``)
    auto_approve_distributors = models.BooleanField(null=True, blank=True, default=None)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return f"program {self.channel} v{self.version}"
