"""Work-order ledgers for tests: valid rows, xlsx and CSV bytes, running an import, a database fingerprint."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

from openpyxl import Workbook

from gongzhi.api.tests.helpers import db_state
from gongzhi.estates.ledger.services import ledger_export, ledger_file_import
from gongzhi.estates.ledger.spec import Plan
from gongzhi.estates.models import Compound
from gongzhi.notifications.models import Notification
from gongzhi.voices.ledger.rows import COLUMNS
from gongzhi.voices.models import Voice, VoiceAssignment, VoiceEvent, VoiceRating

HEADERS = [col.header for col in COLUMNS]
KEYS = [col.key for col in COLUMNS]


def order(**values: Any) -> dict[str, Any]:
    """One valid row: a complaint resolved the next day and rated 满意, in 3栋; ``values`` changed."""
    row: dict[str, Any] = {
        "ref": "TS-2024-0113",
        "submitted_at": "2024-05-02 09:30",
        "kind": "投诉",
        "category": "环境卫生",
        "text": "3栋门口垃圾未及时清运",
        "building": "",
        "unit": "",
        "room": "",
        "status": "已办结",
        "accepted_at": "2024-05-02 10:05",
        "resolved_at": "2024-05-03 16:00",
        "rating": "满意",
    }
    row.update(values)
    return row


def orders(n: int, **values: Any) -> list[dict[str, Any]]:
    """``n`` valid rows numbered TS-1, TS-2…, raised one hour apart from 2024-05-01 08:00."""
    start = datetime.datetime(2024, 5, 1, 8, 0)
    rows = []
    for i in range(n):
        submitted = start + datetime.timedelta(hours=i)
        rows.append(
            order(
                ref=f"TS-{i + 1}",
                submitted_at=submitted,
                accepted_at=submitted + datetime.timedelta(minutes=30),
                resolved_at=submitted + datetime.timedelta(hours=20),
                text=f"第{i + 1}条：楼道灯不亮",
                **values,
            )
        )
    return rows


def as_lists(rows: list[dict[str, Any]], keys: list[str] = KEYS) -> list[list[Any]]:
    return [[row.get(k) for k in keys] for row in rows]


def xlsx_bytes(
    rows: list[dict[str, Any]], *, keys: list[str] = KEYS, headers: list[str] | None = None, title: str = "工单台账"
) -> bytes:
    """An .xlsx written the ordinary way (so "=…" strings become real formula cells, as in Excel)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(headers or [HEADERS[KEYS.index(k)] for k in keys])
    for values in as_lists(rows, keys):
        sheet.append(["" if v is None else v for v in values])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict[str, Any]], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    for values in as_lists(rows):
        writer.writerow(["" if v is None else (v.isoformat(sep=" ") if hasattr(v, "hour") else v) for v in values])
    data = text.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def run_import(
    compound: Compound, data: bytes, *, name: str = "workorders.xlsx", dry_run: bool = False, actor: Any = None
) -> Plan:
    plan, _result = ledger_file_import(
        actor=actor, compound=compound, ledger="workorders", fileobj=io.BytesIO(data), name=name, dry_run=dry_run
    )
    return plan


def counts(plan: Plan) -> tuple[int, int, int]:
    return (plan.created, plan.updated, plan.unchanged)


def export_bytes(compound: Compound, actor: Any = None) -> bytes:
    out = io.BytesIO()
    ledger_export(actor=actor, compound=compound, ledger="workorders", out=out)
    return out.getvalue()


def state() -> dict[str, Any]:
    """Every row of the voice tables and the estate (``db_state``), with the audit trail of changes."""
    result = db_state()
    for model in (Voice, VoiceEvent, VoiceRating, VoiceAssignment, Notification):
        result[model._meta.label] = sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model._default_manager.values()
        )
    return result
