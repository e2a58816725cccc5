"""What an import reports: totals per action, and every row (or every row with errors) in file order with
its errors, read back from the staging tables a chunk at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .state import CHUNK, ERROR_ROWS_KEPT, ImportResult, ImportRun, RowOutcome


def totals(run: ImportRun) -> dict[str, int]:
    counts = {"rows": run.rows, "skipped": run.skipped, "errors": 0}
    for name in ("create", "update", "move", "unchanged"):
        counts[name] = 0
    for action, count in run.stage.action_counts():
        counts["errors" if action == "error" else action] = count
    counts["ok"] = counts["rows"] - counts["errors"]
    return counts


def outcomes(run: ImportRun, *, only_errors: bool = False) -> Iterator[RowOutcome]:
    """Every row (or every row with errors) in file order, with its errors, a chunk at a time."""
    last = 0
    while True:
        rows = run.stage.rows_after(last, CHUNK, only_errors=only_errors)
        if not rows:
            return
        errors: dict[int, list[dict[str, Any]]] = {}
        for line, code, field_, message, other in run.stage.errors_between(last, rows[-1][0]):
            entry: dict[str, Any] = {"code": code, "field": field_, "message": message}
            if other is not None:
                entry["other_line"] = other
            errors.setdefault(line, []).append(entry)
        last = rows[-1][0]
        for line, external_id, action in rows:
            yield RowOutcome(line, external_id, action, tuple(errors.get(line, ())))


def report(
    run: ImportRun,
    result: ImportResult,
    on_row: Callable[[RowOutcome, list[dict[str, Any]]], None] | None,
    on_error_rows: Callable[[list[RowOutcome]], None] | None,
) -> None:
    batch: list[RowOutcome] = []
    for outcome in outcomes(run, only_errors=on_row is None):
        if on_row is not None:
            on_row(outcome, list(outcome.errors))
        if not outcome.errors:
            continue
        if len(result.error_rows) < ERROR_ROWS_KEPT:
            result.error_rows.append(
                {"line": outcome.line, "external_id": outcome.external_id, "errors": list(outcome.errors)}
            )
        if on_error_rows is not None:
            batch.append(outcome)
            if len(batch) >= CHUNK:
                on_error_rows(batch)
                batch = []
    if batch and on_error_rows is not None:
        on_error_rows(batch)
