"""Distributors and their audit trail.

The tree is django-treebeard's materialized path (README, design notes): ancestors are one lookup by
path prefixes, a subtree is a prefix range, a level of it is (depth, path) range in one index. Team
sizes are maintained counters, because every distributor's home page shows them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from ..domain.distributors import DISPLAY_NAME_MAX_LENGTH, DistributorKind, DistributorStatus


class Distributor(MP_Node):
    """One per customer (Saleor user id, not a foreign key: docs/architecture.md §1).

    Roots (depth 1) sit directly under the brand; the brand itself has no row, so no single row is
    updated by every insert in the network.
    """

    steplen = 4  # 36**4 ≈ 1.7M children per parent; 255-char paths allow 63 levels

    user_id = models.BigIntegerField(unique=True)
    email = models.CharField(max_length=254, blank=True, default="")
    #: the contact phone given by an import (the customer account is matched through the host)
    phone = models.CharField(max_length=32, blank=True, default="")
    #: the id the brand's offline records use (imports); null for distributors who applied online, whose
    #: referral code serves as their external id in exports (services/network_import/)
    external_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    kind = models.CharField(
        max_length=16,
        choices=[(k.value, k.value) for k in DistributorKind],
        default=DistributorKind.INDIVIDUAL.value,
    )
    status = models.CharField(
        max_length=16,
        choices=[(s.value, s.value) for s in DistributorStatus],
        default=DistributorStatus.PENDING.value,
    )
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX_LENGTH)
    referral_code = models.CharField(max_length=16, unique=True)
    #: who invited this distributor when it applied (fission); kept even after staff move the subtree
    inviter = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    #: approved (active or suspended) descendants, kept in step by db/tree.py
    team_size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = MP_NodeManager()

    class Meta:
        app_label = "wechat_distribution"
        verbose_name = _("distributor")
        verbose_name_plural = _("distributors")
        indexes = [
            # a level of a subtree: depth = k AND path LIKE 'prefix%' ORDER BY path (path collates "C")
            models.Index(fields=["depth", "path"], name="wd_distributor_level_path"),
            models.Index(fields=["status", "kind"], name="wd_distributor_status_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.referral_code})"

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen]

    def ancestor_paths(self) -> list[str]:
        """Paths of every ancestor, root first: pure string arithmetic, no query."""
        step = self.steplen
        return [self.path[:i] for i in range(step, len(self.path), step)]


class DistributorEvent(models.Model):
    """Append-only audit trail: who changed what and when."""

    class Type(models.TextChoices):
        APPLIED = "applied"
        AUTO_APPROVED = "auto_approved"
        APPROVED = "approved"
        REJECTED = "rejected"
        SUSPENDED = "suspended"
        REACTIVATED = "reactivated"
        MOVED = "moved"
        REAPPLIED = "reapplied"
        IMPORTED = "imported"  # created or changed by a network import (data: job, changes)

    distributor = models.ForeignKey(Distributor, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=Type.choices)
    actor = models.CharField(max_length=64)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "wechat_distribution"
        ordering = ("pk",)
        indexes = [models.Index(fields=["distributor", "created_at"], name="wd_distributor_event_time")]

    def __str__(self) -> str:
        return f"{self.type} by {self.actor}"
