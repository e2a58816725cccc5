"""``python -m django wechat_distribution_import FILE [--dry-run] [--under KEY] [--channel C]
[--report OUT.csv]``.

Every row with errors is printed (however many), and ``--report`` writes every row's outcome.
"""

from __future__ import annotations

import csv
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from ...ports import SYSTEM
from ...selectors.distributors import distributor_get_by_key
from ...services.network_import.run import network_import
from ...tabular import format_of


class Command(BaseCommand):
    help = "Import distributors and their hierarchy from a CSV or XLSX file (all or nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
        parser.add_argument("--format", choices=["csv", "xlsx"], help="default: from the file name")
        parser.add_argument("--under", help="import the file as one subtree under this external id / code")
        parser.add_argument("--channel", default="", help="the channel of the storefronts it creates")
        parser.add_argument("--report", help="write every row's outcome to this CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        file_format = options["format"] or format_of(path.name)
        if file_format is None:
            raise CommandError("cannot tell the format from the file name; pass --format csv|xlsx")
        under_id = None
        if options["under"]:
            under = distributor_get_by_key(key=options["under"])
            if under is None:
                raise CommandError(f"no distributor has the external id or code {options['under']!r}")
            under_id = under.pk
        started = time.monotonic()
        err = self.stderr

        def progress(phase: str, count: int) -> None:
            err.write(f"\r{phase:<9} {count:>9,} rows  {time.monotonic() - started:6.1f} s", ending="")
            err.flush()

        stack = ExitStack()
        report_file = (
            stack.enter_context(open(options["report"], "w", newline="", encoding="utf-8-sig"))  # noqa: SIM115
            if options["report"]
            else None
        )
        writer = csv.writer(report_file) if report_file else None
        if writer:
            writer.writerow(["line", "external_id", "outcome", "action", "errors"])

        def on_row(outcome: Any, errors: list[dict]) -> None:
            if writer:
                text = "; ".join(f"{e['code']}: {gettext(e['message'])}" for e in errors)
                writer.writerow(
                    [outcome.line, outcome.external_id, "ok" if outcome.ok else "error", outcome.action, text]
                )
            if errors:
                for e in errors:
                    other = f" (see row {e['other_line']})" if e.get("other_line") else ""
                    self.stdout.write(
                        f"row {outcome.line} [{outcome.external_id}] {e['code']}"
                        f" {e['field'] or ''}: {gettext(e['message'])}{other}"
                    )

        try:
            with stack, path.open("rb") as stream:
                result = network_import(
                    stream=stream,
                    file_format=file_format,
                    actor=SYSTEM,
                    dry_run=options["dry_run"],
                    under_id=under_id,
                    channel=options["channel"],
                    progress=progress,
                    on_row=on_row,
                )
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        err.write("")
        if result.file_error:
            detail = f" ({result.file_error['detail']})" if result.file_error.get("detail") else ""
            raise CommandError(
                f"{result.file_error['code']}: {gettext(result.file_error['message'])}{detail}"
            )
        totals = ", ".join(f"{k} {v}" for k, v in result.totals.items())
        self.stdout.write(
            f"{'dry run' if result.dry_run else 'import'}: {totals} in {time.monotonic() - started:.1f} s"
        )
        if not result.ok:
            raise CommandError("the file has errors; nothing was written")
        if not result.dry_run:
            self.stdout.write("written.")
        sys.stdout.flush()
