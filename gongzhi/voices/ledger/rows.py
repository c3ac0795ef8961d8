"""The work-order ledger's columns and how one row is read and checked (LEDGERS.md, 工单台账).

A row's natural key is its 编号 ("ref:<编号>"); a row without one is keyed by a hash of its whole content
("row:<sha256>"), so re-importing the same file changes nothing. Voices raised on the platform have no
编号 of an earlier system: exports number them ``GZ-<voice id>``, and such a number names that voice.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gongzhi.estates.ledger.errors import ErrorList
from gongzhi.estates.ledger.spec import Column, RowContext
from gongzhi.estates.ledger.values import BadValue, as_text, is_empty

from ..models import TEXT_MAX, Kind, Score, Status
from .times import as_time, iso


class LedgerStatus:
    """The four states a work-order ledger knows."""

    OPEN = "open"  # 处理中
    RESOLVED = "resolved"  # 已办结
    CLOSED = "closed"  # 已关闭
    INVALID = "invalid"  # 无效


STATUS_WORDS: dict[str, str] = {
    "处理中": LedgerStatus.OPEN,
    "已办结": LedgerStatus.RESOLVED,
    "已关闭": LedgerStatus.CLOSED,
    "无效": LedgerStatus.INVALID,
}
STATUS_ALIASES: dict[str, str] = {
    **STATUS_WORDS,
    "办理中": LedgerStatus.OPEN,
    "open": LedgerStatus.OPEN,
    "resolved": LedgerStatus.RESOLVED,
    "closed": LedgerStatus.CLOSED,
    "invalid": LedgerStatus.INVALID,
}
STATUS_LABELS: dict[str, str] = {value: word for word, value in STATUS_WORDS.items()}
# A voice's status as the ledger writes it. Withdrawn voices have no ledger word and are not exported.
LEDGER_STATUS: dict[str, str] = {
    Status.SUBMITTED: LedgerStatus.OPEN,
    Status.ACCEPTED: LedgerStatus.OPEN,
    Status.DISPATCHED: LedgerStatus.OPEN,
    Status.REOPENED: LedgerStatus.OPEN,
    Status.RESOLVED: LedgerStatus.RESOLVED,
    Status.CLOSED: LedgerStatus.CLOSED,
    Status.REJECTED: LedgerStatus.INVALID,
    Status.MERGED: LedgerStatus.INVALID,
}

KIND_WORDS: dict[str, str] = {
    "投诉": Kind.COMPLAINT,
    "建议": Kind.SUGGESTION,
    "表扬": Kind.PRAISE,
    "求助": Kind.REQUEST,
    "报修": Kind.REPAIR,
    "咨询": Kind.ENQUIRY,
}
KIND_ALIASES: dict[str, str] = {**KIND_WORDS, **{value: value for value in Kind.values}}
KIND_LABELS: dict[str, str] = {value: word for word, value in KIND_WORDS.items()}

RATING_WORDS: dict[str, str] = {"满意": Score.SATISFIED, "基本满意": Score.BASIC, "不满意": Score.DISSATISFIED}
RATING_ALIASES: dict[str, str] = {**RATING_WORDS, **{value: value for value in Score.values}}
RATING_LABELS: dict[str, str] = {value: word for word, value in RATING_WORDS.items()}

REF_MAX = 64  # Voice.external_ref
MAX_LENGTHS = {"ref": REF_MAX, "category": 50, "building": 40, "unit": 40, "room": 20, "text": TEXT_MAX}
PLATFORM_REF_RE = re.compile(r"GZ-(\d{1,18})")

COLUMNS: tuple[Column, ...] = (
    Column(
        "ref",
        "编号",
        help=gettext_noop(
            "The earlier system's number; optional. A row with a number already imported updates that work "
            "order; rows without one are matched by their whole content. Voices raised on the platform are "
            "exported as GZ-<number>."
        ),
        example="TS-2024-0113",
    ),
    Column(
        "submitted_at",
        "提交时间",
        required=True,
        help=gettext_noop("When the voice was raised, Beijing time: 2024-05-02 09:30 (a date alone means 00:00)."),
        example=datetime.datetime(2024, 5, 2, 9, 30),
    ),
    Column(
        "kind", "类型", required=True, help=gettext_noop("One of 投诉, 建议, 表扬, 求助, 报修, 咨询."), example="投诉"
    ),
    Column(
        "category",
        "类别",
        required=True,
        help=gettext_noop("A category of the platform by its name, such as 环境卫生 or 设施维修."),
        example="环境卫生",
    ),
    Column(
        "text",
        "内容",
        required=True,
        help=gettext_noop("What was said, at most 2000 characters."),
        example="3栋门口垃圾未及时清运",
        max_chars=TEXT_MAX,
    ),
    Column("building", "楼栋", help=gettext_noop("Where: a building of the compound; optional."), example="3栋"),
    Column("unit", "单元", help=gettext_noop("With 楼栋 and 房号 when the voice is about one house."), example="1单元"),
    Column("room", "房号", help=gettext_noop("With 楼栋 and 单元; the house must be in the compound."), example="1702"),
    Column(
        "status", "状态", required=True, help=gettext_noop("One of 处理中, 已办结, 已关闭, 无效."), example="已办结"
    ),
    Column(
        "accepted_at",
        "受理时间",
        help=gettext_noop(
            "When it was accepted (受理); optional. Without it, a 处理中 work order is not yet accepted."
        ),
        example=datetime.datetime(2024, 5, 2, 10, 5),
    ),
    Column(
        "resolved_at",
        "办结时间",
        help=gettext_noop("When it was resolved; required for 已办结 and 已关闭, empty for 处理中."),
        example=datetime.datetime(2024, 5, 3, 16, 0),
    ),
    Column(
        "rating",
        "评价",
        help=gettext_noop(
            "满意, 基本满意 or 不满意; optional, only for 已办结 and 已关闭; taken as given at 办结时间."
        ),
        example="满意",
    ),
)
HEADER = {col.key: col.header for col in COLUMNS}
LOCATION_KEYS = ("building", "unit", "room")


@dataclass(slots=True)
class WorkOrderRow:
    row: int
    key: str  # Voice.ledger_key: "ref:<编号>" or "row:<hash>"
    ref: str
    submitted_at: datetime.datetime
    kind: str  # a Kind value
    category: str  # a category name (checked against the platform's when planned)
    text: str
    building: str
    unit: str
    room: str
    status: str  # a LedgerStatus value
    accepted_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    rating: str  # a Score value or ""

    @property
    def platform_id(self) -> int | None:
        """The voice a ``GZ-<id>`` number names (a voice raised on the platform and exported)."""
        return platform_id(self.ref)


def platform_id(ref: str) -> int | None:
    m = PLATFORM_REF_RE.fullmatch(ref)
    return int(m[1]) if m else None


def platform_ref(voice_id: int) -> str:
    return f"GZ-{voice_id}"


def clean_text(value: Any) -> str:
    """Text as stored and compared: line breaks as \\n, no characters a workbook cannot hold, no outer spaces."""
    text = as_text(value).replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", text).strip()


def row_hash(parts: list[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def natural_key(values: dict[str, Any]) -> tuple[str, ...]:
    """编号 when given; else the whole row as written (equal rows are duplicates even if they are bad)."""
    ref = as_text(values.get("ref"))
    if ref:
        return ("ref", ref)
    return ("row", *(as_text(values.get(col.key)) for col in COLUMNS if col.key != "ref"))


class _RowReader:
    """Reads one row's cells, collecting every problem rather than stopping at the first."""

    def __init__(self, number: int, values: dict[str, Any], errors: ErrorList) -> None:
        self.number = number
        self.values = values
        self.errors = errors
        self.ok = True

    def error(self, key: str, msgid: str, /, **params: Any) -> None:
        self.errors.add(self.number, HEADER[key], msgid, **params)
        self.ok = False

    def text(self, key: str, *, required: bool = False) -> str:
        text = clean_text(self.values.get(key))
        if required and not text:
            self.error(key, gettext_noop("Fill in %(column)s."), column=HEADER[key])
        elif len(text) > MAX_LENGTHS[key]:
            self.error(key, gettext_noop("At most %(limit)s characters."), limit=MAX_LENGTHS[key])
        return text

    def word(self, key: str, aliases: dict[str, str], msgid: str, *, required: bool = False) -> str:
        text = as_text(self.values.get(key))
        if not text:
            if required:
                self.error(key, gettext_noop("Fill in %(column)s."), column=HEADER[key])
            return ""
        found = aliases.get(text) or aliases.get(text.casefold())
        if found is None:
            self.error(key, msgid)
            return ""
        return found

    def time(self, key: str, ctx: RowContext, *, required: bool = False) -> datetime.datetime | None:
        value = self.values.get(key)
        if is_empty(value):
            if required:
                self.error(key, gettext_noop("Fill in %(column)s."), column=HEADER[key])
            return None
        try:
            at = as_time(value)
        except BadValue as bad:
            self.error(key, bad.msgid, **bad.params)
            return None
        if at > ctx.now:
            self.error(key, gettext_noop("The time %(value)s is in the future."), value=iso(at))
        return at


