"""What the console shows beside a host customer and a distributor: the customer's own distributor
profile and bindings, a distributor's bindings and ledger."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from ..models import CustomerBinding, Distributor, LedgerEntry, WeChatIdentity


@dataclass(frozen=True)
class CustomerDistribution:
    user_id: int
    #: the customer's own distributor profile (any status)
    distributor: Distributor | None
    #: every binding of the customer (as a user or through its WeChat identities), oldest first
    bindings: list[CustomerBinding]


def customer_distribution(*, user_id: int) -> CustomerDistribution:
    """Three index lookups: the profile, the customer's WeChat identities, their bindings."""
    identities = WeChatIdentity.objects.filter(user_id=user_id).values_list("app_id", "openid")
    # the binding keys of CustomerBinding's docstring (services.bindings.customer_keys writes them)
    keys = [f"user:{user_id}", *(f"wx:{app_id}:{openid}" for app_id, openid in identities)]
    bindings = list(
        CustomerBinding.objects.filter(customer_key__in=keys)
        .select_related("distributor")
        .order_by("bound_at", "pk")
    )
    return CustomerDistribution(
        user_id=user_id,
        distributor=Distributor.objects.filter(user_id=user_id).first(),
        bindings=bindings,
    )


@dataclass(frozen=True)
class BindingCounts:
    total: int
    active: int  # not expired


def binding_counts(*, distributor_ids: Iterable[int], now: datetime) -> dict[int, BindingCounts]:
    """Customers bound to each distributor (one grouped query over the binding's distributor index)."""
    rows = (
        CustomerBinding.objects.filter(distributor_id__in=list(distributor_ids))
        .values("distributor_id")
        .annotate(
            total=Count("pk"),
            active=Count("pk", filter=Q(expires_at__isnull=True) | Q(expires_at__gt=now)),
        )
    )
    return {r["distributor_id"]: BindingCounts(total=r["total"], active=r["active"]) for r in rows}


def ledger_of(*, distributor: Distributor) -> QuerySet[LedgerEntry]:
    """A distributor's ledger entries (the console pages them newest first by id)."""
    return LedgerEntry.objects.filter(distributor=distributor)
