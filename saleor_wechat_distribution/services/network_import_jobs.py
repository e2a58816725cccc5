"""Imports run as background jobs (the GraphQL mutation): create, run in Celery, report progress.

Progress goes to Django's cache (shared with the API process through Redis in production), because the
import runs in one transaction: rows written to the job inside it would be invisible until the end.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .. import jobs
from ..domain.errors import DistributionError
from ..domain.errors import NetworkImportErrorCode as Code
from ..models import Distributor, DistributorImportJob
from ..ports import Principal
from ..tabular import FORMATS, format_of
from .network_import import network_import

logger = logging.getLogger(__name__)
MAX_IMPORT_BYTES = 20 * 1024 * 1024
_PROGRESS_TTL = 24 * 3600
STALE_AFTER = timedelta(hours=1)
Status = DistributorImportJob.Status


def progress_key(job_id: int) -> str:
    return f"wechat-distribution:import-progress:{job_id}"


def distributor_import_job_create(
    *,
    actor: Principal,
    file_name: str,
    content: bytes,
    dry_run: bool = True,
    under_id: int | None = None,
    file_format: str | None = None,
) -> DistributorImportJob:
    """Store the file and queue its import (after commit)."""
    name = (file_name or "").strip()
    if not name or len(name) > 255 or "\x00" in name:
        raise DistributionError(
            Code.INVALID, _("Enter the file's name (at most 255 characters)."), field="fileName"
        )
    file_format = file_format or format_of(name)
    if file_format not in FORMATS:
        raise DistributionError(
            Code.UNREADABLE_FILE, _("Only CSV and XLSX files can be imported."), field="fileName"
        )
    if not content:
        raise DistributionError(Code.REQUIRED, _("The file is empty."), field="content")
    if len(content) > MAX_IMPORT_BYTES:
        raise DistributionError(
            Code.FILE_TOO_LARGE, _("The file is too large to upload here."), field="content"
        )
    if under_id is not None and not Distributor.objects.filter(pk=under_id).exists():
        raise DistributionError(Code.NOT_FOUND, _("No such distributor."), field="underId")
    with transaction.atomic():
        job = DistributorImportJob.objects.create(
            file_name=name,
            file_format=file_format,
            content=content,
            dry_run=dry_run,
            under_id=under_id,
            actor=actor.actor_label,
            actor_user_id=actor.user_id,
        )
        jobs.enqueue("distributor_import", job.pk)
    return job


def distributor_import_job_run(*, job_id: int) -> str:
    """Run a queued job once (a second delivery of the task finds it no longer queued)."""
    now = timezone.now()
    # a job whose worker died is taken again (its transaction rolled back; imports are idempotent)
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lt=now - STALE_AFTER)
    claimed = DistributorImportJob.objects.filter(claimable, pk=job_id).update(
        status=Status.RUNNING, started_at=now, phase="reading"
    )
    if not claimed:
        return "skipped"
    job = DistributorImportJob.objects.get(pk=job_id)
    actor = Principal(user_id=job.actor_user_id, is_staff=True)

    def progress(phase: str, count: int) -> None:
        cache.set(progress_key(job_id), {"phase": phase, "rows": count}, _PROGRESS_TTL)

    try:
        result = network_import(
            stream=bytes(job.content),
            file_format=job.file_format,
            actor=actor,
            dry_run=job.dry_run,
            under_id=job.under_id,
            job_id=job.pk,
            progress=progress,
        )
    except Exception:
        logger.exception("import job %s failed", job_id)
        DistributorImportJob.objects.filter(pk=job_id).update(
            status=Status.FAILED,
            phase="done",
            finished_at=timezone.now(),
            file_error={
                "code": Code.INVALID.value,
                "message": gettext_noop("The import failed unexpectedly."),
                "detail": "",
            },
        )
        raise
    status = Status.SUCCEEDED if result.ok else Status.FAILED
    DistributorImportJob.objects.filter(pk=job_id).update(
        status=status,
        phase="done",
        rows_read=result.totals.get("rows", 0),
        totals=result.totals,
        error_rows=result.error_rows,
        file_error=result.file_error or {},
        finished_at=timezone.now(),
        content=b"",
    )
    cache.delete(progress_key(job_id))
    return status


def distributor_import_job_progress(*, job: DistributorImportJob) -> dict[str, Any]:
    """{"phase", "rows"} while running (from the cache), else what the job row says."""
    if job.status == Status.RUNNING:
        live = cache.get(progress_key(job.pk))
        if live:
            return live
    return {"phase": job.phase, "rows": job.rows_read}
