"""Attribution and binding policy rules (pure): which distributor an order or a customer belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

#: checkout / order metadata key a storefront sets with Saleor's updateMetadata
REF_METADATA_KEY = "wechat_distribution.ref"


class CustomerKeyKind(StrEnum):
    """The prefix of a ``CustomerBinding.customer_key``: who the binding is for."""

    #: the host's customer (``user:<user id>``)
    USER = "user"
    #: a WeChat identity not (yet) linked to a customer (``wx:<app id>:<openid>``)
    WECHAT = "wx"


def user_customer_key(user_id: int) -> str:
    """The key a host customer is bound under."""
    return f"{CustomerKeyKind.USER}:{int(user_id)}"


def identity_customer_key(app_id: str, openid: str) -> str:
    """The key a WeChat identity (one openid on one app) is bound under."""
    return f"{CustomerKeyKind.WECHAT}:{app_id}:{openid}"


def user_id_of_customer_key(key: str) -> int | None:
    """The host customer a key names, or None (a WeChat identity's key, or not a key)."""
    kind, sep, rest = key.partition(":")
    if kind != CustomerKeyKind.USER or not sep or not (rest.isascii() and rest.isdigit()):
        return None
    return int(rest)


class AttributionSource(StrEnum):
    LINK = "link"  # a share link's code, through checkout metadata or checkoutAttribute
    VOUCHER = "voucher"  # a voucher code assigned to a distributor
    QR = "qr"  # a WeChat QR scene (binding made by the scan)
    BINDING = "binding"  # the customer's existing binding
    MANUAL = "manual"  # staff reassignment


class BindingTrigger(StrEnum):
    FIRST_CLICK = "first_click"  # bound when the customer first arrives through a link or QR code
    FIRST_ORDER = "first_order"  # bound by the first order that carries a code
    FIRST_PAYMENT = "first_payment"  # bound when that order is paid
    REGISTRATION = "registration"  # bound only when the customer registers through a code


class BindingOverride(StrEnum):
    NEVER = "never"  # a binding, once made, is never taken over
    AFTER_EXPIRY = "after_expiry"  # another distributor may take the customer once it expired
    LAST_TOUCH = "last_touch"  # the latest code wins, except inside the protection period


class CodePriority(StrEnum):
    VOUCHER_FIRST = "voucher_first"
    LINK_FIRST = "link_first"


@dataclass(frozen=True)
class BindingPolicy:
    trigger: BindingTrigger = BindingTrigger.FIRST_CLICK
    validity_days: int | None = 365  # None: permanent
    protection_days: int = 30
    override: BindingOverride = BindingOverride.AFTER_EXPIRY
    code_priority: CodePriority = CodePriority.VOUCHER_FIRST

    def expires_at(self, bound_at: datetime) -> datetime | None:
        return None if self.validity_days is None else bound_at + timedelta(days=self.validity_days)

    def protected_until(self, bound_at: datetime) -> datetime:
        return bound_at + timedelta(days=self.protection_days)


@dataclass(frozen=True)
class BindingState:
    distributor_id: int
    bound_at: datetime
    expires_at: datetime | None
    protected_until: datetime

    def is_valid(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


def may_take_over(
    policy: BindingPolicy, current: BindingState | None, *, new_distributor_id: int, now: datetime
) -> bool:
    """Whether a touch by ``new_distributor_id`` may (re)bind the customer now.

    Inside the protection period nobody takes a customer over, whatever the override mode: that is what
    keeps distributors from poaching each other's customers.
    """
    if current is None or not current.is_valid(now):
        return True
    if current.distributor_id == new_distributor_id:
        return False  # already theirs; the binding is not renewed by repeated clicks
    if now < current.protected_until:
        return False
    return policy.override is BindingOverride.LAST_TOUCH


_FUNNEL = {
    BindingTrigger.FIRST_CLICK: 0,
    BindingTrigger.REGISTRATION: 0,
    BindingTrigger.FIRST_ORDER: 1,
    BindingTrigger.FIRST_PAYMENT: 2,
}


def binding_is_made_by(policy: BindingPolicy, event: BindingTrigger) -> bool:
    """Whether this event binds the customer under the policy.

    Events later in the funnel imply the earlier ones (an order carrying a link code means the customer
    clicked), so under FIRST_CLICK the earliest event we learn of binds. REGISTRATION binds only on
    registration.
    """
    if policy.trigger is BindingTrigger.REGISTRATION:
        return event is BindingTrigger.REGISTRATION
    return _FUNNEL[event] >= _FUNNEL[policy.trigger]
