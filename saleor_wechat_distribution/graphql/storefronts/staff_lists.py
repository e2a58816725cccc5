"""Staff lists of the console's storefronts page: every storefront with its own Official Account (status
active / unauthorized, or none: it uses the brand's), and the accounts detached from their storefront.
Keyset-paged, newest first; a page is one query whatever its size (accounts read with the storefronts)."""

from __future__ import annotations

from typing import Any

import graphene

from ...domain.permissions import Permission
from ...selectors.storefronts import detached_accounts, storefronts_for_staff
from ..core.connection import CountableConnection, keyset_connection
from ..core.permissions import permission_required
from .types import Storefront, StorefrontOfficialAccount


class StorefrontAccountFilterEnum(graphene.Enum):
    ACTIVE = "active"
    UNAUTHORIZED = "unauthorized"
    NONE = "none"

    @property
    def description(self) -> str:
        return {
            "ACTIVE": "Its own account, authorized and working.",
            "UNAUTHORIZED": "Its own account withdrew the Open Platform authorization.",
            "NONE": "No account of its own (it uses the brand's).",
        }[self.name]


class StorefrontCountableConnection(CountableConnection):
    class Meta:
        node = Storefront


class DetachedOfficialAccountCountableConnection(CountableConnection):
    class Meta:
        node = StorefrontOfficialAccount


class StorefrontStaffQueries(graphene.ObjectType):
    storefronts = graphene.Field(
        StorefrontCountableConnection,
        required=True,
        first=graphene.Int(description="Page size, 1-100 (default 20)."),
        after=graphene.String(),
        search=graphene.String(description="A part of the slug or the title."),
        account=StorefrontAccountFilterEnum(description="Only storefronts whose own account is so."),
        description="Staff: every storefront (newest first) with its Official Account. Requires "
        "MANAGE_USERS.",
    )
    detached_official_accounts = graphene.Field(
        DetachedOfficialAccountCountableConnection,
        required=True,
        first=graphene.Int(description="Page size, 1-100 (default 20)."),
        after=graphene.String(),
        search=graphene.String(description="A part of the app id or the name."),
        description="Staff: accounts detached from their storefront (it bound another). Requires "
        "MANAGE_USERS.",
    )

    @staticmethod
    @permission_required(Permission.MANAGE_USERS)
    def resolve_storefronts(
        root: Any,
        info: Any,
        *,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        account: Any = None,
    ) -> StorefrontCountableConnection:
        value = getattr(account, "value", account)
        queryset: Any = storefronts_for_staff(search=search or "", account=value)
        return keyset_connection(queryset, StorefrontCountableConnection, key="-pk", first=first, after=after)

    @staticmethod
    @permission_required(Permission.MANAGE_USERS)
    def resolve_detached_official_accounts(
        root: Any, info: Any, *, first: int | None = None, after: str | None = None, search: str | None = None
    ) -> DetachedOfficialAccountCountableConnection:
        queryset: Any = detached_accounts(search=search or "")
        connection = DetachedOfficialAccountCountableConnection
        return keyset_connection(queryset, connection, key="-pk", first=first, after=after)
