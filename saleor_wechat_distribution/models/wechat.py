"""WeChat: Official Accounts bound to storefronts, identities, the inbound event log, QR codes, template
notifications.

The same buyer has a different openid on every Official Account. An account is bound by credentials (app
secret, callback token, EncodingAESKey) or through the Open Platform (an authorizer refresh token); the
secrets are sealed at rest (``sealing.py``) and never leave the database in clear.
"""

from __future__ import annotations

from django.db import models

from ..domain.storefronts import AccountMode, MessageEncryption
from .distributors import Distributor
from .storefronts import Storefront


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
    """Every inbound WeChat / WeChat Pay event that passed verification, logged raw and processed once
    (``services.inbound_events``; ``source``: ``domain.inbound_events.InboundSource``).

    ``dedupe_key`` (the notification id, the MsgId, a digest of the event) makes replays no-ops; a row
    with ``processed_at`` empty failed (``error`` says why) and is applied by the next delivery.
    Processed rows older than the retention window are deleted (``services.inbound_event_retention``).
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
        indexes = [
            #: the retention job's oldest-first batches (``services.inbound_event_retention``)
            models.Index(fields=["received_at"], name="wd_inbound_received"),
            #: the few events still to apply: counted by the retention job, resumed by App mode's
            #: ``app_events_resume``
            models.Index(
                fields=["received_at"],
                condition=models.Q(processed_at__isnull=True),
                name="wd_inbound_unprocessed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.dedupe_key}"


class OfficialAccount(models.Model):
    Mode = AccountMode

    class Status(models.TextChoices):
        ACTIVE = "active"
        #: the Open Platform authorization was withdrawn (notice, or refused token refresh)
        UNAUTHORIZED = "unauthorized"
        #: its storefront bound another account: secrets wiped, callbacks refused, history kept
        DETACHED = "detached"

    storefront = models.OneToOneField(
        Storefront, null=True, blank=True, on_delete=models.SET_NULL, related_name="official_account"
    )
    app_id = models.CharField(max_length=32, unique=True)
    mode = models.CharField(max_length=16, choices=[(m.value, m.name.title()) for m in AccountMode])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    #: which callback messages are accepted (plaintext, encrypted, both): ``domain.storefronts``; Open
    #: Platform accounts are always safe (the component encrypts every message)
    message_encryption = models.CharField(
        max_length=16,
        choices=[(m.value, m.name.lower()) for m in MessageEncryption],
        default=MessageEncryption.SAFE.value,
    )
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
    #: Open Platform accounts: when WeChat expires the authorizer access token held in the cache (the
    #: periodic refresh renews it before then); empty: none fetched yet
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
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
    """The Open Platform's ``component_verify_ticket`` (pushed every 10 minutes, valid 12 hours), one per
    component. In App mode a registry table (``public``, ``app/schemas.py``): one component may serve
    several Saleor instances, and WeChat pushes its ticket to one URL; each instance reads it here."""

    component_app_id = models.CharField(max_length=32, unique=True)
    ticket = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return self.component_app_id


class OfficialAccountRoute(models.Model):
    """Which instance's rows hold an Official Account (App mode's registry, in ``public``): the Open
    Platform sends every authorizer's notices to one URL and its messages to one URL template
    (``wechat/$APPID$/``), whichever instance bound it, so App mode finds the instance here
    (``app/wechat_routes.py``). Written with the account, in the same transaction
    (``services/official_account_routes.py``); ``schema`` is the instance's (``instance_scope``)."""

    app_id = models.CharField(max_length=32, unique=True)
    schema = models.CharField(max_length=63)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return f"{self.app_id} -> {self.schema}"


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
