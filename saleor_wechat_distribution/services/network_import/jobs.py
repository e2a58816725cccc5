"""Imports run as background jobs (the GraphQL mutation): create, run in Celery, report progress.

Progress goes to Django's cache (shared with the API process through Redis in production), because the
import runs in one transaction: rows written to the job inside it would be invisible until the end.
"""

from __future__ import annotations

import io
import logging
import tempfile
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ... import jobs, task_names
from ...domain.errors import DistributionError
from ...domain.errors import NetworkImportErrorCode as Code
from ...models import Distributor, DistributorImportFileChunk, DistributorImportJob, DistributorImportRowError
from ...ports import Principal
from ...tabular import FORMATS, format_of
from .run import network_import
from .state import RowOutcome

logger = logging.getLogger(__name__)
#: default of ``WECHAT_DISTRIBUTION_IMPORT_MAX_BYTES``: the largest file an import job takes
DEFAULT_MAX_IMPORT_BYTES = 64 * 1024 * 1024
FILE_CHUNK_BYTES = 1 << 20
CHANNEL_MAX_LENGTH = 100
_PROGRESS_TTL = 24 * 3600
STALE_AFTER = timedelta(hours=1)
Status = DistributorImportJob.Status


def import_max_bytes() -> int:
    return int(getattr(settings, "WECHAT_DISTRIBUTION_IMPORT_MAX_BYTES", DEFAULT_MAX_IMPORT_BYTES))


def too_large_error() -> DistributionError:
    return DistributionError(
        Code.FILE_TOO_LARGE,
        _("The file is larger than %(max)d MB.") % {"max": import_max_bytes() // (1024 * 1024)},
        field="file",
    )


def progress_key(job_id: int) -> str:
    return f"wechat-distribution:import-progress:{job_id}"


def distributor_import_job_create(
    *,
    actor: Principal,
    file_name: str,
    content: IO[bytes] | bytes,
    dry_run: bool = True,
    under_id: int | None = None,
    channel: str = "",
    file_format: str | None = None,
) -> DistributorImportJob:
    """Store the file (read and stored 1 MiB at a time) and queue its import (after commit)."""
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
    channel = (channel or "").strip()
    if len(channel) > CHANNEL_MAX_LENGTH or "\x00" in channel:
        raise DistributionError(Code.INVALID, _("This is not a channel."), field="channel")
    if under_id is not None and not Distributor.objects.filter(pk=under_id).exists():
        raise DistributionError(Code.NOT_FOUND, _("No such distributor."), field="underId")
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    limit = import_max_bytes()
    with transaction.atomic():
        job = DistributorImportJob.objects.create(
            file_name=name,
            file_format=file_format,
            dry_run=dry_run,
            under_id=under_id,
            channel=channel,
            actor=actor.actor_label,
            actor_user_id=actor.user_id,
        )
        size = seq = 0
        while piece := stream.read(FILE_CHUNK_BYTES):
            size += len(piece)
            if size > limit:
                raise too_large_error()
            DistributorImportFileChunk.objects.create(job=job, seq=seq, data=piece)
            seq += 1
        if not size:
            raise DistributionError(Code.REQUIRED, _("The file is empty."), field="file")
        jobs.enqueue(task_names.DISTRIBUTOR_IMPORT, job.pk)
    return job


def _spool(job_id: int) -> IO[bytes]:
    """The stored file, a piece at a time, into a temporary file (on disk beyond 1 MiB)."""
    spool = tempfile.SpooledTemporaryFile(max_size=FILE_CHUNK_BYTES)  # noqa: SIM115 - closed by the caller
    seq = 0
    while True:
        data = (
            DistributorImportFileChunk.objects.filter(job_id=job_id, seq=seq)
            .values_list("data", flat=True)
            .first()
        )
        if data is None:
            break
        spool.write(bytes(data))
        seq += 1
    spool.seek(0)
    return spool


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

    def store(rows: list[RowOutcome]) -> None:
        DistributorImportRowError.objects.bulk_create(
            [
                DistributorImportRowError(
                    job_id=job_id, line=r.line, external_id=r.external_id[:255], errors=list(r.errors)
                )
                for r in rows
            ],
            batch_size=1000,
        )

    DistributorImportRowError.objects.filter(job_id=job_id).delete()  # a run taken again starts over
    try:
        with _spool(job_id) as stream:
            result = network_import(
                stream=stream,
                file_format=job.file_format,
                actor=actor,
                dry_run=job.dry_run,
                under_id=job.under_id,
                channel=job.channel,
                job_id=job.pk,
                progress=progress,
                on_error_rows=store,
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
        file_error=result.file_error or {},
        finished_at=timezone.now(),
    )
    DistributorImportFileChunk.objects.filter(job_id=job_id).delete()
    cache.delete(progress_key(job_id))
    return status


def distributor_import_job_progress(*, job: DistributorImportJob) -> dict[str, Any]:
    """{"phase", "rows"} while running (from the cache), else what the job row says."""
    if job.status == Status.RUNNING:
        live = cache.get(progress_key(job.pk))
        if live:
            return live
    return {"phase": job.phase, "rows": job.rows_read}
