"""Work-order files as staff bring them: .xlsx, CSV in UTF-8 or GB18030, and every file that must be refused."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from gongzhi.estates.ledger.errors import LedgerFileError, LedgerRejected
from gongzhi.estates.tests.ledger_files import ole2_bytes, zip_bomb_bytes
from gongzhi.estates.tests.ledger_files import xlsx_bytes as house_xlsx_bytes
from gongzhi.voices.models import Voice

from .files import HEADERS, KEYS, counts, csv_bytes, order, orders, run_import, state, xlsx_bytes

pytestmark = pytest.mark.django_db


def refused(compound, data: bytes, name: str = "workorders.xlsx") -> tuple[str, list[tuple[int | None, str, str]]]:
    """Import ``data``; it must be refused with nothing changed. Returns (file error, row errors) in English."""
    before = state()
    with translation.override("en"), pytest.raises((LedgerFileError, LedgerRejected)) as caught:
        run_import(compound, data, name=name)
    assert state() == before
    exc = caught.value
    if isinstance(exc, LedgerFileError):
        return exc.error.message, []
    assert isinstance(exc, LedgerRejected)
    with translation.override("en"):
        return "", [(e.row, e.column, e.message) for e in exc.errors]


def test_xlsx_and_csv_in_utf8_with_and_without_bom_and_gb18030_import_the_same_voices(compound):
    # given the same three rows as .xlsx and in every CSV encoding
    rows = orders(3)
    files = [
        (xlsx_bytes(rows), "a.xlsx"),
        (csv_bytes(rows), "a.csv"),
        (csv_bytes(rows, bom=True), "a.csv"),
        (csv_bytes(rows, encoding="gb18030"), "a.csv"),
    ]
    # when the first is imported, then each of the others
    assert counts(run_import(compound, *files[0][:1], name=files[0][1])) == (3, 0, 0)
    for data, name in files[1:]:
        # then each is recognised as the very same ledger
        assert counts(run_import(compound, data, name=name)) == (0, 0, 3), name
    assert sorted(Voice.objects.values_list("text", flat=True)) == sorted(r["text"] for r in rows)


def test_english_headers_any_order_title_rows_and_unknown_columns_are_fine(compound):
    # given a sheet with a title row, English aliases, columns shuffled and a column of notes
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["XX小区工单台账（2024年）"])
    keys = list(reversed(KEYS))
    sheet.append([*(f"{k}" for k in keys), "备注"])
    sheet.append([*(order()[k] for k in keys), "老系统导出"])
    out = io.BytesIO()
    workbook.save(out)
    # when imported, then the row is read
    assert counts(run_import(compound, out.getvalue())) == (1, 0, 0)


def test_wrong_headers_say_what_the_header_should_be(compound):
    # given headers the ledger does not know in place of its first four, and a sheet of no known header at all
    _message, rows = refused(compound, xlsx_bytes([order()], headers=["a", "b", "c", "d", *HEADERS[4:]]))
    assert sorted(m for _r, _c, m in rows) == sorted(
        f"The required column {h} is missing." for h in ("提交时间", "类型", "类别")
    )
    _message, rows = refused(compound, xlsx_bytes([order()], headers=["甲", "乙", "丙"], keys=KEYS[:3]))
    assert rows[0][2].startswith("No header row found: the first row must hold the column headers (编号、提交时间")


def test_missing_required_headers_are_listed(compound):
    # given a house ledger uploaded as work orders (they share 楼栋, 单元 and 房号)
    _message, rows = refused(compound, house_xlsx_bytes([]))
    # then every missing work-order column is named
    assert sorted(m for _r, _c, m in rows) == sorted(
        f"The required column {h} is missing." for h in ("提交时间", "类型", "类别", "内容", "状态")
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"this is just text\n" * 100, "workorders.xlsx", "This file is not a valid .xlsx workbook."),
        (b"%PDF-1.4", "workorders.pdf", "Upload the ledger as an .xlsx or .csv file."),
        (ole2_bytes(), "workorders.xlsx", "password-protected or in the old .xls format"),
        (zip_bomb_bytes(20), "workorders.xlsx", "unpacks to far more data"),
        (b"\x00\x01\x02binary" * 100, "workorders.csv", "This file is not a CSV text file."),
        (b"", "workorders.csv", "The file is empty."),
    ],
)
def test_a_file_that_is_not_a_ledger_is_refused_and_changes_nothing(compound, data, name, message):
    found, _rows = refused(compound, data, name)
    assert message in found


def test_a_sheet_over_the_row_limit_is_refused(compound, settings):
    settings.LEDGER_MAX_ROWS = 10
    message, _rows = refused(compound, xlsx_bytes(orders(11)))
    assert message == "The sheet has more than 10 rows; split it into smaller files."
    message, _rows = refused(compound, csv_bytes(orders(11)), "a.csv")
    assert message == "The sheet has more than 10 rows; split it into smaller files."


def test_a_formula_is_never_evaluated_and_is_a_row_error(compound):
    # given a text cell holding a formula (as Excel writes one)
    _message, rows = refused(compound, xlsx_bytes([order(), order(ref="TS-2", text='=HYPERLINK("http://x","y")')]))
    assert rows == [(3, "内容", "Formulas are not accepted: paste the values instead.")]


def test_text_starting_with_equals_in_a_csv_is_plain_text(compound):
    run_import(compound, csv_bytes([order(text="=1+1 是什么")]), name="a.csv")
    assert Voice.objects.get().text == "=1+1 是什么"


def test_a_header_without_rows_is_explained(compound):
    message, _rows = refused(compound, xlsx_bytes([]))
    assert message == "The sheet has a header but no rows."
