from __future__ import annotations

import base64
import binascii
from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError, NetworkImportErrorCode
from ...domain.permissions import Permission
from ...services.network_import_jobs import distributor_import_job_create
from ..core.mutations import BaseMutation, mutation_error_type
from ..network_types import DistributorImportJob, NetworkImportErrorCodeEnum

DistributorImportError = mutation_error_type("DistributorImportError", NetworkImportErrorCodeEnum)


class DistributorImportInput(graphene.InputObjectType):
    file_name = graphene.String(required=True, description="Its name; .csv or .xlsx says the format.")
    content = graphene.String(required=True, description="The file, base64-encoded.")
    dry_run = graphene.Boolean(default_value=True, description="Check and report only (the default).")
    under_id = graphene.ID(description="Import the file as one subtree under this distributor.")


class DistributorImport(BaseMutation):
    """Staff: import distributors and their hierarchy from a CSV or XLSX file, in the background.

    Poll ``distributorImportJob(id)`` for progress and the row report. Requires MANAGE_USERS.
    """

    permissions = (Permission.MANAGE_USERS,)
    error_type = DistributorImportError
    invalid_code = NetworkImportErrorCode.INVALID

    job = graphene.Field(DistributorImportJob)
    errors = graphene.List(graphene.NonNull(DistributorImportError), required=True)

    class Arguments:
        input = DistributorImportInput(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, input: dict) -> Any:
        try:
            content = base64.b64decode(input["content"], validate=True)
        except (binascii.Error, ValueError):
            raise DistributionError(
                NetworkImportErrorCode.INVALID, _("The content is not valid base64."), field="content"
            ) from None
        job = distributor_import_job_create(
            actor=info.context.principal,
            file_name=input["file_name"],
            content=content,
            dry_run=input.get("dry_run", True),
            under_id=cls.decode_id(input.get("under_id"), type_name="Distributor", field="underId"),
        )
        return cls(job=job, errors=[])
