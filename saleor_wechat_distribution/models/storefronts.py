"""Storefronts and the Official Accounts (公众号) bound to them; QR codes; template notifications.

A storefront belongs to a distributor, or (``distributor`` empty) to the brand: one per channel. An
account is bound by credentials (app secret, callback token, EncodingAESKey, sealed at rest) or through
the Open Platform (an authorizer refresh token, sealed). Secrets never leave the database in clear.
"""

from __future__ import annotations

from django.db import models

from .distributors import Distributor


class Storefront(models.Model):
    #: empty: the brand's own storefront for ``channel``
    distributor = models.OneToOneField(
        Distributor, null=True, blank=True, on_delete=models.CASCADE, related_name="storefront"
    )
    slug = models.SlugField(max_length=50, unique=True)
    title = models.CharField(max_length=100)
    logo_url = models.URLField(max_length=500, blank=True, default="")
    welcome_text = models.CharField(max_length=600, blank=True, default="")
    channel = models.CharField(max_length=100)
    #: True: everything the brand offers on the channel; False: only ``product_ids``
    all_products = models.BooleanField(default=True)
    product_ids = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [
            models.UniqueConstraint(
                fields=["channel"],
                condition=models.Q(distributor__isnull=True),
                name="wd_storefront_one_brand_per_channel",
            )
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def is_brand(self) -> bool:
        return self.distributor_id is None


class OfficialAccount(models.Model):
    class Mode(models.TextChoices):
        CREDENTIALS = "credentials"
        COMPONENT = "component"

    class Status(models.TextChoices):
        ACTIVE = "active"
        UNAUTHORIZED = "unauthorized"

    storefront = models.OneToOneField(
        Storefront, null=True, blank=True, on_delete=models.SET_NULL, related_name="official_account"
    )
    app_id = models.CharField(max_length=32, unique=True)
    mode = models.CharField(max_length=16, choices=Mode.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    name = models.CharField(max_length=100, blank=True, default="")
    #: sealed with services.sealing (Fernet); never returned by the API
    app_secret_sealed = models.TextField(blank=True, default="")
    token_sealed = models.TextField(blank=True, default="")
    aes_key_sealed = models.TextField(blank=True, default="")
    refresh_token_sealed = models.TextField(blank=True, default="")
    #: WeChat's service_type_info (2 = service account) and verify_type_info (>= 0 = certified)
    service_type = models.SmallIntegerField(null=True, blank=True)
    verify_type = models.SmallIntegerField(null=True, blank=True)
    #: notification kind -> template id, as configured on the account
    template_ids = models.JSONField(default=dict, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return self.app_id

    @property
    def is_certified_service_account(self) -> bool:
        return self.service_type == 2 and self.verify_type is not None and self.verify_type >= 0


class ComponentTicket(models.Model):
    """The Open Platform's ``component_verify_ticket`` (pushed every 10 minutes, valid 12 hours)."""

    component_app_id = models.CharField(max_length=32, unique=True)
    ticket = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return self.component_app_id


class QrCode(models.Model):
    """A parametric QR code (``scene`` = the distributor's referral code) on one account, with its funnel
    counters (scans, follows, bindings; orders are counted from attributions)."""

    app_id = models.CharField(max_length=32)
    distributor = models.ForeignKey(Distributor, on_delete=models.CASCADE, related_name="qr_codes")
    scene = models.CharField(max_length=64)
    permanent = models.BooleanField(default=False)
    ticket = models.CharField(max_length=255)
    url = models.CharField(max_length=255)
    expires_at = models.DateTimeField(null=True, blank=True)
    scans = models.PositiveIntegerField(default=0)
    follows = models.PositiveIntegerField(default=0)
    bindings = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [
            models.UniqueConstraint(fields=["app_id", "scene", "permanent"], name="wd_qrcode_app_scene")
        ]

    def __str__(self) -> str:
        return f"{self.app_id}:{self.scene}"


class TemplateNotification(models.Model):
    """A template message to a distributor: queued once per idempotency key, sent by Celery."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        SKIPPED = "skipped"
        FAILED = "failed"
        DELIVERED = "delivered"
        USER_BLOCKED = "user_blocked"
        SYSTEM_FAILED = "system_failed"

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=32)
    distributor = models.ForeignKey(Distributor, on_delete=models.CASCADE, related_name="notifications")
    app_id = models.CharField(max_length=32, blank=True, default="")
    openid = models.CharField(max_length=64, blank=True, default="")
    template_id = models.CharField(max_length=64, blank=True, default="")
    data = models.JSONField(default=dict)
    url = models.CharField(max_length=500, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    msgid = models.BigIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"
        indexes = [models.Index(fields=["app_id", "msgid"], name="wd_notification_msgid")]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.distributor_id} ({self.status})"