def parse_workorder_row(number: int, values: dict[str, Any], errors: ErrorList, ctx: RowContext) -> WorkOrderRow | None:
    r = _RowReader(number, values, errors)
    ref = r.text("ref")
    submitted = r.time("submitted_at", ctx, required=True)
    kind = r.word("kind", KIND_ALIASES, gettext_noop("Write one of 投诉, 建议, 表扬, 求助, 报修, 咨询."), required=True)
    category = r.text("category", required=True)
    text = r.text("text", required=True)
    building, unit, room = (r.text(key) for key in LOCATION_KEYS)
    if (unit or room) and not (building and unit and room):
        for key, value in zip(LOCATION_KEYS, (building, unit, room), strict=True):
            if not value:
                r.error(
                    key,
                    gettext_noop("Fill in %(column)s: a house is named by 楼栋, 单元 and 房号."),
                    column=HEADER[key],
                )
    status = r.word("status", STATUS_ALIASES, gettext_noop("Write one of 处理中, 已办结, 已关闭, 无效."), required=True)
    accepted = r.time("accepted_at", ctx)
    resolved = r.time("resolved_at", ctx)
    rating = r.word("rating", RATING_ALIASES, gettext_noop("Write one of 满意, 基本满意, 不满意."))
    _check_status(r, status, resolved, rating)
    _check_order(r, submitted, accepted, resolved)
    if not r.ok or submitted is None:
        return None
    if ref:
        key = f"ref:{ref}"
    else:
        parts = [iso(submitted), kind, category, text, building, unit, room, status, iso(accepted), iso(resolved)]
        key = f"row:{row_hash([*parts, rating])}"
    return WorkOrderRow(
        row=number,
        key=key,
        ref=ref,
        submitted_at=submitted,
        kind=kind,
        category=category,
        text=text,
        building=building,
        unit=unit,
        room=room,
        status=status,
        accepted_at=accepted,
        resolved_at=resolved,
        rating=rating,
    )


