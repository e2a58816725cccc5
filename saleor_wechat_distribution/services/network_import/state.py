"""One import's options, progress and staging tables, and what it reports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...db.network_import.staging import Staging
from ...domain.errors import NetworkImportErrorCode as Code
from ...ports import Principal

MAX_DEPTH = 63
#: rows with errors an ``ImportResult`` keeps for in-process callers (the job and the command get all)
ERROR_ROWS_KEPT = 1000
PROGRESS_EVERY = 5000
CHUNK = 5000

ProgressCallback = Callable[[str, int], None]


@dataclass(frozen=True)
class RowOutcome:
    line: int
    external_id: str
    action: str  # create | update | move | unchanged | error
    errors: tuple[dict[str, Any], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    dry_run: bool
    totals: dict[str, int] = field(default_factory=dict)
    #: the first ``ERROR_ROWS_KEPT`` rows with errors (``on_row`` sees every row)
    error_rows: list[dict[str, Any]] = field(default_factory=list)
    file_error: dict[str, str] | None = None
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.totals.get("errors")


class TooDeep(Exception):
    pass


class CustomersRefused(Exception):
    def __init__(self, lines: list[int]) -> None:
        super().__init__(f"{len(lines)} accounts refused")
        self.lines = lines


class ImportRun:
    """One file's import: its options, what reading found, and its staging tables (``stage``)."""

    def __init__(
        self,
        *,
        actor: Principal,
        dry_run: bool,
        under_id: int | None,
        channel: str,
        job_id: int | None,
        progress: ProgressCallback | None,
    ) -> None:
        self.actor = actor
        self.dry_run = dry_run
        self.under_id = under_id
        self.channel = channel
        self.job_id = job_id
        self.progress = progress or (lambda phase, count: None)
        self.stage = Staging()
        #: the file's columns (an update leaves the e-mail and phone of a file without them alone)
        self.columns: set[str] = set()
        self.rows = 0
        self.skipped = 0
        #: a subtree import's top: (id, path, depth, external id, referral code)
        self.under: tuple | None = None
        self.max_level = 0

    def flag(self, select: str, params: Sequence[Any], code: Code, field_: str, message: str) -> None:
        """Rows that ``select`` yields get the error ``code`` on ``field_`` with ``message``."""
        self.stage.errors(select, params, code.value, field_, message)
