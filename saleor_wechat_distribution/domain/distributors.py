"""Distributor kinds, statuses and the transitions between them."""

from __future__ import annotations

import secrets
from enum import StrEnum


class DistributorKind(StrEnum):
    ENTERPRISE = "enterprise"
    INDIVIDUAL = "individual"


class DistributorStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REJECTED = "rejected"


#: Approved members count in team sizes; pending applicants and rejected ones do not.
MEMBER_STATUSES = frozenset({DistributorStatus.ACTIVE, DistributorStatus.SUSPENDED})

#: status -> statuses it may move to, by action name
TRANSITIONS: dict[str, tuple[frozenset[DistributorStatus], DistributorStatus]] = {
    "approve": (frozenset({DistributorStatus.PENDING}), DistributorStatus.ACTIVE),
    "reject": (frozenset({DistributorStatus.PENDING}), DistributorStatus.REJECTED),
    "suspend": (frozenset({DistributorStatus.ACTIVE}), DistributorStatus.SUSPENDED),
    "reactivate": (frozenset({DistributorStatus.SUSPENDED}), DistributorStatus.ACTIVE),
}

DISPLAY_NAME_MAX_LENGTH = 64

#: Crockford-like alphabet without the look-alikes 0/O, 1/I/L, so codes survive being read aloud.
REFERRAL_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERRAL_CODE_LENGTH = 10  # 31**10 ≈ 8e14: unguessable at millions of distributors


def new_referral_code() -> str:
    return "".join(secrets.choice(REFERRAL_CODE_ALPHABET) for _ in range(REFERRAL_CODE_LENGTH))


def normalize_referral_code(raw: str) -> str:
    return raw.strip().upper()


def is_member(status: DistributorStatus | str) -> bool:
    return DistributorStatus(status) in MEMBER_STATUSES


def kind_allowed_under(child: DistributorKind | str, parent: DistributorKind | str | None) -> bool:
    """An enterprise may sit under the brand or another enterprise, never under an individual."""
    if parent is None:
        return True
    return not (
        DistributorKind(child) is DistributorKind.ENTERPRISE
        and DistributorKind(parent) is DistributorKind.INDIVIDUAL
    )
