from __future__ import annotations

import base64
import binascii
from typing import Any

import graphene
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError, NetworkImportErrorCode
from ...domain.permissions import Permission
from ...services.network_import.jobs import distributor_import_job_create
from ..core.mutations import BaseMutation, mutation_error_type
from ..core.uploads import Upload
from ..network.types import DistributorImportJob, NetworkImportErrorCodeEnum

DistributorImportError = mutation_error_type("DistributorImportError", NetworkImportErrorCodeEnum)


class DistributorImportInput(graphene.InputObjectType):
    file_name = graphene.String(required=True, description="Its name; .csv or .xlsx says the format.")
    file = Upload(
        description="The file, as a part of a multipart request (GraphQL multipart request spec); any size "
        "up to the server's upload limit."
    )
    content = graphene.String(
        description="Or, for a small file (the request body is at most 1 MiB), the file base64-encoded."
    )
    dry_run = graphene.Boolean(default_value=True, description="Check and report only (the default).")
    under_id = graphene.ID(description="Import the file as one subtree under this distributor.")
    channel = graphene.String(
        description="The brand channel of the storefronts the storefront_slug column creates."
    )


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
        upload, encoded = input.get("file"), input.get("content")
        if (upload is None) == (encoded is None):
            raise DistributionError(
                NetworkImportErrorCode.REQUIRED,
                _("Send the file either as an upload or base64-encoded, not both."),
                field="file",
            )
        under_id = cls.decode_id(input.get("under_id"), type_name="Distributor", field="underId")
        common = {
            "actor": info.context.principal,
            "file_name": input["file_name"],
            "dry_run": input.get("dry_run", True),
            "under_id": under_id,
            "channel": input.get("channel") or "",
        }
        if upload is not None:
            if not isinstance(upload, UploadedFile):
                raise DistributionError(
                    NetworkImportErrorCode.INVALID,
                    _("Send the file as a part of a multipart request."),
                    field="file",
                )
            with upload.open("rb") as stream:
                job = distributor_import_job_create(content=stream, **common)
            return cls(job=job, errors=[])
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise DistributionError(
                NetworkImportErrorCode.INVALID, _("The content is not valid base64."), field="content"
            ) from None
        job = distributor_import_job_create(content=content, **common)
        return cls(job=job, errors=[])
