"""What the distributor center needs from its host and from WeChat, beside ``ports.py``.

- ``ProductCatalog``: the brand's products in a channel (search for curation, a page of ids for a
  storefront), from the host's catalog (Saleor's products, the sandbox's demo catalog).
- ``CategoryCatalog``: the host's product categories (Saleor's category tree), for the console's rules
  editor to pick a commission rule's category by name.
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


#: how a category's path is shown: its ancestors' names, root first, then its own
CATEGORY_PATH_SEPARATOR = " / "


@dataclass(frozen=True)
class HostCategory:
    """A product category of the host. ``category_id`` is what order lines carry
    (``LineSnapshot.category_id``; Saleor: the category's global id) and commission rules name; Saleor's
    categories are a tree, ``ancestors`` the names above it, root first."""

    category_id: str
    name: str
    ancestors: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """The ancestors' names and its own, "Appliances / Refrigerators": which of two same-named
        categories this is."""
        return CATEGORY_PATH_SEPARATOR.join((*self.ancestors, self.name))


@dataclass(frozen=True)
class CategoryPage:
    """One page of a category search; ``end_cursor`` is opaque to the core (the host's own)."""

    items: tuple[HostCategory, ...]
    has_next: bool = False
    end_cursor: str | None = None


class CategoryCatalog(Protocol):
    def categories_search(self, *, query: str, first: int, after: str | None = None) -> CategoryPage:
        """Categories whose name matches ``query`` ("" = all), in a stable order. Categories are the
        shop's, not a channel's."""
        ...

    def categories_get(self, *, category_ids: list[str]) -> dict[str, HostCategory]:
        """The categories of ``category_ids`` (ids the host does not know are left out): one call for a
        whole rules list."""
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
