"""WeChat identities: the same buyer has a different openid on every Official Account."""

from __future__ import annotations

from django.db import models


class WeChatIdentity(models.Model):
    app_id = models.CharField(max_length=32)
    openid = models.CharField(max_length=64)
    unionid = models.CharField(max_length=64, blank=True, default="", db_index=True)
    #: the host's customer (Saleor user id) once known
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    subscribed = models.BooleanField(default=False)
    subscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    #: the QR scene the follow came through (``EventKey`` or ``user/info``'s ``qr_scene_str``)
    subscribe_scene = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [models.UniqueConstraint(fields=["app_id", "openid"], name="wd_identity_app_openid")]

    def __str__(self) -> str:
        return f"{self.app_id}:{self.openid}"


class InboundEvent(models.Model):
    """Every inbound WeChat / WeChat Pay callback, logged raw before it is verified, processed once.

    ``dedupe_key`` (the notification id, or app id + nonce + timestamp) makes replays no-ops.
    """

    source = models.CharField(max_length=32)
    dedupe_key = models.CharField(max_length=160, unique=True)
    headers = models.JSONField(default=dict)
    body = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)
    verified = models.BooleanField(default=False)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return f"{self.source} {self.dedupe_key}"
