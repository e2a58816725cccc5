"""``python -m django wechat_distribution_export FILE [--under KEY] [--format csv|xlsx]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ...selectors.distributors import distributor_get_by_key
from ...selectors.network_export import EXPORT_COLUMNS, network_export_rows
from ...tabular import format_of, write_csv, write_xlsx


class Command(BaseCommand):
    help = "Export the network (or one subtree) with levels, counts and balances; the file re-imports as is."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--format", choices=["csv", "xlsx"], help="default: from the file name")
        parser.add_argument("--under", help="only this distributor (external id or code) and its team")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        file_format = options["format"] or format_of(path.name)
        if file_format is None:
            raise CommandError("cannot tell the format from the file name; pass --format csv|xlsx")
        under = None
        if options["under"]:
            under = distributor_get_by_key(key=options["under"])
            if under is None:
                raise CommandError(f"no distributor has the external id or code {options['under']!r}")
        rows = network_export_rows(under=under)
        if file_format == "csv":
            with path.open("w", newline="", encoding="utf-8") as target:
                count = write_csv(target, EXPORT_COLUMNS, rows)
        else:
            count = write_xlsx(str(path), EXPORT_COLUMNS, rows)
        self.stdout.write(f"exported {count} distributors to {path}")
