"""Opening an uploaded ledger safely and streaming its rows.

The file is judged by its content, not its name: an OLE2 container (a password-protected workbook or an
old .xls) and anything that is not a zip are refused with a clear message before openpyxl sees them;
zip members are checked against ``LEDGER_MAX_UNCOMPRESSED_BYTES`` and a compression-ratio limit so a zip
bomb is refused before it is inflated. Rows are streamed (openpyxl read-only), and a sheet over
``LEDGER_MAX_ROWS`` is refused as soon as that is known, so a huge sheet never fills memory.

Rows come out as ``(row number, {column number: value})`` holding only non-empty cells. Formula cells
come out as ``Formula`` and Excel error cells as ``ExcelError``: never evaluated, always reported.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.utils.translation import gettext_noop
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import WorkSheetParser

from .errors import LedgerFileError
from .values import ExcelError, Formula

RawRow = tuple[int, dict[int, Any]]

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Real worksheets compress 5-30×; a member inflating more than this (and over a megabyte) is a zip bomb.
MAX_ZIP_RATIO = 200
MAX_ZIP_MEMBERS = 10_000
# Columns beyond this are never part of a ledger; cells there are ignored rather than held in memory.
MAX_COLUMNS = 200
CSV_ENCODINGS = ("utf-8", "gb18030")


@dataclass
class SheetRows:
    rows: Iterator[RawRow]
    declared_rows: int | None  # rows the sheet says it has (a hint for the progress bar), header included


def file_size(fileobj: IO[bytes]) -> int:
    pos = fileobj.tell()
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(pos)
    return size


def check_upload_size(size: int) -> None:
    limit = settings.LEDGER_MAX_UPLOAD_BYTES
    if size > limit:
        raise LedgerFileError(
            gettext_noop("The file is larger than %(limit)s MB; split it into smaller files."),
            limit=round(limit / 1024 / 1024, 1),
        )


def _row_limit_error() -> LedgerFileError:
    return LedgerFileError(
        gettext_noop("The sheet has more than %(limit)s rows; split it into smaller files."),
        limit=settings.LEDGER_MAX_ROWS,
    )


def _max_sheet_row() -> int:
    """The header row plus ``LEDGER_MAX_ROWS`` data rows."""
    return int(settings.LEDGER_MAX_ROWS) + 1


@contextmanager
def open_rows(fileobj: IO[bytes], name: str, *, sheet_title: str = "") -> Iterator[SheetRows]:
    """Rows of an .xlsx (the sheet named ``sheet_title``, else the first) or .csv file."""
    fileobj.seek(0)
    check_upload_size(file_size(fileobj))
    head = fileobj.read(8)
    fileobj.seek(0)
    suffix = PurePath(name).suffix.lower()
    if head.startswith(OLE2_MAGIC):
        raise LedgerFileError(
            gettext_noop(
                "This file is password-protected or in the old .xls format. Open it in Excel, remove the "
                "password and save it as .xlsx, then upload it again."
            )
        )
    if suffix == ".csv":
        yield _csv_rows(fileobj)
        return
    if suffix != ".xlsx":
        raise LedgerFileError(gettext_noop("Upload the ledger as an .xlsx or .csv file."))
    if not head.startswith(ZIP_MAGIC):
        raise LedgerFileError(gettext_noop("This file is not a valid .xlsx workbook."))
    _check_zip(fileobj)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=False, keep_links=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, ParseError, OSError, TypeError):
        raise LedgerFileError(gettext_noop("This file is not a valid .xlsx workbook.")) from None
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise LedgerFileError(gettext_noop("The workbook has no worksheet."))
        sheet = next((s for s in sheets if s.title == sheet_title), sheets[0])
        declared = sheet.max_row if isinstance(sheet.max_row, int) else None
        if declared is not None and declared > _max_sheet_row():
            raise _row_limit_error()
        yield SheetRows(rows=_xlsx_rows(workbook, sheet), declared_rows=declared)
    finally:
        workbook.close()


def _check_zip(fileobj: IO[bytes]) -> None:
    """Refuse zip bombs and non-workbooks from the zip directory alone, before anything is inflated."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise LedgerFileError(gettext_noop("This file is not a valid .xlsx workbook.")) from None
    finally:
        fileobj.seek(0)
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise LedgerFileError(gettext_noop("This file is not a valid .xlsx workbook."))
    total = sum(m.file_size for m in members)
    suspicious = any(
        m.file_size > 1024 * 1024 and m.file_size > MAX_ZIP_RATIO * max(m.compress_size, 1) for m in members
    )
    if len(members) > MAX_ZIP_MEMBERS or total > settings.LEDGER_MAX_UNCOMPRESSED_BYTES or suspicious:
        raise LedgerFileError(
            gettext_noop("This file unpacks to far more data than a ledger holds; it was refused as unsafe.")
        )


def _xlsx_rows(workbook: Any, sheet: Any) -> Iterator[RawRow]:
    """Stream the sheet's XML with openpyxl's own parser.

    Going below ``iter_rows`` keeps each cell's type (formulas are told apart from text that starts with
    "="), keeps the real row numbers, never trusts the declared dimension (which can be wrong and would make
    ``iter_rows`` stop early) and creates no cell objects.
    """
    limit = _max_sheet_row()
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            if number > limit:
                raise _row_limit_error()
            values: dict[int, Any] = {}
            for cell in cells:
                value = cell["value"]
                if value is None or cell["column"] > MAX_COLUMNS:
                    continue
                kind = cell["data_type"]
                if kind == "f":
                    value = Formula(value if isinstance(value, str) else getattr(value, "text", "=") or "=")
                elif kind == "e":
                    value = ExcelError(value)
                values[cell["column"]] = value
            if values:
                yield number, values


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerFileError(gettext_noop("Save the CSV file as UTF-8 or GB18030 (GBK) text."))


def _csv_rows(fileobj: IO[bytes]) -> SheetRows:
    data = fileobj.read()
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LedgerFileError(gettext_noop("This file is not a CSV text file."))
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise LedgerFileError(gettext_noop("Save the CSV file as UTF-8 or GB18030 (GBK) text.")) from None
    del data
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    declared = text.count("\n") + 1  # a hint only: quoted cells may hold line breaks
    return SheetRows(rows=_csv_iter(text, delimiter), declared_rows=declared)


def _csv_iter(text: str, delimiter: str) -> Iterator[RawRow]:
    limit = _max_sheet_row()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise LedgerFileError(
                gettext_noop("Row %(row)s of the CSV file cannot be read (a cell is too long or badly quoted)."),
                row=number + 1,
            ) from None
        number += 1
        if number > limit:
            raise _row_limit_error()
        values = {i: v for i, v in enumerate(record[:MAX_COLUMNS], start=1) if v.strip()}
        if values:
            yield number, values
