"""The staff console's reads over the network: one level of it at a time (the network browser) and a
host customer's place in it (the customer widget). Mixed into ``DistributorQueries``."""

from __future__ import annotations

import binascii
from typing import Any

import graphene
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from graphql_relay import from_global_id

from ...domain.permissions import Permission
from ...models import CustomerBinding as CustomerBindingModel
from ...selectors.customers import CustomerDistribution as CustomerDistributionData
from ...selectors.customers import customer_distribution
from ...selectors.distributors import distributor_children, distributor_get, network_level_counts
from ..core.connection import keyset_connection
from ..core.errors import QueryError
from ..core.ids import decode_id_argument
from ..core.permissions import permission_required
from ..enums import AttributionSourceEnum
from .console_fields import NetworkLevelCount
from .types import Distributor, DistributorCountableConnection


class DistributorNetworkLevel(graphene.ObjectType):
    parent = graphene.Field(Distributor, description="Null: the brand (the top of the network).")
    level_counts = graphene.List(
        graphene.NonNull(NetworkLevelCount),
        required=True,
        description="Distributors of every status per level below the parent (large networks: counted "
        "at most a minute ago).",
    )
    children = graphene.Field(
        DistributorCountableConnection,
        required=True,
        description="One page of the distributors directly below the parent, in the network's order.",
    )

    class Meta:
        description = "One level of the network below a distributor (or the brand), a page at a time."


class CustomerBinding(graphene.ObjectType):
    channel = graphene.String(required=True)
    distributor = graphene.Field(Distributor, required=True)
    source = AttributionSourceEnum(description="What made the binding (link, QR code, voucher code...).")
    code = graphene.String(required=True, description="The referral or voucher code, if any.")
    bound_at = graphene.DateTime(required=True)
    expires_at = graphene.DateTime(description="Null: never expires.")
    is_active = graphene.Boolean(required=True, description="Not expired.")
    through_wechat = graphene.Boolean(
        required=True, description="Made for one of the customer's WeChat identities (not the account)."
    )

    class Meta:
        description = "A customer belongs to a distributor in a channel."

    @staticmethod
    def resolve_is_active(root: CustomerBindingModel, info: Any) -> bool:
        return root.expires_at is None or root.expires_at > timezone.now()

    @staticmethod
    def resolve_through_wechat(root: CustomerBindingModel, info: Any) -> bool:
        return root.customer_key.startswith("wx:")

    @staticmethod
    def resolve_source(root: CustomerBindingModel, info: Any) -> str | None:
        return root.source or None


class CustomerDistribution(graphene.ObjectType):
    distributor = graphene.Field(
        Distributor, description="The customer's own distributor profile (any status), if any."
    )
    bindings = graphene.List(
        graphene.NonNull(CustomerBinding), required=True, description="Oldest first, expired ones too."
    )

    class Meta:
        description = "Whether a host customer is a distributor, or bound to one, and since when."


def host_user_id(value: str) -> int:
    """Saleor's customer id (``base64("User:42")``, what the dashboard hands a widget) or a plain id."""
    raw = value.strip()
    if not (raw.isascii() and raw.isdigit()):
        try:
            type_name, raw = from_global_id(raw)
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
            type_name = ""
        if type_name != "User":
            raw = ""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise QueryError(
            _("Invalid customer ID: %(id)s.") % {"id": value[:64]}, code="INVALID", field="customerId"
        )
    return int(raw)


class DistributorConsoleQueries(graphene.ObjectType):
    distributor_network = graphene.Field(
        DistributorNetworkLevel,
        parent_id=graphene.ID(description="Global id of a distributor; null = the brand's top level."),
        first=graphene.Int(),
        after=graphene.String(),
        description="Staff: the network browser's level below a distributor. Requires MANAGE_USERS.",
    )
    customer_distribution = graphene.Field(
        CustomerDistribution,
        customer_id=graphene.ID(required=True, description="The host's (Saleor's) customer id."),
        description="Staff: a customer's distributor profile and bindings. Requires MANAGE_USERS.",
    )

    @staticmethod
    @permission_required(Permission.MANAGE_USERS)
    def resolve_distributor_network(
        root: Any,
        info: Any,
        *,
        parent_id: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> DistributorNetworkLevel | None:
        parent = None
        if parent_id is not None:
            pk = decode_id_argument(parent_id, expected_type="Distributor", field="parentId")
            parent = distributor_get(distributor_id=pk)
            if parent is None:
                return None
        children = keyset_connection(
            distributor_children(parent=parent),
            DistributorCountableConnection,
            key="path",
            first=first,
            after=after,
        )
        counts = network_level_counts(parent=parent)
        return DistributorNetworkLevel(
            parent=parent,
            level_counts=[NetworkLevelCount(level=level, count=n) for level, n in sorted(counts.items())],
            children=children,
        )

    @staticmethod
    @permission_required(Permission.MANAGE_USERS)
    def resolve_customer_distribution(root: Any, info: Any, *, customer_id: str) -> CustomerDistributionData:
        return customer_distribution(user_id=host_user_id(customer_id))
