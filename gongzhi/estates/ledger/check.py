"""Reading a ledger file against its spec: header, every row's values, duplicates inside the file.

Nothing here touches the database; ``LedgerSpec.plan`` compares the rows with what is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Generic

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from .errors import ErrorList, LedgerFileError
from .reading import RawRow, open_rows
from .spec import HeaderMap, LedgerSpec, RowContext, RowT, column_headers
from .values import ExcelError, Formula

# Title rows ("XX小区房屋台账") may sit above the header; the header is looked for in the first rows.
HEADER_SEARCH_ROWS = 20
PROGRESS_EVERY = 2000


@dataclass
class ReadResult(Generic[RowT]):
    rows: list[RowT]  # the good rows; emptied once any row is bad (nothing will be applied)
    present: frozenset[str]  # keys of the columns the file has
    unknown_columns: list[str]
    errors: ErrorList
    row_count: int = 0  # data rows read
    header: HeaderMap | None = field(default=None)


def ledger_read(
    spec: LedgerSpec[RowT],
    fileobj: IO[bytes],
    name: str,
    *,
    on_total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReadResult[RowT]:
    """Read and validate every row; raises ``LedgerFileError`` when the file itself cannot be used."""
    errors = ErrorList()
    max_chars = int(settings.LEDGER_MAX_CELL_CHARS)
    now = timezone.now()
    ctx = RowContext(today=timezone.localdate(now), now=now)
    with open_rows(fileobj, name, sheet_title=spec.sheet_title) as sheet:
        rows_iter = iter(sheet.rows)
        header = _find_header(spec, rows_iter, errors)
        if on_total is not None and sheet.declared_rows:
            on_total(max(sheet.declared_rows - header.row, 0))
        result: ReadResult[RowT] = ReadResult(
            rows=[], present=header.present, unknown_columns=header.unknown, errors=errors, header=header
        )
        if errors:
            return result
        by_key = {c.key: c for c in spec.columns}
        columns = [
            (key, number, by_key[key].header, by_key[key].max_chars or max_chars)
            for key, number in header.columns.items()
        ]
        seen: dict[tuple[str, ...], int] = {}
        keep = True
        for number, cells in rows_iter:
            values, row_ok = _screen(number, cells, columns, errors)
            if not values and row_ok:
                continue  # a row with nothing in the ledger's columns (notes, totals)
            result.row_count += 1
            row = spec.parse_row(number, values, errors, ctx) if row_ok else None
            natural_key = spec.natural_key(values)
            if natural_key is not None:
                first = seen.setdefault(natural_key, number)
                if first != number:
                    errors.add(number, "", spec.duplicate_msgid, first=first)
                    row = None
            if errors:
                if keep:
                    result.rows.clear()  # nothing will be applied: stop holding rows
                keep = False
            elif row is not None:
                result.rows.append(row)
            if progress is not None and result.row_count % PROGRESS_EVERY == 0:
                progress(result.row_count)
    if progress is not None:
        progress(result.row_count)
    if not errors and result.row_count == 0:
        raise LedgerFileError(gettext_noop("The sheet has a header but no rows."))
    return result


def _screen(
    number: int, cells: dict[int, Any], columns: list[tuple[str, int, str, int]], errors: ErrorList
) -> tuple[dict[str, Any], bool]:
    """The row's non-empty values by column key; formulas, Excel errors and huge cells are row errors."""
    values: dict[str, Any] = {}
    row_ok = True
    for key, col_number, col_header, max_chars in columns:
        value = cells.get(col_number)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, Formula):
            errors.add(number, col_header, gettext_noop("Formulas are not accepted: paste the values instead."))
            row_ok = False
        elif isinstance(value, ExcelError):
            errors.add(number, col_header, gettext_noop("The cell holds an Excel error (%(value)s)."), value=value)
            row_ok = False
        elif isinstance(value, str) and len(value) > max_chars:
            errors.add(
                number, col_header, gettext_noop("The cell is longer than %(limit)s characters."), limit=max_chars
            )
            row_ok = False
        else:
            values[key] = value
    return values, row_ok


def _find_header(spec: LedgerSpec[Any], rows: Iterator[RawRow], errors: ErrorList) -> HeaderMap:
    """The header is the first row naming at least two of the spec's columns (within the first rows)."""
    seen: list[tuple[int, dict[int, Any]]] = []
    for number, cells in rows:
        seen.append((number, cells))
        if spec.header_score(cells) >= 2:
            return spec.match_headers(number, cells, errors)
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise LedgerFileError(gettext_noop("The file is empty."))
    number, cells = seen[0]
    errors.add(
        number,
        "",
        gettext_noop("No header row found: the first row must hold the column headers (%(headers)s)."),
        headers=column_headers(spec.columns),
    )
    return spec.match_headers(number, cells, ErrorList())
