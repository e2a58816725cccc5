"""Storefronts: one per distributor, or (``distributor`` empty) the brand's, one per channel.

Their Official Accounts live in ``models/wechat.py``.
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
