"""Distributor types. A distributor sees itself and its own subtree; staff with MANAGE_USERS see
everything."""

from __future__ import annotations

from typing import Any

import graphene
from graphene import relay

from ...domain.permissions import Permission
from ...models import Distributor as DistributorModel
from ...models import DistributorEvent as DistributorEventModel
from ...selectors.distributors import distributor_is_within
from ..core.connection import CountableConnection
from ..core.node import register_node_type
from ..core.permissions import check_access
from ..dataloaders import DistributorByPathLoader, loader
from ..enums import DistributorKindEnum, DistributorStatusEnum
from .console_fields import DistributorConsoleFields


def can_see_distributor(context: Any, node: DistributorModel) -> bool:
    if context.principal.has_perms(Permission.MANAGE_USERS):
        return True
    viewer = context.viewer_distributor
    return viewer is not None and distributor_is_within(node=node, root=viewer)


class DistributorEvent(graphene.ObjectType):
    type = graphene.String(required=True)
    actor = graphene.String(required=True)
    data = graphene.JSONString(required=True)
    created_at = graphene.DateTime(required=True)

    class Meta:
        description = "An entry of a distributor's audit trail."


class TeamLevelCount(graphene.ObjectType):
    level = graphene.Int(required=True, description="1 = invited directly, 2 = invited by those, ...")
    count = graphene.Int(required=True, description="Approved members at this level.")


class DistributorUpline(graphene.ObjectType):
    display_name = graphene.String(required=True)
    referral_code = graphene.String(required=True)

    class Meta:
        description = (
            "What a distributor may see of the distributor directly above it: its name and code (the whole "
            "upline node, `parent`, is for staff and the upline's own team)."
        )


@register_node_type
class Distributor(DistributorConsoleFields, graphene.ObjectType):
    display_name = graphene.String(required=True)
    kind = DistributorKindEnum(required=True)
    status = DistributorStatusEnum(required=True)
    referral_code = graphene.String(required=True)
    level = graphene.Int(required=True, description="1 = directly under the brand.")
    team_size = graphene.Int(required=True, description="Approved members in the whole team below.")
    created_at = graphene.DateTime(required=True)
    approved_at = graphene.DateTime()
    email = graphene.String(description="Visible to the distributor itself and to staff.")
    parent = graphene.Field(
        lambda: Distributor,
        description="The upline, when the viewer may see it (staff, or inside the own team).",
    )
    upline = graphene.Field(
        DistributorUpline,
        description="Display name and code of the distributor directly above (for an applicant: the "
        "inviter it applied under); shown to the distributor itself and to whoever may see its parent. "
        "Null directly under the brand.",
    )
    events = graphene.List(
        graphene.NonNull(DistributorEvent), description="Audit trail. Requires MANAGE_USERS."
    )

    class Meta:
        interfaces = (relay.Node,)
        description = "A reseller in the brand's distribution network."

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, DistributorModel)

    @classmethod
    def get_node(cls, info: Any, pk: str) -> DistributorModel | None:
        raw = str(pk)
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            return None
        node = DistributorModel.objects.filter(pk=int(raw)).first()
        if node is None or not can_see_distributor(info.context, node):
            return None
        return node

    @staticmethod
    def resolve_level(root: DistributorModel, info: Any) -> int:
        return root.depth

    @staticmethod
    def resolve_email(root: DistributorModel, info: Any) -> str | None:
        principal = info.context.principal
        if principal.has_perms(Permission.MANAGE_USERS) or root.user_id == principal.user_id:
            return root.email
        return None

    @staticmethod
    def resolve_parent(root: DistributorModel, info: Any) -> Any:
        if root.depth <= 1:
            return None

        def visible(parent: DistributorModel | None) -> DistributorModel | None:
            return parent if parent is not None and can_see_distributor(info.context, parent) else None

        return loader(info.context, DistributorByPathLoader).load(root.parent_path).then(visible)

    @staticmethod
    def resolve_upline(root: DistributorModel, info: Any) -> Any:
        # the distributor itself (by user: the profile may be newer than the request's viewer), else who
        # may see the node's parent; a record's distributor shown to MANAGE_ORDERS only stays without it
        is_self = root.user_id is not None and root.user_id == info.context.principal.user_id
        if root.depth <= 1 or not (is_self or can_see_distributor(info.context, root)):
            return None
        return loader(info.context, DistributorByPathLoader).load(root.parent_path)

    @staticmethod
    def resolve_events(root: DistributorModel, info: Any) -> list[DistributorEventModel]:
        check_access(info.context.principal, permissions=(Permission.MANAGE_USERS,))
        return list(root.events.all())


class DistributorCountableConnection(CountableConnection):
    class Meta:
        node = Distributor


class DistributorTeamConnection(CountableConnection):
    class Meta:
        node = Distributor

    level_counts = graphene.List(
        graphene.NonNull(TeamLevelCount), required=True, description="Approved members per level of the team."
    )

    @staticmethod
    def resolve_level_counts(root: Any, info: Any) -> list[TeamLevelCount]:
        return [TeamLevelCount(level=level, count=n) for level, n in sorted(root.level_counts.items())]


# --------------------------------------------------------------------------------------------------
# Commissions, withdrawals, attributed orders
