"""Ledger files for tests: valid house rows, xlsx and CSV bytes, and the bad files the import must refuse."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from gongzhi.estates.ledger.houses.rows import COLUMNS

HEADERS = [col.header for col in COLUMNS]
KEYS = [col.key for col in COLUMNS]


@pytest.fixture
def media_tmp(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Uploaded and exported files go to a temporary media root, never into the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.MEDIA_ROOT


def house(**values: Any) -> dict[str, Any]:
    """One valid house row (an occupied flat with three residents), with ``values`` changed."""
    row: dict[str, Any] = {
        "phase": "一期",
        "building": "3栋",
        "unit": "1单元",
        "room": "1702",
        "floor": 17,
        "area": 128.56,
        "status": "已入住",
        "delivered_on": datetime.date(2023, 6, 30),
        "moved_in_on": datetime.date(2024, 3, 15),
        "owner_name": "张三",
        "phone": "13800000000",
        "permanent_residents": 3,
        "house_type": "住宅",
    }
    row.update(values)
    return row


def houses(n: int, **values: Any) -> list[dict[str, Any]]:
    """``n`` valid houses in building 3, unit 1, rooms 101, 102, 201, 202…"""
    return [house(room=f"{i // 2 + 1}{i % 2 + 1:02d}", floor=i // 2 + 1, **values) for i in range(n)]


def as_lists(rows: list[dict[str, Any]], keys: list[str] = KEYS) -> list[list[Any]]:
    return [[row.get(k) for k in keys] for row in rows]


def xlsx_bytes(
    rows: list[dict[str, Any]],
    *,
    headers: list[str] | None = None,
    keys: list[str] = KEYS,
    title_rows: list[list[Any]] | None = None,
) -> bytes:
    """An .xlsx written the ordinary way (so "=…" strings become real formula cells, as in Excel)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "房屋台账"
    for title in title_rows or []:
        sheet.append(title)
    sheet.append(headers or [HEADERS[KEYS.index(k)] for k in keys])
    for values in as_lists(rows, keys):
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict[str, Any]], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    for values in as_lists(rows):
        writer.writerow(["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v) for v in values])
    data = text.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def ole2_bytes() -> bytes:
    """What a password-protected .xlsx is: an OLE2 compound file (magic D0 CF 11 E0 A1 B1 1A E1)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4088


def zip_bomb_bytes(megabytes: int = 20) -> bytes:
    """A workbook-shaped zip whose sheet inflates from a few kilobytes to ``megabytes`` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (megabytes * 1024 * 1024))
    return out.getvalue()


def upload(data: bytes, name: str = "houses.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def read_xlsx(data: bytes, sheet: int = 0) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(data))
    return [tuple(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]
