"""Mini Programs (小程序): sign-in sessions, distributor codes (小程序码), and subscribe messages (订阅消息).

Mini Program identities are ``WeChatIdentity`` rows like Official Account ones ((app id, openid),
unionid when WeChat gives it), so bindings, payouts and the unionid merge treat both alike.
"""

from __future__ import annotations

from django.db import models

from .distributors import Distributor
from .wechat import WeChatIdentity


class MiniProgramSession(models.Model):
    """The last ``session_key`` of an identity, sealed (``sealing.seal``): it never leaves the server."""

    identity = models.OneToOneField(WeChatIdentity, on_delete=models.CASCADE, related_name="mp_session")
    session_key_sealed = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return f"session of {self.identity_id}"


class MiniProgramCode(models.Model):
    """A distributor's 小程序码 (``wxacode.getUnlimited``): made once per (Mini Program, distributor, page,
    product), the PNG kept in Django's storage. ``scene`` is what the scan hands the page."""

    app_id = models.CharField(max_length=32)
    distributor = models.ForeignKey(Distributor, on_delete=models.CASCADE, related_name="mp_codes")
    page = models.CharField(max_length=128)
    #: "" for the storefront's home
    product_id = models.CharField(max_length=64, blank=True, default="")
    channel = models.CharField(max_length=100)
    scene = models.CharField(max_length=32, unique=True)
    image = models.CharField(max_length=255)
    scans = models.PositiveIntegerField(default=0)
    bindings = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [
            models.UniqueConstraint(
                fields=["app_id", "distributor", "page", "product_id"], name="wd_mpcode_once"
            )
        ]

    def __str__(self) -> str:
        return self.scene


class SubscribeAcceptance(models.Model):
    """One "accept" of ``wx.requestSubscribeMessage`` for a template: it permits one message (one-time
    subscription), used by the first message of its kind (``used_at``)."""

    app_id = models.CharField(max_length=32)
    openid = models.CharField(max_length=64)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    kind = models.CharField(max_length=32)
    template_id = models.CharField(max_length=64)
    accepted_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "wechat_distribution"
        indexes = [
            models.Index(fields=["user_id", "kind", "used_at"], name="wd_subscribe_unused"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.app_id}:{self.openid}"


class SubscribeMessage(models.Model):
    """A subscribe message to a distributor: queued once per key, sent by Celery, using one acceptance."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        SKIPPED = "skipped"
        FAILED = "failed"

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=32)
    distributor = models.ForeignKey(Distributor, on_delete=models.CASCADE, related_name="subscribe_messages")
    channel = models.CharField(max_length=100)
    #: our values (order, amount, time, note): mapped onto the template's keys when sent
    values = models.JSONField(default=dict)
    acceptance = models.OneToOneField(
        SubscribeAcceptance, null=True, blank=True, on_delete=models.SET_NULL, related_name="message"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    detail = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return f"{self.kind} -> {self.distributor_id} ({self.status})"
