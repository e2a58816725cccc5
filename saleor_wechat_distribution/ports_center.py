"""What the distributor center needs from its host and from WeChat, beside ``ports.py``.

- ``ProductCatalog``: the brand's products in a channel (search for curation, a page of ids for a
  storefront), from the host's catalog (Saleor's products, the sandbox's demo catalog).
- ``CustomerSessions``: after WeChat web OAuth, the host's customer for the identity (found or created)
  and a token the center sends as ``Authorization: Bearer`` (Saleor: its own JWT; the sandbox: its
  signed demo token).
- ``WebGateway``: the WeChat calls of the center's pages (JS-SDK ticket, web OAuth with a scope and the
  user's profile), implemented in ``wechat/web.py`` beside the Official Account gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .domain.storefronts import OAuthScope
from .ports import AccountCredentials, ProductSnapshot


@dataclass(frozen=True)
class ProductPage:
    """One page of a catalog search; ``end_cursor`` is opaque to the core (the host's own keyset)."""

    items: tuple[ProductSnapshot, ...]
    has_next: bool = False
    end_cursor: str | None = None


class ProductCatalog(Protocol):
    def products_search(
        self, *, channel: str, query: str, first: int, after: str | None = None
    ) -> ProductPage:
        """Products on sale in ``channel`` whose name matches ``query`` ("" = all), in a stable order."""
        ...

    def products_get(self, *, channel: str, product_ids: list[str]) -> dict[str, ProductSnapshot]:
        """The products of ``product_ids`` still on sale in ``channel`` (missing ids are left out): one
        call for a whole page."""
        ...


@dataclass(frozen=True)
class SessionToken:
    """A host token for the customer (``Authorization: Bearer``) and its lifetime in seconds."""

    token: str
    expires_in: int
    user_id: int


@dataclass(frozen=True)
class WeChatProfile:
    """What WeChat says of a visitor after web OAuth: always the openid; the unionid when the account
    belongs to an Open Platform account; nickname and avatar only with ``snsapi_userinfo``."""

    openid: str
    unionid: str = ""
    scope: str = OAuthScope.BASE.value
    nickname: str = ""
    avatar_url: str = ""


class CustomerSessions(Protocol):
    def customer_for_wechat(self, *, app_id: str, openid: str, unionid: str, nickname: str) -> int:
        """The host customer's user id for a WeChat identity that no customer is linked to yet: an
        existing account of the same person where the host knows one, else a new account."""
        ...

    def issue_token(self, *, user_id: int) -> SessionToken:
        """A token that authenticates the customer on our GraphQL endpoint."""
        ...


class WebGateway(Protocol):
    """The center's WeChat calls (``wechat/web.py``); errors are ``ports.WeChatApiError``."""

    def jsapi_ticket(self, account: AccountCredentials) -> str:
        """The account's JS-SDK ticket, shared by every process, fetched once when it expires."""
        ...

    def oauth_url_scoped(
        self, account: AccountCredentials, *, redirect_uri: str, state: str, scope: str
    ) -> str: ...

    def oauth_profile(self, account: AccountCredentials, *, code: str) -> WeChatProfile:
        """Exchange a web OAuth ``code``; with ``snsapi_userinfo`` also read the visitor's profile."""
        ...
