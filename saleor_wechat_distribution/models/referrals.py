"""Customer bindings, distributor-scoped voucher codes, checkout referrals and order attributions."""

from __future__ import annotations

from django.db import models

from ..domain.referrals import AttributionSource
from .distributors import Distributor


class CustomerBinding(models.Model):
    """A customer (or a WeChat identity not yet linked to one) belongs to a distributor in a channel.

    ``customer_key`` is ``user:<id>`` or ``wx:<app id>:<openid>``. Stored in the database, never only in
    a cache.
    """

    channel = models.CharField(max_length=100)
    customer_key = models.CharField(max_length=128)
    distributor = models.ForeignKey(Distributor, on_delete=models.PROTECT, related_name="bindings")
    source = models.CharField(max_length=16, choices=[(s.value, s.value) for s in AttributionSource])
    code = models.CharField(max_length=64, blank=True, default="")
    bound_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    protected_until = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [
            models.UniqueConstraint(fields=["channel", "customer_key"], name="wd_binding_channel_customer")
        ]

    def __str__(self) -> str:
        return f"{self.customer_key} -> {self.distributor_id} ({self.channel})"


class BindingChange(models.Model):
    """History of bindings: made, taken over, merged."""

    binding = models.ForeignKey(CustomerBinding, on_delete=models.CASCADE, related_name="changes")
    from_distributor_id = models.BigIntegerField(null=True, blank=True)
    to_distributor_id = models.BigIntegerField()
    source = models.CharField(max_length=16)
    code = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return f"{self.from_distributor_id} -> {self.to_distributor_id}"


class DistributorVoucherCode(models.Model):
    """A Saleor voucher code assigned to a distributor: an order using it is attributed to them."""

    code = models.CharField(max_length=255)
    channel = models.CharField(max_length=100)
    voucher_id = models.CharField(max_length=64, blank=True, default="")
    distributor = models.ForeignKey(Distributor, on_delete=models.CASCADE, related_name="voucher_codes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [models.UniqueConstraint(fields=["channel", "code"], name="wd_voucher_code_channel")]

    def __str__(self) -> str:
        return self.code


class CheckoutReferral(models.Model):
    """A code set on a checkout through our ``checkoutAttribute`` mutation (metadata is the other way)."""

    checkout_id = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=100)
    code = models.CharField(max_length=64)
    distributor = models.ForeignKey(Distributor, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return f"{self.checkout_id}: {self.code}"


class OrderAttribution(models.Model):
    """The one distributor an order belongs to, decided once, with its evidence and upline snapshot."""

    order_id = models.CharField(max_length=64, unique=True)
    order_number = models.CharField(max_length=64, blank=True, default="")
    channel = models.CharField(max_length=100)
    currency = models.CharField(max_length=3)
    customer_user_id = models.BigIntegerField(null=True, blank=True)
    #: None: decided, and nobody referred this order
    distributor = models.ForeignKey(
        Distributor, null=True, blank=True, on_delete=models.PROTECT, related_name="attributed_orders"
    )
    source = models.CharField(max_length=16, blank=True, default="")
    code = models.CharField(max_length=64, blank=True, default="")
    app_id = models.CharField(max_length=32, blank=True, default="")
    decided_at = models.DateTimeField()
    policy_version = models.PositiveIntegerField()
    policy = models.JSONField(default=dict)
    #: [{"distributor_id", "level", "kind", "status"}] at decision time: later moves never rewrite it
    upline = models.JSONField(default=list)
    #: why the order earns nothing, when it does not (self purchase, inactive distributor)
    no_commission_reason = models.CharField(max_length=32, blank=True, default="")
    #: the order's lines as decided on ([{line_id, product_id, category_id, quantity, net_total}]), so a
    #: staff reassignment can recompute commissions without the host
    lines = models.JSONField(default=list)
    net_total = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    #: bumped by each reassignment; commissions of earlier generations are cancelled or clawed back
    generation = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "wechat_distribution"
        indexes = [models.Index(fields=["distributor", "decided_at"], name="wd_attribution_dist_time")]

    def __str__(self) -> str:
        return f"order {self.order_id} -> {self.distributor_id}"


class AttributionChange(models.Model):
    """Staff reassignments keep the history: who, when, why."""

    attribution = models.ForeignKey(OrderAttribution, on_delete=models.CASCADE, related_name="changes")
    from_distributor_id = models.BigIntegerField(null=True, blank=True)
    to_distributor_id = models.BigIntegerField(null=True, blank=True)
    actor = models.CharField(max_length=64)
    reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return f"{self.from_distributor_id} -> {self.to_distributor_id}"
