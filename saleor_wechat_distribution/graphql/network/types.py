"""Types of network imports and order disputes (enums here too, so shared modules change little)."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext
from graphene import relay

from ...domain.errors import DisputeErrorCode, NetworkImportErrorCode
from ...models import DistributorImportJob as ImportJobModel
from ...models import DistributorImportRowError as RowErrorModel
from ...models import OrderDispute as OrderDisputeModel
from ...models import OrderDisputeEvent as OrderDisputeEventModel
from ...services.network_import.jobs import distributor_import_job_progress
from ..core.connection import CountableConnection, keyset_connection
from ..core.node import register_node_type
from ..dataloaders import loader

NetworkImportErrorCodeEnum = graphene.Enum.from_enum(NetworkImportErrorCode)
DisputeErrorCodeEnum = graphene.Enum.from_enum(DisputeErrorCode)


class DistributorImportJobStatusEnum(graphene.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    class Meta:
        name = "DistributorImportJobStatus"


class OrderDisputeStatusEnum(graphene.Enum):
    OPEN = "open"
    RELEASED = "released"
    REVERSED = "reversed"

    class Meta:
        name = "OrderDisputeStatus"


class DisputeResolutionEnum(graphene.Enum):
    RELEASE = "release"
    REVERSE = "reverse"

    class Meta:
        name = "OrderDisputeResolution"
        description = "Release the held commissions, or reverse them with the refund."


class DistributorImportTotals(graphene.ObjectType):
    rows = graphene.Int(required=True, description="Data rows read (empty rows not counted).")
    ok = graphene.Int(required=True)
    errors = graphene.Int(required=True)
    skipped = graphene.Int(required=True, description="Empty rows.")
    create = graphene.Int(required=True, description="Distributors created (or, in a dry run, to create).")
    update = graphene.Int(required=True)
    move = graphene.Int(required=True, description="Distributors moved (with their team) under a new parent.")
    unchanged = graphene.Int(required=True)


class DistributorImportRowError(graphene.ObjectType):
    code = NetworkImportErrorCodeEnum(required=True)
    field = graphene.String(description="The column.")
    message = graphene.String(required=True)
    other_line = graphene.Int(description="The earlier row this one repeats, or its parent row.")

    @staticmethod
    def resolve_code(root: dict, info: Any) -> str:
        return root["code"]

    @staticmethod
    def resolve_field(root: dict, info: Any) -> str | None:
        return root.get("field")

    @staticmethod
    def resolve_message(root: dict, info: Any) -> str:
        return gettext(root["message"])

    @staticmethod
    def resolve_other_line(root: dict, info: Any) -> int | None:
        return root.get("other_line")


class DistributorImportRow(graphene.ObjectType):
    line = graphene.Int(required=True, description="Row number in the file (the header is row 1).")
    external_id = graphene.String(required=True)
    errors = graphene.List(graphene.NonNull(DistributorImportRowError), required=True)

    class Meta:
        description = "A row of the file with errors."

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, RowErrorModel)

    @staticmethod
    def resolve_errors(root: RowErrorModel, info: Any) -> list[dict]:
        return root.errors


class DistributorImportRowCountableConnection(CountableConnection):
    class Meta:
        node = DistributorImportRow


class DistributorImportFileError(graphene.ObjectType):
    code = NetworkImportErrorCodeEnum(required=True)
    message = graphene.String(required=True)
    detail = graphene.String()

    @staticmethod
    def resolve_code(root: dict, info: Any) -> str:
        return root["code"]

    @staticmethod
    def resolve_message(root: dict, info: Any) -> str:
        return gettext(root["message"])

    @staticmethod
    def resolve_detail(root: dict, info: Any) -> str | None:
        return root.get("detail") or None


class DistributorImportJob(graphene.ObjectType):
    file_name = graphene.String(required=True)
    file_format = graphene.String(required=True)
    dry_run = graphene.Boolean(required=True)
    status = DistributorImportJobStatusEnum(required=True)
    phase = graphene.String(required=True, description="reading, checking, writing or done.")
    rows_done = graphene.Int(required=True, description="Rows handled so far in the current phase.")
    totals = graphene.Field(DistributorImportTotals, description="When finished.")
    channel = graphene.String(required=True, description="The channel of the storefronts it creates.")
    error_rows = graphene.Field(
        DistributorImportRowCountableConnection,
        required=True,
        first=graphene.Int(),
        after=graphene.String(),
        description="Every row with errors, in file order (totalCount: how many).",
    )
    file_error = graphene.Field(DistributorImportFileError, description="Why the file could not be read.")
    created_at = graphene.DateTime(required=True)
    started_at = graphene.DateTime()
    finished_at = graphene.DateTime()

    class Meta:
        interfaces = (relay.Node,)
        description = "An import of distributors from a CSV or XLSX file, run in the background."

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, ImportJobModel)

    @staticmethod
    def resolve_phase(root: ImportJobModel, info: Any) -> str:
        return distributor_import_job_progress(job=root)["phase"] or root.status

    @staticmethod
    def resolve_rows_done(root: ImportJobModel, info: Any) -> int:
        return distributor_import_job_progress(job=root)["rows"]

    @staticmethod
    def resolve_totals(root: ImportJobModel, info: Any) -> DistributorImportTotals | None:
        if not root.totals:
            return None
        return DistributorImportTotals(
            **{k: root.totals.get(k, 0) for k in DistributorImportTotals._meta.fields}
        )

    @staticmethod
    def resolve_error_rows(
        root: ImportJobModel, info: Any, *, first: int | None = None, after: str | None = None
    ) -> DistributorImportRowCountableConnection:
        queryset: Any = RowErrorModel.objects.filter(job=root)
        return keyset_connection(
            queryset, DistributorImportRowCountableConnection, key="pk", first=first, after=after
        )

    @staticmethod
    def resolve_file_error(root: ImportJobModel, info: Any) -> dict | None:
        return root.file_error or None


class OrderDisputeEvent(graphene.ObjectType):
    type = graphene.String(required=True, description="opened, released or reversed.")
    actor = graphene.String(required=True)
    note = graphene.String(required=True, description="Why (the reason when opened, the note when resolved).")
    data = graphene.JSONString(required=True)
    created_at = graphene.DateTime(required=True)

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, OrderDisputeEventModel)


@register_node_type
class OrderDispute(graphene.ObjectType):
    order_id = graphene.ID(required=True, description="The host's (Saleor's) order id.")
    status = OrderDisputeStatusEnum(required=True)
    reason = graphene.String(required=True)
    reference = graphene.String(required=True, description="The host's after-sales case, if it opened it.")
    refund_id = graphene.String(required=True)
    opened_at = graphene.DateTime(required=True)
    resolved_at = graphene.DateTime()
    events = graphene.List(graphene.NonNull(OrderDisputeEvent), required=True, description="Audit trail.")
    attribution = graphene.Field(
        "saleor_wechat_distribution.graphql.commissions.types.OrderAttribution",
        description="Who the order belongs to; null: it was never attributed.",
    )
    commissions = graphene.List(
        graphene.NonNull("saleor_wechat_distribution.graphql.commissions.types.Commission"),
        required=True,
        description="The order's commissions (held while the dispute is open).",
    )

    class Meta:
        interfaces = (relay.Node,)
        description = "A dispute (购买纠纷) on an order: its commissions are held until it is resolved."

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, OrderDisputeModel)

    @classmethod
    def get_node(cls, info: Any, pk: str) -> OrderDisputeModel | None:
        from ...domain.permissions import Permission

        raw = str(pk)
        if not info.context.principal.has_perms(Permission.MANAGE_ORDERS):
            return None
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            return None
        return OrderDisputeModel.objects.filter(pk=int(raw)).first()

    @staticmethod
    def resolve_events(root: OrderDisputeModel, info: Any) -> Any:
        from ..money.dataloaders import DisputeEventsLoader

        return loader(info.context, DisputeEventsLoader).load(root.pk)

    @staticmethod
    def resolve_attribution(root: OrderDisputeModel, info: Any) -> Any:
        from ..money.dataloaders import AttributionByOrderLoader

        return loader(info.context, AttributionByOrderLoader).load(root.order_id)

    @staticmethod
    def resolve_commissions(root: OrderDisputeModel, info: Any) -> Any:
        from ..money.dataloaders import CommissionsByOrderLoader

        return loader(info.context, CommissionsByOrderLoader).load(root.order_id)


class OrderDisputeCountableConnection(CountableConnection):
    class Meta:
        node = OrderDispute
