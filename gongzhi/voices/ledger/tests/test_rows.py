"""Reading and checking one work-order row: times, words, required cells, order of steps, duplicates."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import timezone, translation

from gongzhi.estates.ledger.check import ReadResult, ledger_read
from gongzhi.voices.ledger import WORKORDERS
from gongzhi.voices.ledger.rows import LedgerStatus
from gongzhi.voices.models import Kind, Score

from .files import csv_bytes, order, xlsx_bytes

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def read(rows: list[dict[str, Any]], *, csv: bool = False) -> ReadResult[Any]:
    data = csv_bytes(rows) if csv else xlsx_bytes(rows)
    return ledger_read(WORKORDERS, io.BytesIO(data), "workorders.csv" if csv else "workorders.xlsx")


def problems(rows: list[dict[str, Any]]) -> list[tuple[int | None, str, str]]:
    result = read(rows)
    with translation.override("en"):
        return [(e.row, e.column, e.message) for e in result.errors.items]


@pytest.mark.parametrize(
    "written",
    [
        "2024-05-02 09:30",
        "2024/5/2 9:30",
        "2024年5月2日 9:30",
        "2024年5月2日9:30",
        "2024-05-02T09:30:45",
        "2024.5.2 09:30",
        "2024-05-02 09：30",
        datetime.datetime(2024, 5, 2, 9, 30, 59),
        45414.3958333,  # the Excel serial number of 2024-05-02 09:30
    ],
)
def test_times_in_every_listed_format_are_read_as_beijing_time_to_the_minute(written):
    # when the row's 提交时间 is written so
    result = read([order(submitted_at=written, accepted_at="", resolved_at="2024-05-03 16:00")])
    # then it is 2024-05-02 09:30 in Beijing, to the minute
    assert not result.errors, result.errors.items
    assert result.rows[0].submitted_at == datetime.datetime(2024, 5, 2, 9, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize("written", ["2024-05-02", datetime.date(2024, 5, 2), "2024/5/2 0:00"])
def test_a_date_alone_is_midnight(written):
    result = read([order(submitted_at=written, accepted_at="", resolved_at="2024-05-03 16:00")])
    assert result.rows[0].submitted_at == datetime.datetime(2024, 5, 2, 0, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("昨天上午", "Write the time as 2024-05-02 09:30 (or the date alone, such as 2024-05-02)."),
        ("09:30", "Write the time as 2024-05-02 09:30 (or the date alone, such as 2024-05-02)."),
        ("2024-05-0209:30", "Write the time as 2024-05-02 09:30 (or the date alone, such as 2024-05-02)."),
        (12, "Write the time as 2024-05-02 09:30 (or the date alone, such as 2024-05-02)."),
        ("2024-02-30 09:30", "There is no such date or time."),
        ("2024-05-02 25:10", "There is no such date or time."),
    ],
)
def test_bad_times_are_row_errors(written, message):
    assert problems([order(submitted_at=written, accepted_at="")]) == [(2, "提交时间", message)]


def test_times_in_the_future_are_row_errors():
    # given a row raised tomorrow and resolved the day after
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    row = order(submitted_at=tomorrow.replace(tzinfo=None), accepted_at="", resolved_at="2099-01-01 08:00")
    # then both times are reported
    found = problems([row])
    assert [(r, c) for r, c, _m in found] == [(2, "提交时间"), (2, "办结时间")]
    assert found[1][2] == "The time 2099-01-01 08:00 is in the future."


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("投诉", Kind.COMPLAINT),
        ("建议", Kind.SUGGESTION),
        ("表扬", Kind.PRAISE),
        ("求助", Kind.REQUEST),
        ("报修", Kind.REPAIR),
        ("咨询", Kind.ENQUIRY),
        ("Repair", Kind.REPAIR),
    ],
)
def test_kind_words_map_to_kinds(word, kind):
    assert read([order(kind=word)]).rows[0].kind == kind


@pytest.mark.parametrize(
    ("values", "status"),
    [
        ({"status": "处理中", "resolved_at": "", "rating": ""}, LedgerStatus.OPEN),
        ({"status": "已办结"}, LedgerStatus.RESOLVED),
        ({"status": "已关闭"}, LedgerStatus.CLOSED),
        ({"status": "无效", "rating": ""}, LedgerStatus.INVALID),
    ],
)
def test_status_words_map_to_ledger_states(values, status):
    assert read([order(**values)]).rows[0].status == status


@pytest.mark.parametrize(
    ("word", "score"), [("满意", Score.SATISFIED), ("基本满意", Score.BASIC), ("不满意", Score.DISSATISFIED)]
)
def test_rating_words_map_to_scores(word, score):
    assert read([order(rating=word)]).rows[0].rating == score


def test_unknown_kind_status_and_rating_words_are_row_errors():
    found = problems([order(kind="吐槽"), order(ref="TS-2", status="已完成"), order(ref="TS-3", rating="很好")])
    assert found == [
        (2, "类型", "Write one of 投诉, 建议, 表扬, 求助, 报修, 咨询."),
        (3, "状态", "Write one of 处理中, 已办结, 已关闭, 无效."),
        (4, "评价", "Write one of 满意, 基本满意, 不满意."),
    ]


def test_resolved_and_closed_need_a_resolution_time():
    found = problems([order(resolved_at=""), order(ref="TS-2", status="已关闭", resolved_at="")])
    message = "Fill in 办结时间 for a work order that is 已办结 or 已关闭."
    assert found == [(2, "办结时间", message), (3, "办结时间", message)]


def test_an_open_work_order_has_no_resolution_time_and_no_rating():
    found = problems([order(status="处理中")])
    assert found == [
        (2, "办结时间", "A work order that is 处理中 has no 办结时间 yet."),
        (2, "评价", "Only a work order that is 已办结 or 已关闭 has a 评价."),
    ]


def test_steps_out_of_order_are_row_errors():
    found = problems(
        [
            order(accepted_at="2024-05-01 08:00"),  # accepted before raised (and resolved after accepted: fine)
            order(ref="TS-2", resolved_at="2024-05-02 10:00"),  # resolved before accepted
            order(ref="TS-3", accepted_at="", resolved_at="2024-05-01 10:00"),  # resolved before raised
        ]
    )
    assert found == [
        (2, "受理时间", "受理时间 is before 提交时间."),
        (3, "办结时间", "办结时间 is before 受理时间."),
        (4, "办结时间", "办结时间 is before 提交时间."),
    ]


def test_a_house_is_named_by_building_unit_and_room():
    found = problems([order(building="3栋", room="1702"), order(ref="TS-2", unit="1单元")])
    message = "Fill in %s: a house is named by 楼栋, 单元 and 房号."
    assert found == [
        (2, "单元", message % "单元"),
        (3, "楼栋", message % "楼栋"),
        (3, "房号", message % "房号"),
    ]


def test_required_cells_must_be_filled():
    found = problems([order(submitted_at="", kind="", category="", text="", status="", rating="")])
    assert [(c, m) for _r, c, m in found] == [
        ("提交时间", "Fill in 提交时间."),
        ("类型", "Fill in 类型."),
        ("类别", "Fill in 类别."),
        ("内容", "Fill in 内容."),
        ("状态", "Fill in 状态."),
    ]


def test_text_of_2000_characters_is_read_and_longer_text_is_a_row_error():
    # given one text of the longest allowed length and one a character longer
    result = read([order(text="长" * 2000), order(ref="TS-2", text="长" * 2001)])
    # then only the longer one is an error, reported in its column
    with translation.override("en"):
        assert [(e.row, e.column, e.message) for e in result.errors.items] == [
            (3, "内容", "The cell is longer than 2000 characters.")
        ]


def test_other_cells_keep_the_usual_limit_and_lengths():
    found = problems([order(ref="X" * 65), order(ref="TS-2", category="类" * 51)])
    assert found == [(2, "编号", "At most 64 characters."), (3, "类别", "At most 50 characters.")]


def test_a_repeated_number_in_one_file_is_a_row_error_with_the_first_row():
    found = problems([order(), order(text="另一条")])
    message = "This work order (the same 编号, or the same row when 编号 is empty) is already in row 2."
    assert found == [(3, "", message)]


def test_identical_rows_without_a_number_are_duplicates():
    found = problems([order(ref=""), order(ref="", text="另一条"), order(ref="")])
    assert [(r, m.endswith("is already in row 2.")) for r, _c, m in found] == [(4, True)]


def test_rows_without_a_number_are_keyed_by_their_content_in_any_format():
    # given the same row written in an .xlsx (Excel times) and in a CSV (text times)
    row = order(
        ref="",
        submitted_at=datetime.datetime(2024, 5, 2, 9, 30),
        accepted_at=datetime.datetime(2024, 5, 2, 10, 5),
        resolved_at=datetime.datetime(2024, 5, 3, 16, 0),
    )
    as_text = order(ref="", submitted_at="2024/5/2 9:30", accepted_at="2024年5月2日 10:05")
    # then both get the same key, and a changed cell gives another
    keys = {read([row]).rows[0].key, read([as_text], csv=True).rows[0].key}
    assert len(keys) == 1 and keys.pop().startswith("row:")
    assert read([{**row, "text": "别的内容"}]).rows[0].key != read([row]).rows[0].key


def test_a_numbered_row_is_keyed_by_its_number():
    assert read([order(ref=20240113)]).rows[0].key == "ref:20240113"


def test_every_problem_of_a_row_is_listed_and_every_bad_row_too():
    found = problems([order(kind="x", status="y", rating=""), order(ref="TS-2"), order(ref="TS-3", text="")])
    assert [(r, c) for r, c, _m in found] == [(2, "类型"), (2, "状态"), (4, "内容")]
    assert read([order(kind="x")]).rows == []
