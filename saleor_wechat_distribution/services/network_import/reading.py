"""The file, row by row, into the staging table: every row cleaned on its own (``domain/network_import``),
a chunk at a time, so Python never holds more than a chunk of rows whatever the file's size."""

from __future__ import annotations

from typing import IO

from ...domain.errors import NetworkImportErrorCode as Code
from ...domain.i18n import gettext_noop as _
from ...domain.network_import import HeaderError, cell_text, clean_row, map_header
from ...tabular import FileRejected, read_rows
from .state import CHUNK, PROGRESS_EVERY, ImportRun


def file_read(run: ImportRun, stream: IO[bytes], file_format: str) -> None:
    stage = run.stage
    header: dict[str, int] | None = None
    rows: list[tuple] = []
    errors: list[tuple] = []
    for line, cells in enumerate(read_rows(stream, file_format), start=1):
        if header is None:
            if not any(cell_text(c) for c in cells):
                continue  # blank lines above the header
            try:
                header = map_header(cells)
            except HeaderError as error:
                raise FileRejected(
                    Code.MISSING_COLUMNS,
                    _("The header row lacks required columns."),
                    ", ".join(error.missing),
                ) from None
            run.columns = set(header)
            continue
        values = {name: cell_text(cells[i]) if i < len(cells) else "" for name, i in header.items()}
        if not any(values.values()) and not any(cell_text(c) for c in cells):
            run.skipped += 1
            continue
        row = clean_row(line, values)
        rows.append(
            (
                line, row.external_id, row.parent_external_id, row.inviter_external_id, row.kind,
                row.display_name, row.email, row.phone, row.referral_code, row.status,
                row.storefront_slug, 1 if row.errors else 0,
            )
        )  # fmt: skip
        errors.extend((line, e.code.value, e.field, e.message, e.other_line) for e in row.errors)
        run.rows += 1
        if len(rows) >= CHUNK:
            stage.add_rows(rows, errors)
            if run.rows % PROGRESS_EVERY == 0:
                run.progress("reading", run.rows)
    if header is None:
        raise FileRejected(Code.MISSING_COLUMNS, _("The file is empty."))
    stage.add_rows(rows, errors)
    stage.index_stage()
    stage.err_seen = stage.last_error_id()
    run.progress("reading", run.rows)
