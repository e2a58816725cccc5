"""Distributors and their teams in the schema (their mutations are in ``mutations/distributor_*``; the
bulk ones are mixed into the root from here)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import graphene
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ...domain.distributors import DistributorKind, DistributorStatus
from ...domain.permissions import Permission
from ...models import Distributor as DistributorModel
from ...selectors.distributors import (
    distributor_get,
    distributor_list,
    distributor_team,
    distributor_team_level_counts,
)
from ..core.connection import keyset_connection
from ..core.errors import QueryError
from ..core.ids import decode_id_argument
from ..core.node import node_field
from ..core.permissions import login_required, permission_required
from ..enums import DistributorKindEnum, DistributorStatusEnum
from ..mutations.distributor_bulk_approve import DistributorBulkApprove
from ..mutations.distributor_bulk_reject import DistributorBulkReject
from .console_queries import DistributorConsoleQueries
from .types import Distributor, DistributorCountableConnection, DistributorTeamConnection

SEARCH_MAX_LENGTH = 100
MAX_TEAM_LEVEL = 62


def _aware(value: datetime | None) -> datetime | None:
    if value is None or not timezone.is_naive(value):
        return value
    return timezone.make_aware(value, UTC)


class DistributorFilterInput(graphene.InputObjectType):
    status = DistributorStatusEnum()
    kind = DistributorKindEnum()
    search = graphene.String(description="Part of the display name, an exact referral code or e-mail.")
    level = graphene.Int(description="1 = directly under the brand.")
    joined_from = graphene.DateTime(description="Joined (applied or imported) at or after this moment.")
    joined_to = graphene.DateTime(description="Joined before this moment (excluded).")


class DistributorQueries(DistributorConsoleQueries, graphene.ObjectType):
    """Distributors and their teams."""

    node = node_field()
    my_distributor = graphene.Field(Distributor, description="The signed-in customer's distributor profile.")
    my_team = graphene.Field(
        DistributorTeamConnection,
        level=graphene.Int(default_value=1, description="1 = invited directly, 2 = their invitees, ..."),
        first=graphene.Int(),
        after=graphene.String(),
        description="Approved members of the signed-in distributor's team at one level.",
    )
    distributor = graphene.Field(
        Distributor,
        id=graphene.ID(required=True),
        description="Staff: one distributor. Requires MANAGE_USERS.",
    )
    distributors = graphene.Field(
        DistributorCountableConnection,
        filter=DistributorFilterInput(),
        first=graphene.Int(),
        after=graphene.String(),
        description="Staff: all distributors, newest first. Requires MANAGE_USERS.",
    )

    @staticmethod
    @login_required
    def resolve_my_distributor(root: Any, info: Any) -> DistributorModel | None:
        return info.context.viewer_distributor

    @staticmethod
    @login_required
    def resolve_my_team(
        root: Any, info: Any, *, level: int = 1, first: int | None = None, after: str | None = None
    ) -> DistributorTeamConnection:
        viewer = info.context.viewer_distributor
        if viewer is None:
            raise QueryError(_("You are not a distributor."), code="NOT_FOUND")
        if not 1 <= level <= MAX_TEAM_LEVEL:
            raise QueryError(
                _("'level' must be between 1 and %(max)d.") % {"max": MAX_TEAM_LEVEL},
                code="INVALID",
                field="level",
            )
        connection = keyset_connection(
            distributor_team(distributor=viewer, level=level),
            DistributorTeamConnection,
            key="path",
            first=first,
            after=after,
        )
        connection.level_counts = distributor_team_level_counts(distributor=viewer)
        return connection

    @staticmethod
    @permission_required(Permission.MANAGE_USERS)
    def resolve_distributor(root: Any, info: Any, *, id: str) -> DistributorModel | None:
        return distributor_get(distributor_id=decode_id_argument(id, expected_type="Distributor"))

    @staticmethod
    @permission_required(Permission.MANAGE_USERS)
    def resolve_distributors(
        root: Any,
        info: Any,
        *,
        filter: dict | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> DistributorCountableConnection:
        filter = filter or {}
        search = filter.get("search")
        if search is not None and "\x00" in search:
            raise QueryError(_("'search' contains a NUL character."), code="INVALID", field="search")
        if search is not None and len(search) > SEARCH_MAX_LENGTH:
            raise QueryError(
                _("'search' can be at most %(max)d characters long.") % {"max": SEARCH_MAX_LENGTH},
                code="INVALID",
                field="search",
            )
        status, kind, level = filter.get("status"), filter.get("kind"), filter.get("level")
        if level is not None and not 1 <= level <= MAX_TEAM_LEVEL + 1:
            raise QueryError(
                _("'level' must be between 1 and %(max)d.") % {"max": MAX_TEAM_LEVEL + 1},
                code="INVALID",
                field="level",
            )
        joined_from, joined_to = _aware(filter.get("joined_from")), _aware(filter.get("joined_to"))
        if joined_from is not None and joined_to is not None and joined_from >= joined_to:
            raise QueryError(
                _("'joinedTo' must be later than 'joinedFrom'."), code="INVALID", field="joinedTo"
            )
        queryset = distributor_list(
            status=DistributorStatus(status) if status else None,
            kind=DistributorKind(kind) if kind else None,
            search=search,
            level=level,
            joined_from=joined_from,
            joined_to=joined_to,
        )
        return keyset_connection(
            queryset, DistributorCountableConnection, key="-pk", first=first, after=after
        )


class DistributorBulkMutations(graphene.ObjectType):
    """Staff bulk mutations (the console's applications queue), mixed into the schema's root."""

    distributor_bulk_approve = DistributorBulkApprove.Field()
    distributor_bulk_reject = DistributorBulkReject.Field()
