"""What the core needs from its host (Saleor, or the sandbox), and the DTOs that cross that line.

The host turns its own objects into these; the core never sees a Saleor model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from .domain.coupons import VoucherDiscountType
from .domain.payouts import PayoutResult
from .domain.permissions import Permission
from .domain.wechat_errors import WeChatApiError as WeChatApiError
from .domain.wechat_errors import WeChatUnreachable as WeChatUnreachable


class HostUnavailable(Exception):
    """The host could not answer a lookup now (App mode: Saleor's API unreachable, or it refused the App's
    token): nothing was decided; the caller says so (GraphQL: ``HOST_UNAVAILABLE``) and may try again.
    ``message`` is user-facing and translatable."""

    def __init__(self, message: str) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Principal:
    """Who is calling: built by the host from its own authentication (Saleor JWT, sandbox token)."""

    user_id: int | None = None
    email: str = ""
    is_staff: bool = False
    is_active: bool = True
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    #: set when the caller is a host app (a Saleor App's token) rather than a user; ``user_id`` is None
    app_id: int | None = None

    @classmethod
    def anonymous(cls) -> Principal:
        return cls()

    @property
    def is_authenticated(self) -> bool:
        return (self.user_id is not None or self.app_id is not None) and self.is_active

    def has_perms(self, *perms: Permission) -> bool:
        return self.is_authenticated and self.is_staff and set(perms) <= self.permissions

    @property
    def actor_label(self) -> str:
        """How audit entries name this caller."""
        if not self.is_authenticated:
            return "anonymous"
        if self.user_id is None:
            return f"app:{self.app_id}"
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
    #: gross total and net charged (charges - refunds) when the host knows them; they bound reversals
    total_gross: Decimal | None = None
    charged: Decimal | None = None


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
    payload = {
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
    if order.total_gross is not None and order.charged is not None:
        payload["charges"] = [str(order.total_gross), str(order.charged)]
    return payload


def order_from_payload(data: dict) -> OrderSnapshot:
    charges = data.get("charges")
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
        total_gross=Decimal(charges[0]) if charges else None,
        charged=Decimal(charges[1]) if charges else None,
    )


# --- vouchers and coupons (商家券) -------------------------------------------------------------------


@dataclass(frozen=True)
class VoucherSnapshot:
    """A Saleor voucher as the host hands it over. ``codes`` is an iterator over the voucher's codes in
    ascending order (after the cursor the caller asked for): never a list, a voucher may have 100,000s."""

    voucher_id: str
    name: str
    discount_type: VoucherDiscountType
    value: Decimal
    currency: str
    channel: str
    codes: Iterator[str] = field(default_factory=lambda: iter(()), compare=False, repr=False)
    code_count: int = 0
    minimum_spend: Decimal | None = None
    start: datetime | None = None
    end: datetime | None = None
    usage_limit: int | None = None
    once_per_customer: bool = False
    active: bool = True
    #: a voucher whose codes are assigned to one distributor (an attribution source)
    distributor_id: int | None = None


@dataclass(frozen=True)
class VoucherSummary:
    """A line of the vouchers list (the staff console's card-pack coupons page)."""

    voucher_id: str
    name: str
    channel: str
    code_count: int
    active: bool
    #: the list's sort key (newest first): ``voucher_list(after=...)`` continues after it
    position: int


@dataclass(frozen=True)
class VoucherCodeUsability:
    """Whether the host would accept a voucher code in a checkout now, as far as its uses go (the host's
    own rule: the code is active and the voucher's usage limit is not reached)."""

    usable: bool
    #: why not, for staff (English, stored in the coupon's note): "inactive", "usage limit 1 reached", ...
    reason: str = ""

    @classmethod
    def of(cls, *, found: bool, active: bool, usage_limit: int | None, used: int) -> VoucherCodeUsability:
        """Saleor's rule for a code in a checkout (``get_voucher_code_instance``): the code active, the
        voucher's ``usage_limit`` (if any) above the uses of all its codes."""
        if not found:
            return cls(False, "the code no longer exists in Saleor")
        if not active:
            return cls(False, "the code is inactive in Saleor (a single-use code once used)")
        if usage_limit is not None and used >= usage_limit:
            return cls(False, f"the voucher's usage limit {usage_limit} is reached ({used} uses)")
        return cls(True)


class VoucherSource(Protocol):
    """The host's vouchers (Saleor's, or the sandbox's table)."""

    def voucher_list(self, *, search: str, after: int | None, limit: int) -> list[VoucherSummary]:
        """Vouchers newest first (keyset: ``position`` below ``after``), at most ``limit``, matching
        ``search`` (in the name, or a voucher id or code equal to it); one query whatever ``limit``."""
        ...

    def voucher_count(self, *, search: str) -> int:
        """How many vouchers ``voucher_list`` goes over for ``search``."""
        ...

    def voucher_get(self, voucher_id: str, *, codes_after: str | None = None) -> VoucherSnapshot | None:
        """The voucher now, its ``codes`` iterating (ascending) over the codes greater than
        ``codes_after``; None when it no longer exists."""
        ...

    def voucher_code_mark_used(self, *, voucher_id: str, code: str, reference: str) -> bool:
        """A code was redeemed outside Saleor (in a store, through WeChat): count it used once.
        ``reference`` (the WeChat use request) makes a repeated call a no-op; False if the code is unknown."""
        ...

    def voucher_code_usable(self, *, voucher_id: str, code: str) -> VoucherCodeUsability:
        """Whether ``code`` of the voucher can be used again (read, never written): the code exists and
        is active (a single-use voucher deactivates a code when it is used) and the voucher's usage limit
        is above the uses its codes count. Saleor's cancellation of an order gives no use back (it releases
        a code only for draft orders and failed checkouts), so this answers whether the coupon of a
        cancelled order's code may go back to the card pack. The host unreachable:
        ``CouponTemporaryError`` (the caller retries; never a guess)."""
        ...


@dataclass(frozen=True)
class UploadResult:
    #: codes WeChat Pay holds for the stock after this batch (new ones and ones it already had)
    accepted: int
    failed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CouponReceived:
    """A verified, decrypted ``COUPON.SEND`` notification: a user put a coupon into the card pack."""

    notification_id: str
    stock_id: str
    code: str
    openid: str
    unionid: str = ""
    send_time: str = ""
    send_channel: str = ""
    send_request_no: str = ""


class CouponGateway(Protocol):
    """One merchant's coupon API with one app id (the app whose openids the coupons are issued to):
    商家券 (``wechat.coupons``) or 商品券 (``wechat.product_coupons``, ``mchid`` is then the brand id).
    Errors: ``CouponApiError`` (final), ``CouponTemporaryError`` / ``CouponRateLimited`` (retry),
    ``CouponNotFound``."""

    mchid: str
    app_id: str
    api_key_v2: str

    def stock_create(self, *, body: dict[str, Any]) -> str: ...

    def stock_query(self, *, stock_id: str) -> dict[str, Any]: ...

    def stock_budget(self, *, stock_id: str, request_no: str, max_coupons: int, current: int) -> None: ...

    def stock_modify(self, *, stock_id: str, out_request_no: str, goods_name: str) -> None: ...

    def codes_upload(self, *, stock_id: str, upload_request_no: str, codes: list[str]) -> UploadResult: ...

    def coupon_use(self, *, stock_id: str, code: str, openid: str, use_request_no: str) -> None: ...

    def coupon_return(self, *, stock_id: str, code: str, return_request_no: str, openid: str = "") -> None:
        """``openid``: the holder (商品券 returns per user; 商家券 ignores it)."""
        ...

    def coupon_deactivate(
        self, *, stock_id: str, code: str, request_no: str, reason: str, openid: str = ""
    ) -> None: ...

    def coupon_query(self, *, code: str, openid: str, stock_id: str = "") -> dict[str, Any]:
        """``stock_id``: the coupon's stock (商品券 asks by it; 商家券 ignores it)."""
        ...

    def callbacks_set(self, *, notify_url: str) -> None: ...

    def parse_notification(self, *, headers: Mapping[str, str], body: bytes) -> CouponReceived:
        """Verify the signature and decrypt; ``InvalidNotification`` when either fails."""
        ...


# --- WeChat Official Accounts ----------------------------------------------------------------------


@dataclass(frozen=True)
class AccountCredentials:
    """What a WeChat call on behalf of one Official Account needs (opened from the sealed columns)."""

    app_id: str
    mode: str  # "credentials" | "component"
    app_secret: str = ""
    refresh_token: str = ""


@dataclass(frozen=True)
class AuthorizerInfo:
    """An Official Account as the Open Platform describes it after authorization."""

    app_id: str
    refresh_token: str
    name: str = ""
    service_type: int | None = None
    verify_type: int | None = None
    #: seconds the authorizer access token handed out with the authorization stays valid
    expires_in: int | None = None


@dataclass(frozen=True)
class QrTicket:
    ticket: str
    url: str
    expire_seconds: int | None


class OfficialAccountGateway(Protocol):
    """Official Account / Open Platform calls the services make (wechat/mp.py, through wechatpy)."""

    def verify(self, account: AccountCredentials) -> None:
        """Fetch an access token; raise ``WeChatApiError`` when the credentials are refused."""
        ...

    def qrcode_create(self, account: AccountCredentials, *, scene: str, permanent: bool) -> QrTicket: ...

    def user_info(self, account: AccountCredentials, *, openid: str) -> dict: ...

    def send_template(
        self, account: AccountCredentials, *, openid: str, template_id: str, data: dict, url: str = ""
    ) -> int: ...

    def oauth_url(self, account: AccountCredentials, *, redirect_uri: str, state: str) -> str: ...

    def card_code_consume(self, account: AccountCredentials, *, card_id: str, code: str) -> str:
        """核销 a legacy 卡券 code (``card/code/consume``); the holder's openid. ``WeChatApiError`` with
        WeChat's errcode when refused (40099: already consumed)."""
        ...

    def oauth_openid(self, account: AccountCredentials, *, code: str) -> tuple[str, str]:
        """(openid, unionid) for a web OAuth ``code`` (snsapi_base)."""
        ...

    def component_configured(self) -> bool: ...

    def component_authorization_url(self, *, redirect_uri: str, mobile: bool) -> str: ...

    def component_query_auth(self, *, authorization_code: str) -> AuthorizerInfo: ...

    def authorizer_token_refresh(self, account: AccountCredentials) -> int:
        """Fetch a new authorizer access token now (Open Platform accounts) and keep it for every
        process; the seconds it stays valid. ``WeChatApiError`` when WeChat refuses."""
        ...

    def forget_tokens(self, app_id: str) -> None:
        """Drop the account's cached access tokens (the account was detached or lost its authorization)."""
        ...


@dataclass(frozen=True)
class HostChannel:
    """A sales channel of the host (Saleor: a ``Channel``), as staff pick one to run the program in."""

    slug: str
    currency: str
    name: str = ""


@dataclass(frozen=True)
class ProductSnapshot:
    """What a share poster shows of a product, as the host describes it (price in the channel's currency)."""

    product_id: str
    title: str
    price: Decimal
    currency: str
    image_url: str = ""


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


@dataclass(frozen=True)
class HostCheckout:
    """A checkout as the host knows it (``host.Host.checkout_lookup``): the id its orders will carry
    (``OrderSnapshot.checkout_id``, the key a code is kept under), its channel and whose it is."""

    checkout_id: str
    channel: str
    #: the customer account the checkout belongs to (Saleor: ``Checkout.user``); None for a guest's
    #: checkout. ``checkoutAttribute`` binds a signed-in caller only to a checkout that is theirs or a
    #: guest's, never through another customer's checkout (``services/referrals.checkout_attribute``)
    customer_user_id: int | None = None
