"""Order disputes (购买纠纷) with their audit trail."""

from __future__ import annotations

from django.db import models


class OrderDispute(models.Model):
    """A 购买纠纷 on an order: its commissions are held until staff (or the host) resolve it."""

    class Status(models.TextChoices):
        OPEN = "open"
        RELEASED = "released"  # commissions go on as if nothing happened
        REVERSED = "reversed"  # commissions reversed with the refund

    order_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(max_length=500)
    #: the host's after-sales case id, when the host opened it
    reference = models.CharField(max_length=64, blank=True, default="")
    refund_id = models.CharField(max_length=64, blank=True, default="")
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [
            models.UniqueConstraint(
                fields=["order_id"], condition=models.Q(status="open"), name="wd_dispute_one_open_per_order"
            )
        ]
        indexes = [models.Index(fields=["status", "opened_at"], name="wd_dispute_status")]

    def __str__(self) -> str:
        return f"dispute {self.order_id} ({self.status})"


class OrderDisputeEvent(models.Model):
    """Append-only audit of a dispute: who did what, when and why."""

    class Type(models.TextChoices):
        OPENED = "opened"
        RELEASED = "released"
        REVERSED = "reversed"

    dispute = models.ForeignKey(OrderDispute, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=16, choices=Type.choices)
    actor = models.CharField(max_length=64)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "wechat_distribution"
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.type} by {self.actor}"
