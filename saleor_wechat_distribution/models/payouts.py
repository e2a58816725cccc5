"""Withdrawals and their payouts through WeChat Pay."""

from __future__ import annotations

from django.db import models

from ..domain.payouts import PayoutMethod
from .distributors import Distributor
from .programs import MONEY


class Withdrawal(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested"  # money held in the ledger, waiting for staff
        APPROVED = "approved"  # payout queued
        PROCESSING = "processing"  # sent to WeChat Pay
        WAIT_USER_CONFIRM = "wait_user_confirm"  # v3 商家转账: the distributor must confirm in WeChat
        PAID = "paid"
        REJECTED = "rejected"  # by staff; money returned
        FAILED = "failed"  # by WeChat Pay; money returned
        CANCELLED = "cancelled"  # not confirmed in time, or cancelled; money returned

    distributor = models.ForeignKey(Distributor, on_delete=models.PROTECT, related_name="withdrawals")
    channel = models.CharField(max_length=100)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.REQUESTED)
    #: WeChat Pay's idempotency key: the same withdrawal is never paid twice
    out_bill_no = models.CharField(max_length=32, unique=True)
    payout_method = models.CharField(
        max_length=8, choices=[(m.value, m.value) for m in PayoutMethod], default=PayoutMethod.V3.value
    )
    app_id = models.CharField(max_length=32, blank=True, default="")
    openid = models.CharField(max_length=64, blank=True, default="")
    provider_bill_no = models.CharField(max_length=64, blank=True, default="")
    package_info = models.TextField(blank=True, default="")
    fail_reason = models.CharField(max_length=255, blank=True, default="")
    decided_by = models.CharField(max_length=64, blank=True, default="")
    reject_reason = models.CharField(max_length=500, blank=True, default="")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "wechat_distribution"
        indexes = [
            models.Index(fields=["distributor", "requested_at"], name="wd_withdrawal_dist_time"),
            models.Index(fields=["status"], name="wd_withdrawal_status"),
        ]

    def __str__(self) -> str:
        return f"withdrawal {self.out_bill_no} {self.amount} {self.currency} {self.status}"
