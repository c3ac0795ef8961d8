"""Row checks of the house ledger: each bad value is reported with its row, column and reason."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from gongzhi.estates.ledger.check import ReadResult, ledger_read
from gongzhi.estates.ledger.houses import HOUSES
from gongzhi.estates.ledger.houses.rows import floor_from_room
from gongzhi.estates.ledger.houses.state import sort_key_of

from .ledger_files import csv_bytes, house, xlsx_bytes


def read(rows: list[dict[str, Any]], *, csv: bool = False) -> ReadResult[Any]:
    data = csv_bytes(rows) if csv else xlsx_bytes(rows)
    return ledger_read(HOUSES, io.BytesIO(data), "houses.csv" if csv else "houses.xlsx")


def errors_of(rows: list[dict[str, Any]], **kwargs: Any) -> list[tuple[int | None, str, str]]:
    result = read(rows, **kwargs)
    with translation.override("en"):
        return [(e.row, e.column, e.message) for e in result.errors.items]


@pytest.mark.parametrize(
    "written",
    ["2023-06-30", "2023/6/30", "2023年6月30日", "2023-6-30", "2023/06/30 0:00", datetime.datetime(2023, 6, 30), 45107],
    ids=["iso", "slashes", "chinese", "short", "csv-midnight", "excel-date", "excel-serial"],
)
def test_dates_in_every_listed_format_are_accepted(written):
    result = read([house(delivered_on=written)])
    assert not result.errors
    assert result.rows[0].delivered_on == datetime.date(2023, 6, 30)


@pytest.mark.parametrize("written", ["30/06/2023", "去年六月", "2023-13-01", "2023-02-30", "20230630"])
def test_dates_in_no_listed_format_are_rejected(written):
    errors = errors_of([house(delivered_on=written)])
    assert [(row, column) for row, column, _m in errors] == [(2, "交付日期")]


def test_dates_from_csv_are_read_too():
    result = read([house(delivered_on="2023年6月30日", moved_in_on="2024/3/15")], csv=True)
    assert (result.rows[0].delivered_on, result.rows[0].moved_in_on) == (
        datetime.date(2023, 6, 30),
        datetime.date(2024, 3, 15),
    )


@pytest.mark.parametrize(
    "written", [13800000000, 13800000000.0, "138 0000 0000", "138-0000-0000", "+86 13800000000", " 13800000000 "]
)
def test_phones_as_excel_numbers_or_with_spaces_are_accepted(written):
    result = read([house(phone=written)])
    assert not result.errors
    assert result.rows[0].phone == "13800000000"


@pytest.mark.parametrize("written", ["1380000000", "138000000001", "23800000000", "138000abcde", 1.38e9])
def test_bad_phones_are_rejected(written):
    errors = errors_of([house(phone=written)])
    assert errors == [(2, "联系电话", "Enter an 11-digit mobile number such as 13800000000.")]


@pytest.mark.parametrize("area", [0, -5, "0.00"])
def test_area_of_zero_or_less_is_rejected(area):
    assert errors_of([house(area=area)]) == [(2, "建筑面积", "The area must be greater than 0.")]


def test_area_with_a_unit_and_many_decimals_is_rounded():
    result = read([house(area="128.555㎡")])
    assert result.rows[0].area == Decimal("128.56")


def test_occupied_without_move_in_date_is_rejected():
    errors = errors_of([house(moved_in_on=None), house(room="1701", status="出租", moved_in_on=None)])
    assert [(row, column) for row, column, _m in errors] == [(2, "入住日期"), (3, "入住日期")]


def test_move_in_before_delivery_is_rejected():
    errors = errors_of([house(delivered_on="2023-06-30", moved_in_on="2023-01-01")])
    assert errors == [(2, "入住日期", "The move-in date is before the delivery date.")]


def test_move_in_in_the_future_is_rejected():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert errors_of([house(moved_in_on=tomorrow)]) == [(2, "入住日期", "The move-in date is in the future.")]


def test_undelivered_house_with_move_in_date_is_rejected():
    errors = errors_of([house(status="未交付", delivered_on=None)])
    assert [(row, column) for row, column, _m in errors] == [(2, "入住日期")]


def test_unknown_status_word_is_rejected():
    errors = errors_of([house(status="住着")])
    assert errors == [(2, "房屋状态", "Write one of 未交付, 空置, 装修中, 已入住, 出租.")]


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("未交付", "undelivered"),
        ("空置", "vacant"),
        ("装修中", "renovating"),
        ("已入住", "occupied"),
        ("出租", "rented"),
    ],
)
def test_status_words_map_to_house_statuses(word, status):
    values = {"moved_in_on": None, "delivered_on": None} if word == "未交付" else {}
    result = read([house(status=word, **values)])
    assert not result.errors
    assert result.rows[0].status == status


def test_duplicate_houses_in_one_file_are_rejected_with_both_rows():
    errors = errors_of([house(), house(room="1701"), house(room=1702)])
    assert errors == [(4, "", "This house (楼栋, 单元, 房号) is already in row 2.")]


def test_required_cells_must_be_filled():
    errors = errors_of([house(building=None, room=None)])
    assert [(row, column) for row, column, _m in errors] == [(2, "楼栋"), (2, "房号")]


def test_every_problem_of_a_row_is_listed_and_every_bad_row_too():
    errors = errors_of([house(area=-1, phone="123"), house(room="1701"), house(room="1601", status="?")])
    assert [(row, column) for row, column, _m in errors] == [(2, "建筑面积"), (2, "联系电话"), (4, "房屋状态")]


def test_negative_residents_are_rejected():
    assert errors_of([house(permanent_residents=-1)]) == [(2, "常住人数", "Enter a number from 0 to 99.")]


def test_floor_is_derived_from_the_room_when_empty():
    result = read([house(floor=None, room="802"), house(floor=None, room="-101"), house(floor=None, room="1702")])
    assert [(r.floor, r.floor_given) for r in result.rows] == [(8, False), (-1, False), (17, False)]


@pytest.mark.parametrize(
    ("room", "floor"), [("1702", 17), ("802", 8), ("-101", -1), ("17-02", 17), ("A1702", 17), ("05", 1), ("甲", None)]
)
def test_floor_from_room(room, floor):
    assert floor_from_room(room) == floor


def test_a_room_without_a_floor_and_none_given_is_rejected():
    errors = errors_of([house(floor=None, room="东户")])
    assert [(row, column) for row, column, _m in errors] == [(2, "楼层")]


@pytest.mark.parametrize(("name", "key"), [("12栋", 12), ("3单元", 3), ("三单元", 3), ("十二栋", 12), ("A座", 0)])
def test_sort_key_comes_from_the_leading_number(name, key):
    assert sort_key_of(name) == key


def test_a_duplicate_of_a_bad_row_is_reported_too():
    # given row 2 with a bad phone and row 3 repeating its house
    errors = errors_of([house(phone="12"), house()])
    # then both problems are listed at once, not one after the other upload
    assert [(row, column) for row, column, _m in errors] == [(2, "联系电话"), (3, "")]
