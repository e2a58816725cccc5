"""CSV and XLSX, read and written row by row (streaming: memory does not grow with the file).

CSV files are read as UTF-8 (with or without a BOM) or, failing that, as GB18030 (a superset of GBK,
what Excel on a Chinese Windows saves "CSV" as); anything else is refused with a clear error. XLSX is
read with openpyxl in read-only mode and written in write-only mode.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

from .domain.errors import NetworkImportErrorCode as Code
from .domain.i18n import gettext_noop as _
from .domain.network_import import FORMULA_STARTS

FORMATS = ("csv", "xlsx")
_CHUNK = 1 << 16
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class FileRejected(Exception):
    """The file as a whole cannot be read; ``message`` is translatable (marked with gettext_noop)."""

    def __init__(self, code: Code, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail


def format_of(file_name: str) -> str | None:
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    return suffix if suffix in FORMATS else None


def _decodes(stream: IO[bytes], encoding: str) -> bool:
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def detect_csv_encoding(stream: IO[bytes]) -> str:
    for encoding in CSV_ENCODINGS:
        if _decodes(stream, encoding):
            return encoding
    raise FileRejected(
        Code.UNKNOWN_ENCODING,
        _("The file is neither UTF-8 nor GBK/GB18030 text; save it as CSV UTF-8 and try again."),
    )


def read_rows(stream: IO[bytes], file_format: str) -> Iterator[list[object]]:
    """Every row of the file (the header first), one at a time. ``stream`` must be seekable."""
    if file_format == "csv":
        yield from _read_csv(stream)
    elif file_format == "xlsx":
        yield from _read_xlsx(stream)
    else:
        raise FileRejected(Code.UNREADABLE_FILE, _("Only CSV and XLSX files can be imported."))


def _read_csv(stream: IO[bytes]) -> Iterator[list[object]]:
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04"):
        raise FileRejected(Code.UNREADABLE_FILE, _("This is a spreadsheet (XLSX), not a CSV file."))
    if b"\x00" in head:
        raise FileRejected(Code.UNKNOWN_ENCODING, _("The file is UTF-16 or binary; save it as CSV UTF-8."))
    encoding = detect_csv_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        try:
            yield from csv.reader(text)
        except csv.Error as error:
            raise FileRejected(Code.UNREADABLE_FILE, _("The CSV file is malformed."), str(error)) from None
    finally:
        text.detach()


def _read_xlsx(stream: IO[bytes]) -> Iterator[list[object]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise FileRejected(
            Code.UNREADABLE_FILE, _("The file is not a readable XLSX workbook."), str(error)
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


# --- writing -----------------------------------------------------------------------------------------


def neutralise(cell: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading "'" (the import strips it again)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(columns: list[str], rows: Iterable[list[object]]) -> Iterator[str]:
    """UTF-8 CSV with a BOM (so spreadsheet programs read Chinese names right), one line per chunk."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def write_csv(target: IO[str], columns: list[str], rows: Iterable[list[object]]) -> int:
    """Write the file; returns the number of data rows."""
    writer = csv.writer(target)
    target.write("\ufeff")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        count += 1
    return count


def write_xlsx(target: IO[bytes] | str, columns: list[str], rows: Iterable[list[object]]) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("distributors")
    sheet.append(columns)
    count = 0
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
        count += 1
    workbook.save(target)
    return count
