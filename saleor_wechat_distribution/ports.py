"""What the core needs from its host (Saleor, or the sandbox), and the DTOs that cross that line.

The host turns its own objects into these; the core never sees a Saleor model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from .domain.payouts import PayoutResult
from .domain.permissions import Permission


@dataclass(frozen=True)
class Principal:
    """Who is calling: built by the host from its own authentication (Saleor JWT, sandbox token)."""

    user_id: int | None = None
    email: str = ""
    is_staff: bool = False
    is_active: bool = True
    permissions: frozenset[Permission] = field(default_factory=frozenset)

    @classmethod
    def anonymous(cls) -> Principal:
        return cls()

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None and self.is_active

    def has_perms(self, *perms: Permission) -> bool:
        return self.is_authenticated and self.is_staff and set(perms) <= self.permissions

    @property
    def actor_label(self) -> str:
        """How audit entries name this caller."""
        if not self.is_authenticated:
            return "anonymous"
        return f"{'staff' if self.is_staff else 'user'}:{self.user_id}"


#: The principal used by system jobs (imports, periodic tasks): every permission, no user.
SYSTEM = Principal(user_id=0, email="system", is_staff=True, permissions=frozenset(Permission))


@dataclass(frozen=True)
class LineSnapshot:
    """One order line as the host sees it; amounts are Decimal in the order's currency."""

    line_id: str
    product_id: str
    variant_id: str
    category_id: str | None
    quantity: int
    #: what the customer pays for the line after every discount, excluding shipping
    net_total: Decimal


@dataclass(frozen=True)
class WeChatIdentityRef:
    app_id: str
    openid: str


@dataclass(frozen=True)
class OrderSnapshot:
    """An order handed to the core by the host (Saleor hooks, the sandbox's demo orders)."""

    order_id: str
    number: str
    channel: str
    currency: str
    lines: tuple[LineSnapshot, ...]
    user_id: int | None = None
    email: str = ""
    shipping_net: Decimal = Decimal(0)
    voucher_code: str | None = None
    checkout_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    identities: tuple[WeChatIdentityRef, ...] = ()
    created_at: datetime | None = None


class PayoutGateway(Protocol):
    """Sends money to a distributor's WeChat wallet. ``out_bill_no`` is the idempotency key: sending the
    same one twice must never pay twice (WeChat Pay refuses or returns the existing bill)."""

    def transfer(
        self, *, out_bill_no: str, app_id: str, openid: str, amount_fen: int, remark: str, user_name: str = ""
    ) -> PayoutResult: ...

    def query(self, *, out_bill_no: str) -> PayoutResult: ...

    def cancel(self, *, out_bill_no: str) -> PayoutResult: ...

    def parse_notification(self, *, headers: dict[str, str], body: bytes) -> PayoutResult:
        """Verify the signature, decrypt the resource; raise ``InvalidNotification`` when either fails."""
        ...


class InvalidNotification(Exception):
    """A payment-provider notification whose signature, timestamp or ciphertext did not verify."""


def order_to_payload(order: OrderSnapshot) -> dict:
    """JSON-safe form of an order snapshot (Decimals as strings), for Celery messages."""
    return {
        "order_id": order.order_id,
        "number": order.number,
        "channel": order.channel,
        "currency": order.currency,
        "lines": [
            {
                "line_id": ln.line_id,
                "product_id": ln.product_id,
                "variant_id": ln.variant_id,
                "category_id": ln.category_id,
                "quantity": ln.quantity,
                "net_total": str(ln.net_total),
            }
            for ln in order.lines
        ],
        "user_id": order.user_id,
        "email": order.email,
        "shipping_net": str(order.shipping_net),
        "voucher_code": order.voucher_code,
        "checkout_id": order.checkout_id,
        "metadata": dict(order.metadata),
        "identities": [[i.app_id, i.openid] for i in order.identities],
        "created_at": order.created_at.isoformat() if order.created_at else None,
    }


def order_from_payload(data: dict) -> OrderSnapshot:
    return OrderSnapshot(
        order_id=data["order_id"],
        number=data["number"],
        channel=data["channel"],
        currency=data["currency"],
        lines=tuple(
            LineSnapshot(
                line_id=ln["line_id"],
                product_id=ln["product_id"],
                variant_id=ln["variant_id"],
                category_id=ln["category_id"],
                quantity=int(ln["quantity"]),
                net_total=Decimal(ln["net_total"]),
            )
            for ln in data["lines"]
        ),
        user_id=data.get("user_id"),
        email=data.get("email", ""),
        shipping_net=Decimal(data.get("shipping_net") or 0),
        voucher_code=data.get("voucher_code"),
        checkout_id=data.get("checkout_id"),
        metadata=dict(data.get("metadata") or {}),
        identities=tuple(WeChatIdentityRef(app_id=a, openid=o) for a, o in data.get("identities") or ()),
        created_at=datetime.fromisoformat(data["created_at"]) if data.get("created_at") else None,
    )


@dataclass(frozen=True)
class CustomerRequest:
    """A person from an import row: matched to a host account by e-mail or phone."""

    email: str
    phone: str
    name: str


@dataclass(frozen=True)
class CustomerMatch:
    """The host's answer: the account's user id (None: no account, and none was created) and whether the
    account was created for this request (or, with ``create=False``, would be)."""

    user_id: int | None
    created: bool = False


class CustomerDirectory(Protocol):
    """The host's customer accounts, as the network import needs them.

    ``create=False`` only looks up (dry runs): an unknown person comes back as ``CustomerMatch(None,
    created=True)`` when the host would create the account, ``CustomerMatch(None)`` when it would not.
    With ``create=True`` the host creates missing accounts inside the caller's transaction where it can,
    so a failed import leaves none behind.
    """

    def find_or_create_customers(
        self, requests: list[CustomerRequest], *, create: bool
    ) -> list[CustomerMatch]: ...
