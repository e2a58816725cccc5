"""``network_import``: one file checked and, unless a dry run, written, all or nothing (see the package's
docstring for the steps)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any

from django.db import IntegrityError, transaction

from ... import locks
from ...db.network_import.placement import mark_errors_as_actions
from ...domain.errors import NetworkImportErrorCode as Code
from ...domain.i18n import gettext_noop as _
from ...ports import Principal
from ...tabular import FileRejected
from .checks import rows_check
from .reading import file_read
from .report import report, totals
from .state import (
    MAX_DEPTH,
    CustomersRefused,
    ImportResult,
    ImportRun,
    ProgressCallback,
    RowOutcome,
    TooDeep,
)
from .writing import rows_write


def network_import(
    *,
    stream: IO[bytes] | bytes,
    file_format: str,
    actor: Principal,
    dry_run: bool = True,
    under_id: int | None = None,
    channel: str = "",
    job_id: int | None = None,
    progress: ProgressCallback | None = None,
    on_row: Callable[[RowOutcome, list[dict[str, Any]]], None] | None = None,
    on_error_rows: Callable[[list[RowOutcome]], None] | None = None,
) -> ImportResult:
    """Check (and unless ``dry_run``, write) one file. Never raises for bad input: the result says why.

    ``on_row`` is called once per data row, in file order, with its outcome (a full row report);
    ``on_error_rows`` with every row that has errors, a chunk at a time (a job's stored report). Both run
    inside the import's transaction, which commits what they write (nothing else, unless written).
    """
    if isinstance(stream, bytes):
        stream = io.BytesIO(stream)
    result = ImportResult(dry_run=dry_run)
    run = ImportRun(
        actor=actor, dry_run=dry_run, under_id=under_id, channel=channel, job_id=job_id, progress=progress
    )
    try:
        with transaction.atomic():
            if not dry_run:
                locks.tree_write_exclusive()
            run.stage.create_tables(max_depth=MAX_DEPTH)
            file_read(run, stream, file_format)
            rows_check(run)
            counts = totals(run)
            if not dry_run and not counts["errors"]:
                try:
                    with transaction.atomic():
                        rows_write(run)
                    result.written = True
                except CustomersRefused as refused:
                    message = _("The shop refused to create this customer account.")
                    run.stage.add_errors(
                        [(line, Code.NO_CUSTOMER.value, "email", message, None) for line in refused.lines]
                    )
                    run.stage.mark_bad()
                    mark_errors_as_actions(run.stage)
                    counts = totals(run)
                except TooDeep:
                    result.file_error = {
                        "code": Code.TREE_TOO_DEEP.value,
                        "message": _("The network would become too deep."),
                        "detail": "",
                    }
                except IntegrityError:
                    result.file_error = {
                        "code": Code.INVALID.value,
                        "message": _(
                            "The file conflicts with changes made meanwhile; nothing was imported. Try again."
                        ),
                        "detail": "",
                    }
            result.totals = counts
            report(run, result, on_row, on_error_rows)
            run.stage.drop_tables()
    except FileRejected as error:
        result.file_error = {"code": error.code.value, "message": error.message, "detail": error.detail}
    result.totals.setdefault("rows", run.rows)
    return result
