"""Bad ledger files are refused with a clear error before anything is read into the database."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook

from gongzhi.estates.ledger.check import ReadResult, ledger_read
from gongzhi.estates.ledger.errors import LedgerFileError
from gongzhi.estates.ledger.houses import HOUSES

from .ledger_files import HEADERS, csv_bytes, house, houses, ole2_bytes, xlsx_bytes, zip_bomb_bytes


def read(data: bytes, name: str = "houses.xlsx") -> ReadResult[Any]:
    return ledger_read(HOUSES, io.BytesIO(data), name)


def file_error(data: bytes, name: str = "houses.xlsx") -> str:
    with pytest.raises(LedgerFileError) as refused, translation.override("en"):
        read(data, name)
    return refused.value.error.message


def test_a_renamed_text_file_is_not_an_xlsx():
    # given a text file named .xlsx / when read / then a clear message
    assert file_error(b"this is just text\n" * 100) == "This file is not a valid .xlsx workbook."


def test_a_zip_that_is_not_a_workbook_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert file_error(out.getvalue()) == "This file is not a valid .xlsx workbook."


def test_a_zip_bomb_is_refused_by_its_ratio_before_it_is_inflated():
    # given a workbook-shaped zip whose sheet inflates 20 MB from a few KB
    data = zip_bomb_bytes(20)
    assert len(data) < 100_000
    # then it is refused as unsafe
    assert "unpacks to far more data" in file_error(data)


def test_a_zip_over_the_uncompressed_limit_is_refused(settings):
    # given an ordinary workbook and a tiny uncompressed limit
    settings.LEDGER_MAX_UNCOMPRESSED_BYTES = 10_000
    assert "unpacks to far more data" in file_error(xlsx_bytes(houses(50)))


def test_a_password_protected_workbook_is_explained():
    # given an OLE2 container (what Excel writes for a password-protected .xlsx)
    message = file_error(ole2_bytes())
    assert "password-protected" in message


def test_an_old_xls_is_explained_too():
    assert "password-protected or in the old .xls format" in file_error(ole2_bytes(), "houses.xls")


def test_other_file_types_are_refused():
    assert file_error(b"%PDF-1.4", "houses.pdf") == "Upload the ledger as an .xlsx or .csv file."


def test_a_file_over_the_upload_limit_is_refused(settings):
    settings.LEDGER_MAX_UPLOAD_BYTES = 1000
    assert "larger than" in file_error(xlsx_bytes(houses(20)))


def test_a_sheet_over_the_row_limit_is_refused_from_its_dimension(settings):
    # given a limit of 10 rows and a sheet of 11 data rows
    settings.LEDGER_MAX_ROWS = 10
    assert file_error(xlsx_bytes(houses(11))) == "The sheet has more than 10 rows; split it into smaller files."


def test_a_sheet_hiding_its_size_is_still_stopped_at_the_row_limit(settings):
    # given a sheet whose declared dimension lies (says A1:A1) but holds 30 rows
    settings.LEDGER_MAX_ROWS = 10
    data = xlsx_bytes(houses(30))
    data = _rewrite_dimension(data, "A1:A1")
    assert file_error(data) == "The sheet has more than 10 rows; split it into smaller files."


def test_a_csv_over_the_row_limit_is_refused(settings):
    settings.LEDGER_MAX_ROWS = 10
    assert "more than 10 rows" in file_error(csv_bytes(houses(11)), "houses.csv")


def _rewrite_dimension(data: bytes, ref: str) -> bytes:
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content)
            target.writestr(item, content)
    return out.getvalue()


def test_a_megabyte_cell_is_a_row_error(settings):
    # given a name of one million characters
    result = read(xlsx_bytes([house(owner_name="张" * 1_000_000)]))
    # then the row is reported, with its column
    assert [(e.row, e.column) for e in result.errors.items] == [(2, "业主姓名")]
    with translation.override("en"):
        assert result.errors.items[0].message == "The cell is longer than 1000 characters."
    assert result.rows == []


def test_formula_cells_are_never_evaluated_and_are_refused():
    # given an area written as a formula
    result = read(xlsx_bytes([house(area="=100+28.56")]))
    # then the cell is an error
    assert [(e.row, e.column) for e in result.errors.items] == [(2, "建筑面积")]
    with translation.override("en"):
        assert "Formulas are not accepted" in result.errors.items[0].message


def test_text_that_starts_with_equals_is_text_not_a_formula():
    # given a workbook whose name cell is a string "=abc" (not a formula)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADERS)
    sheet.append(list(house().values()))
    sheet["J2"].value = "=abc"
    sheet["J2"].data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    # then it is read as text
    result = read(out.getvalue())
    assert not result.errors
    assert result.rows[0].owner_name == "=abc"


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("gb18030", False)], ids=["utf8", "utf8-bom", "gb18030"]
)
def test_csv_in_utf8_with_or_without_bom_and_gb18030_is_read(encoding, bom):
    result = read(csv_bytes(houses(3, owner_name="欧阳娜娜"), encoding=encoding, bom=bom), "houses.csv")
    assert not result.errors
    assert [r.owner_name for r in result.rows] == ["欧阳娜娜"] * 3
    assert [r.delivered_on.isoformat() for r in result.rows] == ["2023-06-30"] * 3


def test_csv_in_another_encoding_is_explained():
    data = "楼栋,单元\n".encode("utf-16-le")
    assert file_error(data, "houses.csv") == "This file is not a CSV text file."


def test_missing_required_headers_are_listed():
    # given a file without 房号 and 建筑面积
    keys = ["building", "unit", "status", "owner_name"]
    result = read(xlsx_bytes([house()], keys=keys))
    assert sorted(e.column for e in result.errors.items) == ["建筑面积", "房号"]
    with translation.override("en"):
        assert "The required column 房号 is missing." in [e.message for e in result.errors.items]


def test_wrong_headers_say_what_the_header_should_be():
    result = read(xlsx_bytes([house()], headers=["name", "age", "city"] + [""] * 9))
    assert result.errors.count == 1
    with translation.override("en"):
        assert result.errors.items[0].message.startswith("No header row found")
        assert "楼栋" in result.errors.items[0].message


def test_english_aliases_any_order_title_rows_and_unknown_columns():
    # given English headers in another order, a title row above, and a column the ledger does not know
    rows = [{**house(), "note": "x"}]
    keys = ["room", "unit", "building", "status", "area", "moved_in_on", "note"]
    data = xlsx_bytes(
        rows,
        keys=keys,
        headers=["[room]", "Unit", "楼栋 [building]", "status", "area", "入住日期", "备注"],
        title_rows=[["A小区房屋台账"]],
    )
    # when read
    result = read(data)
    # then the rows are read and the unknown column is listed
    assert not result.errors
    assert result.unknown_columns == ["备注"]
    assert result.rows[0].key == ("3栋", "1单元", "1702")
    assert result.rows[0].row == 3


def test_a_repeated_column_is_an_error():
    keys = ["building", "unit", "room", "room", "area", "status"]
    data = xlsx_bytes([house(status="空置")], keys=keys)
    result = read(data)
    with translation.override("en"):
        assert [(e.column, e.message) for e in result.errors.items] == [("房号", "The column 房号 appears twice.")]


def test_an_empty_sheet_is_explained():
    assert file_error(xlsx_bytes([])) == "The sheet has a header but no rows."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"plain text", "houses.xlsx"),
        (zip_bomb_bytes(20), "houses.xlsx"),
        (ole2_bytes(), "houses.xlsx"),
        (xlsx_bytes([house(area="=1+1")]), "houses.xlsx"),
        (xlsx_bytes([house(), house()]), "houses.xlsx"),
        ("楼栋,房号\n3栋,1702\n".encode("gb18030"), "houses.csv"),
    ],
    ids=["text", "zip-bomb", "password", "formula", "duplicate", "missing-columns"],
)
def test_a_bad_file_changes_nothing(data, name):
    # given a compound with one house
    from gongzhi.core.models import AuditEvent
    from gongzhi.estates.ledger.errors import LedgerRejected
    from gongzhi.estates.ledger.services import ledger_file_import
    from gongzhi.estates.models import House
    from gongzhi.testing.factories import HouseFactory

    stored = HouseFactory.create()
    before = (House.objects.count(), AuditEvent.objects.count())
    # when the bad file is imported, it is refused
    with pytest.raises((LedgerFileError, LedgerRejected)):
        ledger_file_import(actor=None, compound=stored.compound, ledger="houses", fileobj=io.BytesIO(data), name=name)
    # then nothing changed
    assert (House.objects.count(), AuditEvent.objects.count()) == before