def _check_status(r: _RowReader, status: str, resolved: datetime.datetime | None, rating: str) -> None:
    done = status in (LedgerStatus.RESOLVED, LedgerStatus.CLOSED)
    if done and resolved is None and "resolved_at" not in r.values:
        r.error("resolved_at", gettext_noop("Fill in 办结时间 for a work order that is 已办结 or 已关闭."))
    if status == LedgerStatus.OPEN and "resolved_at" in r.values:
        r.error("resolved_at", gettext_noop("A work order that is 处理中 has no 办结时间 yet."))
    if rating and status and not done:
        r.error("rating", gettext_noop("Only a work order that is 已办结 or 已关闭 has a 评价."))


def _check_order(
    r: _RowReader,
    submitted: datetime.datetime | None,
    accepted: datetime.datetime | None,
    resolved: datetime.datetime | None,
) -> None:
    if submitted is not None and accepted is not None and accepted < submitted:
        r.error("accepted_at", gettext_noop("受理时间 is before 提交时间."))
    if submitted is not None and resolved is not None and resolved < submitted:
        r.error("resolved_at", gettext_noop("办结时间 is before 提交时间."))
    elif accepted is not None and resolved is not None and resolved < accepted:
        r.error("resolved_at", gettext_noop("办结时间 is before 受理时间."))
