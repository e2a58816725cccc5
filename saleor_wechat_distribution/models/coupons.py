"""Vouchers synced as WeChat Pay merchant coupon stocks (商家券), and the coupons users hold."""

from __future__ import annotations

from django.db import models

from ..domain.coupons import CouponStockKind, CouponSyncStatus, IssuedCouponState


class CouponStock(models.Model):
    """One voucher's stock in one merchant, issued to one app id's users.

    ``out_request_no`` is derived from (voucher, merchant, app id), and the row is unique on the same
    triple, so retries and concurrent workers can never create a second stock. ``request`` keeps the exact
    body sent first, so a retry re-sends the same request. Upload progress is ``codes_uploaded`` of
    ``codes_total``; ``upload_cursor`` is the last code WeChat confirmed (codes go up in ascending order),
    ``upload_batches`` numbers the next batch's ``upload_request_no``.
    """

    voucher_id = models.CharField(max_length=64)
    channel = models.CharField(max_length=100)
    mchid = models.CharField(max_length=32)
    app_id = models.CharField(max_length=32)
    distributor_id = models.BigIntegerField(null=True, blank=True)
    #: with several stocks for one voucher, each holds the codes whose crc32 % part_count == part_index
    part_index = models.PositiveSmallIntegerField(default=0)
    part_count = models.PositiveSmallIntegerField(default=1)
    out_request_no = models.CharField(max_length=128, unique=True)
    #: 商家券 (stock_id is WeChat Pay's) or a legacy 卡券 linked by card id (stock_id is the card id, mchid is
    #: "card"): ``CouponStockKind``
    kind = models.CharField(
        max_length=16,
        choices=[(k.value, k.value) for k in CouponStockKind],
        default=CouponStockKind.BUSIFAVOR.value,
    )
    stock_id = models.CharField(max_length=64, blank=True, default="")
    stock_type = models.CharField(max_length=16, blank=True, default="")
    status = models.CharField(
        max_length=16,
        choices=[(s.value, s.value) for s in CouponSyncStatus],
        default=CouponSyncStatus.PENDING,
    )
    request = models.JSONField(default=dict, blank=True)
    max_coupons = models.PositiveIntegerField(default=0)
    codes_total = models.PositiveIntegerField(default=0)
    codes_uploaded = models.PositiveIntegerField(default=0)
    upload_cursor = models.CharField(max_length=64, blank=True, default="")
    upload_batches = models.PositiveIntegerField(default=0)
    #: codes WeChat refused ([{"code", "reason"}], capped): visible, never silently dropped
    rejected_codes = models.JSONField(default=list, blank=True)
    rejected_count = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.CharField(max_length=255, blank=True, default="")
    #: what WeChat holds of the voucher's editable fields (name, start, end, goods_name), as last sent
    pushed = models.JSONField(default=dict, blank=True)
    #: voucher edits WeChat cannot take while the coupons still work ([{"code", "message"}], see
    #: ``StockIssue``): shown next to the status, never silently diverging
    notices = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    #: a worker syncing this stock holds it until then (renewed per batch), so two never upload at once
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [
            models.UniqueConstraint(fields=["voucher_id", "mchid", "app_id"], name="wd_coupon_stock_voucher")
        ]
        indexes = [models.Index(fields=["stock_id"], name="wd_coupon_stock_id")]

    def __str__(self) -> str:
        return f"voucher {self.voucher_id} -> stock {self.stock_id or '?'} ({self.status})"


class IssuedCoupon(models.Model):
    """A coupon in a user's card pack: which (app id, openid) holds which code, and what became of it."""

    stock = models.ForeignKey(CouponStock, on_delete=models.CASCADE, related_name="issued")
    code = models.CharField(max_length=32)
    app_id = models.CharField(max_length=32)
    openid = models.CharField(max_length=64)
    unionid = models.CharField(max_length=64, blank=True, default="")
    state = models.CharField(
        max_length=16,
        choices=[(s.value, s.value) for s in IssuedCouponState],
        default=IssuedCouponState.ISSUED,
    )
    order_id = models.CharField(max_length=64, blank=True, default="")
    #: what WeChat could not do for this coupon, coded (``StockIssue``), e.g. a consumed legacy card whose
    #: order was cancelled
    note = models.CharField(max_length=255, blank=True, default="")
    issued_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [models.UniqueConstraint(fields=["stock", "code"], name="wd_issued_coupon_code")]
        indexes = [models.Index(fields=["app_id", "openid"], name="wd_issued_coupon_user")]

    def __str__(self) -> str:
        return f"{self.code} -> {self.app_id}:{self.openid} ({self.state})"
