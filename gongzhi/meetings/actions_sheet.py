"""Bulk progress updates as a spreadsheet: export the items of a list to .xlsx, read the edited file back.

The export has one row per item: number, title, status, progress, due date, reason, note (empty: a note typed
there is added to the item's history). Reading goes through the ledgers' safe opening
(``gongzhi.estates.ledger.reading.open_rows``: judged by content, size, zip-bomb and row limits, formulas seen
as formulas and never evaluated). Columns are found by their header (the exported one in any language, or a
Chinese alias). Only status, progress, reason and note are read; title and due date are there to be read by
people. A row that changes nothing is left out; every other row becomes a ``BulkRow`` for
``actions_bulk_update``, and every problem the file itself shows (a formula, an unknown item, a missing
column) is a ``BulkError`` with its row and column — the caller refuses the whole file if there is any.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gongzhi.estates.ledger.errors import LedgerFileError
from gongzhi.estates.ledger.reading import open_rows
from gongzhi.estates.ledger.values import ExcelError, Formula, as_text

from .models import ActionItem, ActionStatus
from .services import BulkError, BulkRow
from .services.actions import BULK_MAX_ROWS

SHEET_TITLE = "整改清单"
FORMULA_PREFIXES = ("=", "+", "-", "@")
BOLD = Font(bold=True)
# column key → (English header msgid, Chinese aliases a sheet may use)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id": (gettext_noop("No."), ("编号", "序号", "id", "#", "事项编号")),
    "title": (gettext_noop("Title"), ("事项", "标题", "整改事项")),
    "status": (gettext_noop("Status"), ("状态",)),
    "progress": (gettext_noop("Progress (%)"), ("进度(%)", "进度", "完成进度")),
    "due_on": (gettext_noop("Due date"), ("截止日期", "完成时限", "期限")),
    "reason": (gettext_noop("Reason"), ("原因", "延期原因", "取消原因")),
    "note": (gettext_noop("Note"), ("备注", "进展说明", "说明")),
}
READ = ("status", "progress", "reason", "note")
WIDTHS = (8, 40, 10, 10, 12, 30, 40)


def header_label(key: str) -> str:
    return _(COLUMNS[key][0])


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("（", "(").replace("）", ")")).lower()


def _cell(sheet: Any, value: Any) -> Any:
    """Text that starts like a formula is written as text: a spreadsheet never hands staff a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def actions_workbook_write(out: IO[bytes], items: Iterable[ActionItem]) -> int:
    """The items as a workbook for editing; returns the number of rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    for i, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    head = []
    for key in COLUMNS:
        cell = WriteOnlyCell(sheet, value=header_label(key))
        cell.data_type = "s"
        cell.font = BOLD
        head.append(cell)
    sheet.append(head)
    count = 0
    for item in items:
        row = [
            item.pk,
            item.title,
            str(ActionStatus(item.status).label),
            item.progress,
            item.due_on,
            item.status_reason,
            "",
        ]
        sheet.append([_cell(sheet, v) for v in row])
        count += 1
    workbook.save(out)
    return count


def export_filename(now: datetime.datetime | None = None) -> str:
    return f"actions-{timezone.localtime(now or timezone.now()):%Y%m%d-%H%M}.xlsx"


@dataclass
class SheetRead:
    """What a file holds: the rows that change something, the rows that change nothing, and every error."""

    rows: list[BulkRow] = field(default_factory=list)
    unchanged: int = 0
    errors: list[BulkError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # key → the header as the file wrote it


def _columns(header: dict[int, Any]) -> dict[str, int]:
    wanted: dict[str, str] = {}
    for key, (msgid, aliases) in COLUMNS.items():
        for name in (msgid, _(msgid), *aliases):
            wanted[_normal(name)] = key
    found: dict[str, int] = {}
    for col, value in header.items():
        match = wanted.get(_normal(as_text(value)))
        if match and match not in found:
            found[match] = col
    return found


def _status(text: str) -> str:
    for choice in ActionStatus:
        if text in (choice.value, str(choice.label)):
            return choice.value
    return text


def actions_sheet_read(fileobj: IO[bytes], name: str, *, current: dict[int, ActionItem]) -> SheetRead:
    """Read an edited export. ``current``: the items the user may see, by number (``lookup`` builds it from the
    numbers the file names). Raises ``LedgerFileError`` when the file cannot be read at all."""
    result = SheetRead()
    with open_rows(fileobj, name, sheet_title=SHEET_TITLE) as sheet:
        header: dict[int, Any] | None = None
        cols: dict[str, int] = {}
        data_rows = 0
        for number, cells in sheet.rows:
            if header is None:
                header = cells
                cols = _columns(header)
                if "id" not in cols:
                    raise LedgerFileError(gettext_noop("The column %(name)s is missing."), name=header_label("id"))
                if not any(k in cols for k in READ):
                    raise LedgerFileError(
                        gettext_noop("The file has none of the columns %(names)s."),
                        names=" / ".join(header_label(k) for k in READ),
                    )
                result.columns = {k: header_label(k) for k in cols}
                continue
            data_rows += 1
            if data_rows > BULK_MAX_ROWS:
                raise LedgerFileError(gettext_noop("At most %(max)s rows at once; split the file."), max=BULK_MAX_ROWS)
            _row(result, number, cells, cols, current)
        if header is None:
            raise LedgerFileError(gettext_noop("The file is empty."))
    return result


def _row(result: SheetRead, number: int, cells: dict[int, Any], cols: dict[str, int], current: dict[int, Any]) -> None:
    values: dict[str, str] = {}
    bad = False
    for key, col in cols.items():
        raw = cells.get(col)
        if isinstance(raw, Formula):
            result.errors.append(
                BulkError(number, key, _("This cell holds a formula; type the value instead."), "formula")
            )
            bad = True
            continue
        if isinstance(raw, ExcelError):
            result.errors.append(BulkError(number, key, _("This cell holds an Excel error (%(e)s).") % {"e": raw}))
            bad = True
            continue
        values[key] = as_text(raw)
    if bad:
        return
    if not any(values.get(k) for k in READ) and not values.get("id"):
        return  # an empty row (only title or due date left)
    text = values.get("id", "").removeprefix("#").strip()
    pk = int(text) if text.isdigit() and len(text) < 12 else None
    if pk is None:
        result.errors.append(BulkError(number, "id", _("Enter the action item's number."), "invalid"))
        return
    item = current.get(pk)
    if item is None:
        result.errors.append(BulkError(number, "id", _("No such action item."), "not_found"))
        return
    progress = values.get("progress", "")
    status = values.get("status", "")
    reason = values.get("reason", "")
    note = values.get("note", "")
    changes = (
        (progress and progress.removesuffix("%").strip() != str(item.progress))
        or (status and _status(status) != item.status)
        or (reason and reason != item.status_reason)
        or note
    )
    if not changes:
        result.unchanged += 1
        return
    result.rows.append(
        BulkRow(
            id=pk,
            progress=progress if progress and progress.removesuffix("%").strip() != str(item.progress) else None,
            status=status if status and _status(status) != item.status else "",
            note=note,
            reason=reason if reason and reason != item.status_reason else "",
            row=number,
        )
    )


def sheet_ids(fileobj: IO[bytes], name: str) -> set[int]:
    """The item numbers a file names (a first pass, to read the items in one query)."""
    ids: set[int] = set()
    with open_rows(fileobj, name, sheet_title=SHEET_TITLE) as sheet:
        col: int | None = None
        for n, (_number, cells) in enumerate(sheet.rows):
            if n == 0:
                col = _columns(cells).get("id")
                if col is None:
                    return ids
                continue
            if n > BULK_MAX_ROWS:
                break
            text = as_text(cells.get(col)).removeprefix("#").strip() if col is not None else ""
            if text.isdigit() and len(text) < 12:
                ids.add(int(text))
    return ids
