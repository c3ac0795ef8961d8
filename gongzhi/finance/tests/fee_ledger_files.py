"""Fee ledgers for tests: rows of a world's house, xlsx and CSV bytes, running an import and an export."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from openpyxl import Workbook, load_workbook

from gongzhi.estates.ledger.services import ledger_export, ledger_file_import
from gongzhi.estates.ledger.spec import Plan
from gongzhi.estates.models import Compound, House
from gongzhi.finance.ledger.rows import COLUMNS

HEADERS = [col.header for col in COLUMNS]
KEYS = [col.key for col in COLUMNS]


def fee(house: House, **values: Any) -> dict[str, Any]:
    """One row of ``house``: its 2025 bill of ¥1,200.00, paid ¥600.00 by WeChat on 2025-01-08 (SJ2025-900001)."""
    row: dict[str, Any] = {
        "building": house.building.name,
        "unit": house.unit.name,
        "room": house.room,
        "period": "2025",
        "amount_due": "1200.00",
        "reduction": "",
        "amount_paid": "600.00",
        "paid_on": datetime.date(2025, 1, 8),
        "channel": "微信",
        "receipt_no": "SJ2025-900001",
    }
    row.update(values)
    return row


def bill_only(house: House, **values: Any) -> dict[str, Any]:
    """A row that is only a bill (no payment)."""
    return fee(house, amount_paid="", paid_on="", channel="", receipt_no="", **values)


def as_lists(rows: list[dict[str, Any]], keys: list[str] = KEYS) -> list[list[Any]]:
    return [[row.get(k) for k in keys] for row in rows]


def xlsx_bytes(rows: list[dict[str, Any]], *, keys: list[str] = KEYS, headers: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "物业费台账"
    sheet.append(headers or [HEADERS[KEYS.index(k)] for k in keys])
    for values in as_lists(rows, keys):
        sheet.append(["" if v is None else v for v in values])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict[str, Any]], *, encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    for values in as_lists(rows):
        writer.writerow(["" if v is None else v for v in values])
    return text.getvalue().encode(encoding)


def run_import(
    compound: Compound, data: bytes, *, name: str = "fees.xlsx", dry_run: bool = False, actor: Any = None
) -> Plan:
    plan, _result = ledger_file_import(
        actor=actor, compound=compound, ledger="fees", fileobj=io.BytesIO(data), name=name, dry_run=dry_run
    )
    return plan


def counts(plan: Plan) -> tuple[int, int, int]:
    return (plan.created, plan.updated, plan.unchanged)


def export_bytes(compound: Compound, actor: Any = None) -> bytes:
    out = io.BytesIO()
    ledger_export(actor=actor, compound=compound, ledger="fees", out=out)
    return out.getvalue()


def read_rows(data: bytes) -> list[list[Any]]:
    """The first sheet's rows (header first) as values."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]
