"""Build distributors through the real services, so tests exercise the same paths as the API."""

from __future__ import annotations

import itertools

from ..domain.distributors import DistributorKind, DistributorStatus
from ..domain.permissions import Permission
from ..models import Distributor, WeChatIdentity
from ..ports import SYSTEM, Principal
from ..services.distributors import (
    distributor_apply,
    distributor_approve,
    distributor_reject,
    distributor_suspend,
)

_user_ids = itertools.count(100_000)


def customer(user_id: int | None = None, email: str | None = None) -> Principal:
    uid = next(_user_ids) if user_id is None else user_id
    return Principal(user_id=uid, email=email or f"customer{uid}@example.com")


def staff(*permissions: Permission, user_id: int | None = None) -> Principal:
    uid = next(_user_ids) if user_id is None else user_id
    return Principal(
        user_id=uid, email=f"staff{uid}@example.com", is_staff=True, permissions=frozenset(permissions)
    )


def make_distributor(
    parent: Distributor | None = None,
    *,
    principal: Principal | None = None,
    kind: DistributorKind | str = DistributorKind.INDIVIDUAL,
    status: DistributorStatus | str = DistributorStatus.ACTIVE,
    name: str | None = None,
) -> Distributor:
    """Apply (under ``parent``'s code) and walk the node to ``status`` through the services."""
    principal = principal or customer()
    status = DistributorStatus(status)
    node = distributor_apply(
        principal=principal,
        display_name=name or f"Distributor {principal.user_id}",
        kind=kind,
        inviter_code=parent.referral_code if parent is not None else None,
    )
    if status is DistributorStatus.REJECTED:
        node = distributor_reject(actor=SYSTEM, distributor_id=node.pk)
    elif status is not DistributorStatus.PENDING and node.status == DistributorStatus.PENDING:
        node = distributor_approve(actor=SYSTEM, distributor_id=node.pk)
    if status is DistributorStatus.SUSPENDED:
        node = distributor_suspend(actor=SYSTEM, distributor_id=node.pk)
    return node


def make_chain(depth: int, *, root_kind: DistributorKind = DistributorKind.ENTERPRISE) -> list[Distributor]:
    """A line of ``depth`` active distributors, root first."""
    nodes = [make_distributor(kind=root_kind)]
    for _ in range(depth - 1):
        nodes.append(make_distributor(nodes[-1]))
    return nodes


def payout_identity(distributor: Distributor, app_id: str, openid: str | None = None) -> WeChatIdentity:
    """The distributor's openid in the payout app (what opening the shop in WeChat once records)."""
    identity, _ = WeChatIdentity.objects.get_or_create(
        app_id=app_id,
        openid=openid or f"o-payout-{distributor.pk:08d}-{distributor.user_id}",
        defaults={"user_id": distributor.user_id},
    )
    return identity
