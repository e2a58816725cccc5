"""Storefront rules (pure): slugs, reserved words, product selections, QR scenes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

SLUG_MIN_LENGTH = 3
SLUG_MAX_LENGTH = 50
TITLE_MAX_LENGTH = 100
WELCOME_MAX_LENGTH = 600
PRODUCTS_MAX = 500
PRODUCT_ID_MAX_LENGTH = 64
#: temporary QR codes live at most 30 days (WeChat's limit, 2592000 s)
QR_TEMPORARY_SECONDS = 30 * 24 * 3600
#: an account has 100,000 permanent scenes in all
QR_SCENE_MAX_LENGTH = 64

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

#: words a storefront may not take: our own routes, the host's, and names that would mislead buyers
RESERVED_SLUGS = frozenset(
    {
        "account", "admin", "api", "brand", "cart", "checkout", "dashboard", "export", "graphql",
        "help", "login", "logout", "media", "official", "oauth", "order", "orders", "plugins",
        "register", "saleor", "shop", "static", "store", "support", "wechat", "wechatpay", "www",
    }
)  # fmt: skip


def slug_problem(slug: str) -> str | None:
    """``None`` when ``slug`` is usable; else "too_long", "invalid" or "reserved"."""
    if len(slug) > SLUG_MAX_LENGTH:
        return "too_long"
    if len(slug) < SLUG_MIN_LENGTH or not _SLUG.fullmatch(slug):
        return "invalid"
    if slug in RESERVED_SLUGS:
        return "reserved"
    return None


def clean_product_ids(raw: Iterable[str]) -> list[str]:
    """Strip, drop empties and duplicates, keep the order given."""
    seen: dict[str, None] = {}
    for value in raw:
        value = (value or "").strip()
        if value:
            seen.setdefault(value, None)
    return list(seen)


def products_outside(selection: Iterable[str], allowed: Iterable[str] | None) -> list[str]:
    """The ids of ``selection`` the brand does not allow (``allowed`` None: everything is allowed)."""
    if allowed is None:
        return []
    allowed_set = set(allowed)
    return [p for p in selection if p not in allowed_set]


class AccountMode(StrEnum):
    """How an Official Account is bound (``OfficialAccount.mode``, ``AccountCredentials.mode``)."""

    #: with its own app secret, callback token and EncodingAESKey
    CREDENTIALS = "credentials"
    #: through the Open Platform (an authorizer refresh token; the component handles callbacks)
    COMPONENT = "component"


class OAuthScope(StrEnum):
    """WeChat web OAuth (网页授权) scopes: what a visitor's sign-in through an Official Account yields."""

    #: silent: the openid (and the unionid when WeChat gives it)
    BASE = "snsapi_base"
    #: WeChat asks the visitor once: nickname and avatar too
    USERINFO = "snsapi_userinfo"


class CallbackEvent(StrEnum):
    """The ``Event`` of Official Account callback messages the handlers act on (WeChat's spelling)."""

    #: a follow; ``EventKey`` is ``qrscene_<scene>`` when it came through a parametric QR code
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    #: a follower scanned a parametric QR code; ``EventKey`` is the scene
    SCAN = "SCAN"
    #: the delivery result of a template message
    TEMPLATE_SEND_JOB_FINISH = "TEMPLATESENDJOBFINISH"


def scene_of_event_key(event: str, event_key: str) -> str:
    """The QR scene carried by a ``subscribe`` (``qrscene_<scene>``) or ``SCAN`` (``<scene>``) event."""
    key = (event_key or "").strip()
    if event == CallbackEvent.SUBSCRIBE:
        return key[len("qrscene_") :] if key.startswith("qrscene_") else ""
    return key if event == CallbackEvent.SCAN else ""


class MessageEncryption(StrEnum):
    """How an Official Account's callback messages travel, as set in its server settings (服务器配置,
    消息加解密方式): PLAIN (明文模式) plaintext only; COMPATIBLE (兼容模式) WeChat sends both, for the
    switch-over; SAFE (安全模式) AES-encrypted only. We accept plaintext only in the first two and
    encrypted messages only in the last two: a safe-mode account never acts on a message that anyone who
    saw one signed URL could have written."""

    PLAIN = "plain"
    COMPATIBLE = "compatible"
    SAFE = "safe"

    def accepts(self, *, encrypted: bool) -> bool:
        return self is not (MessageEncryption.PLAIN if encrypted else MessageEncryption.SAFE)

    @property
    def needs_key(self) -> bool:
        return self is not MessageEncryption.PLAIN
