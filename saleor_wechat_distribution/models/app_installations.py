"""Installations of the console's Saleor App: one per Saleor instance, keyed by its API URL.

Saleor posts the App's token to ``app/register/`` when the App is installed (``console/register.py``).
The token is sealed at rest (``sealing.py``); ``app_id`` is the App's global id in that Saleor, which
AppBridge tokens name in their ``app`` claim.
"""

from __future__ import annotations

from django.db import models


class SaleorAppInstallation(models.Model):
    saleor_api_url = models.CharField(max_length=500, unique=True)
    domain = models.CharField(max_length=255)
    app_id = models.CharField(max_length=100, db_index=True)
    #: the App's token, sealed (never logged, never shown)
    auth_token_sealed = models.TextField()
    #: the Saleor's JSON Web Key Set when the verifier fetched it (App mode verifies tokens with it)
    jwks = models.TextField(blank=True, default="")
    #: App mode's after-sales poll (``app/after_sales.py``): orders Saleor updated from this time on (its
    #: clock) are still to be listed; empty = from the installation on
    orders_polled_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return f"{self.saleor_api_url} ({self.app_id})"


class SaleorVoucherCode(models.Model):
    """App mode: the voucher a Saleor voucher code was last read in (``app/vouchers.py`` records every code
    it reads). Saleor's VOUCHER_CODES_DELETED names the codes only, once they are gone from Saleor; this is
    how their voucher, and so the WeChat stock that may still hold them, is found."""

    code = models.CharField(max_length=255, unique=True)
    voucher_id = models.CharField(max_length=64, db_index=True)
    seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return f"{self.code} ({self.voucher_id})"
