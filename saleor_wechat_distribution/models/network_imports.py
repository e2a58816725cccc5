"""Network imports: the jobs, their uploaded file (in pieces) and their row report."""

from __future__ import annotations

from django.db import models


class DistributorImportJob(models.Model):
    """One import of a CSV/XLSX file, run by a Celery task (GraphQL) or a management command."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"  # a dry run that found no error, or a real run that wrote the file
        FAILED = "failed"  # rows had errors (nothing written), or the file could not be read

    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)  # csv | xlsx
    dry_run = models.BooleanField(default=True)
    #: import the file as one subtree under this distributor (null: under the brand)
    under = models.ForeignKey(
        "wechat_distribution.Distributor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: the channel of the storefronts the file's ``storefront_slug`` column creates (empty: none)
    channel = models.CharField(max_length=100, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_read = models.PositiveIntegerField(default=0)
    #: phase of the run (reading, checking, writing, done) for progress displays
    phase = models.CharField(max_length=16, blank=True, default="")
    totals = models.JSONField(default=dict, blank=True)
    #: a file-level error (unreadable file, wrong encoding, missing columns)
    file_error = models.JSONField(default=dict, blank=True)
    actor = models.CharField(max_length=64)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "wechat_distribution"

    def __str__(self) -> str:
        return f"import {self.file_name} ({self.status})"


class DistributorImportFileChunk(models.Model):
    """The uploaded file, in pieces of at most 1 MiB (written and read a piece at a time, so neither the
    API process nor the worker holds the whole file); deleted once the job has run."""

    job = models.ForeignKey(DistributorImportJob, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        app_label = "wechat_distribution"
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="wd_import_chunk_seq")]

    def __str__(self) -> str:
        return f"import {self.job_id} part {self.seq}"


class DistributorImportRowError(models.Model):
    """Every row of a job's file that has errors (the whole report, however long)."""

    job = models.ForeignKey(DistributorImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    external_id = models.CharField(max_length=255, blank=True, default="")
    #: [{code, field, message, other_line?}]
    errors = models.JSONField(default=list)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="wd_import_row_error_line")]

    def __str__(self) -> str:
        return f"import {self.job_id} row {self.line}"
