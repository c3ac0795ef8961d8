"""Every insights table as an xlsx download: one sheet, a title row, headers, typed cells (numbers stay numbers,
dates dates), nothing a spreadsheet would evaluate (text starting with = + - @ is written as text)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(ws: Any, row: int, col: int, value: Any) -> None:
    if isinstance(value, Decimal):
        value = float(value)
    elif value is not None and not isinstance(value, (int, float, datetime.date, datetime.datetime)):
        value = str(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = TYPE_STRING  # never a formula


def xlsx_response(*, filename: str, title: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """An attachment ``filename`` (.xlsx) holding ``title``, then ``headers``, then ``rows``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    _cell(ws, 1, 1, str(title))
    ws.cell(row=1, column=1).font = Font(bold=True)
    for col, header in enumerate(headers, start=1):
        _cell(ws, 2, col, str(header))
        ws.cell(row=2, column=col).font = Font(bold=True)
    for r, row in enumerate(rows, start=3):
        for col, value in enumerate(row, start=1):
            _cell(ws, r, col, value)
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
