"""Writing ledgers as .xlsx (exports and templates), streaming, with nothing Excel would run.

Text that starts with = + - or @ is written as an explicit string cell: openpyxl would otherwise store a
leading "=" as a formula, and a spreadsheet must never hand staff a formula they did not write.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .spec import LedgerSpec

FORMULA_PREFIXES = ("=", "+", "-", "@")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
BOLD = Font(bold=True)


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT if isinstance(value, datetime.datetime) else DATE_FORMAT
        return cell
    return value


def _header(sheet: Any, values: Iterable[str]) -> list[Any]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.font = BOLD
        cells.append(cell)
    return cells


def _widths(sheet: Any, widths: Iterable[int]) -> None:
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def ledger_workbook_write(
    out: IO[bytes], *, spec: LedgerSpec[Any], rows: Iterable[list[Any]], with_guide: bool = False
) -> int:
    """Write the ledger sheet (and, for templates, the column guide); returns the number of rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.sheet_title)
    _widths(sheet, [max(10, len(col.header) * 3) for col in spec.columns])
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, spec.headers()))
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
        count += 1
    if with_guide:
        _guide_write(workbook, spec)
    workbook.save(out)
    return count


def _guide_write(workbook: Workbook, spec: LedgerSpec[Any]) -> None:
    guide = workbook.create_sheet(_("Column guide")[:31])
    _widths(guide, [12, 22, 10, 60, 16])
    guide.append(_header(guide, [_("Column"), _("English name"), _("Required"), _("What goes in it"), _("Example")]))
    for col in spec.columns:
        guide.append(
            [
                _cell(guide, col.header),
                _cell(guide, f"[{col.key}]"),
                _("yes") if col.required else _("no"),
                _cell(guide, _(col.help)),
                _cell(guide, col.example),
            ]
        )
