from __future__ import annotations

from django.db import models


class SandboxVoucher(models.Model):
    voucher_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    discount_type = models.CharField(max_length=16, default="fixed")
    value = models.DecimalField(max_digits=20, decimal_places=4)
    currency = models.CharField(max_length=3, default="CNY")
    channel = models.CharField(max_length=100, default="default-channel")
    minimum_spend = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True)
    once_per_customer = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    distributor_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        app_label = "wd_sandbox_vouchers"

    def __str__(self) -> str:
        return self.name


class SandboxVoucherCode(models.Model):
    voucher = models.ForeignKey(SandboxVoucher, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=255)
    used = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "wd_sandbox_vouchers"
        constraints = [models.UniqueConstraint(fields=["voucher", "code"], name="wd_sandbox_voucher_code")]

    def __str__(self) -> str:
        return self.code


class SandboxCodeUse(models.Model):
    """A redemption reported by the core (store consume): the reference makes a repeat a no-op."""

    reference = models.CharField(max_length=128, unique=True)
    code = models.ForeignKey(SandboxVoucherCode, on_delete=models.CASCADE, related_name="uses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "wd_sandbox_vouchers"

    def __str__(self) -> str:
        return self.reference
