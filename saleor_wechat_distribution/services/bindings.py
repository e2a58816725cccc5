"""Customer bindings: a customer stays with the distributor who brought them (docs/architecture.md §2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from ..db.referrals import bindings_of_keys
from ..db.upserts import insert_row, insert_unless_exists
from ..domain.referrals import (
    AttributionSource,
    BindingPolicy,
    BindingState,
    BindingTrigger,
    binding_is_made_by,
    identity_customer_key,
    may_take_over,
    user_customer_key,
    user_id_of_customer_key,
)
from ..models import BindingChange, CustomerBinding, Distributor


def customer_keys(*, user_id: int | None, identities: Sequence[tuple[str, str]] = ()) -> list[str]:
    """Every key a customer can be bound under: the host's user first, then WeChat identities."""
    keys = [user_customer_key(user_id)] if user_id is not None else []
    keys += [identity_customer_key(app_id, openid) for app_id, openid in identities]
    return keys


def binding_state(binding: CustomerBinding) -> BindingState:
    return BindingState(
        distributor_id=binding.distributor_id,
        bound_at=binding.bound_at,
        expires_at=binding.expires_at,
        protected_until=binding.protected_until,
    )


def current_binding(*, channel: str, keys: Sequence[str], now: datetime) -> CustomerBinding | None:
    """The valid binding of the first key that has one (user before identities)."""
    if not keys:
        return None
    found = {b.customer_key: b for b in bindings_of_keys(channel=channel, keys=keys)}
    for key in keys:
        binding = found.get(key)
        if binding is not None and binding_state(binding).is_valid(now):
            return binding
    return None


def would_loop(
    *, keys: Sequence[str], distributor: Distributor, buyer_paths: Sequence[str] | None = None
) -> bool:
    """A customer is never bound to themself, nor (being a distributor) to someone in their own team:
    their purchases would then pay their own upline share back to them.

    ``buyer_paths``: the tree paths of the customer's own distributor profile when the caller already
    loaded them (None: look them up).
    """
    user_ids = [user_id for user_id in map(user_id_of_customer_key, keys) if user_id is not None]
    if not user_ids:
        return False
    if distributor.user_id in user_ids:
        return True
    if buyer_paths is None:
        buyer_paths = list(Distributor.objects.filter(user_id__in=user_ids).values_list("path", flat=True))
    return any(distributor.path.startswith(path) for path in buyer_paths)


def binding_touch(
    *,
    channel: str,
    keys: Sequence[str],
    distributor: Distributor,
    policy: BindingPolicy,
    event: BindingTrigger,
    source: AttributionSource,
    code: str = "",
    now: datetime,
    buyer_paths: Sequence[str] | None = None,
) -> bool:
    """A customer arrived through ``distributor``'s code: bind every key the policy lets us.

    Returns whether any binding was made or taken over. Safe under concurrency: the unique
    (channel, customer_key) constraint decides between two first touches, and a binding that exists is
    changed only under its row lock.
    """
    if not keys or not binding_is_made_by(policy, event):
        return False
    if would_loop(keys=keys, distributor=distributor, buyer_paths=buyer_paths):
        return False
    values = {
        "distributor": distributor,
        "source": source.value,
        "code": code,
        "bound_at": now,
        "expires_at": policy.expires_at(now),
        "protected_until": policy.protected_until(now),
    }
    changed = False
    for key in keys:
        fresh = CustomerBinding(channel=channel, customer_key=key, **values)
        made = BindingChange(
            from_distributor_id=None, to_distributor_id=distributor.pk, source=source.value, code=code
        )
        if insert_unless_exists(
            fresh, conflict_fields=["channel", "customer_key"], then=made, link="binding"
        ):
            changed = True
            continue
        with transaction.atomic():
            existing = CustomerBinding.objects.select_for_update().get(channel=channel, customer_key=key)
            if not may_take_over(policy, binding_state(existing), new_distributor_id=distributor.pk, now=now):
                continue
            previous = existing.distributor_id
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save()
            _record_change(existing, previous=previous, distributor=distributor, source=source, code=code)
            changed = True
    return changed


def _record_change(
    binding: CustomerBinding,
    *,
    previous: int | None,
    distributor: Distributor,
    source: AttributionSource,
    code: str,
) -> None:
    insert_row(
        BindingChange(
            binding=binding,
            from_distributor_id=previous,
            to_distributor_id=distributor.pk,
            source=source.value,
            code=code,
        )
    )


def customer_bindings_forget(*, user_id: int) -> int:
    """The host deleted the customer: drop the bindings kept under their user key (attributions and
    commissions are history and stay). Returns how many went."""
    _, deleted = CustomerBinding.objects.filter(customer_key__in=customer_keys(user_id=user_id)).delete()
    return deleted.get(CustomerBinding._meta.label, 0)
