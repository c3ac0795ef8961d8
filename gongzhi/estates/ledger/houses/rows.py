"""The house ledger's columns and how one row is read and checked (LEDGERS.md, 房屋台账)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from gongzhi.estates.models import OCCUPIED_STATUSES, HouseStatus, HouseType

from ..errors import ErrorList
from ..spec import Column, RowContext
from ..values import BadValue, as_date, as_decimal, as_int, as_phone, as_text, is_empty

STATUS_WORDS: dict[str, str] = {
    "未交付": HouseStatus.UNDELIVERED,
    "空置": HouseStatus.VACANT,
    "装修中": HouseStatus.RENOVATING,
    "已入住": HouseStatus.OCCUPIED,
    "出租": HouseStatus.RENTED,
}
STATUS_ALIASES: dict[str, str] = {
    **STATUS_WORDS,
    "已出租": HouseStatus.RENTED,
    **{value: value for value in HouseStatus.values},
}
STATUS_LABELS: dict[str, str] = {value: word for word, value in STATUS_WORDS.items()}
TYPE_WORDS: dict[str, str] = {"住宅": HouseType.RESIDENTIAL, "别墅": HouseType.VILLA, "商业": HouseType.COMMERCIAL}
TYPE_ALIASES: dict[str, str] = {**TYPE_WORDS, **{value: value for value in HouseType.values}}
TYPE_LABELS: dict[str, str] = {value: word for word, value in TYPE_WORDS.items()}

MAX_LENGTHS = {"phase": 40, "building": 40, "unit": 40, "room": 20, "owner_name": 50}
MAX_AREA = Decimal("9999999.99")
FLOOR_RANGE = (-9, 200)
MAX_RESIDENTS = 99

COLUMNS: tuple[Column, ...] = (
    Column("phase", "期数", help=gettext_noop("Phase of the compound; optional."), example="一期"),
    Column("building", "楼栋", required=True, help=gettext_noop("Building, required."), example="3栋"),
    Column("unit", "单元", required=True, help=gettext_noop("Unit (entrance), required."), example="1单元"),
    Column("room", "房号", required=True, help=gettext_noop("Room number, required."), example="1702"),
    Column(
        "floor",
        "楼层",
        help=gettext_noop("Floor; optional, derived from the room number when empty (1702 → 17)."),
        example=17,
    ),
    Column("area", "建筑面积", required=True, help=gettext_noop("Gross area in m², greater than 0."), example=128.56),
    Column(
        "status",
        "房屋状态",
        required=True,
        help=gettext_noop("One of 未交付, 空置, 装修中, 已入住, 出租."),
        example="已入住",
    ),
    Column(
        "delivered_on",
        "交付日期",
        help=gettext_noop("Delivery date, written 2023-06-30, 2023/6/30 or 2023年6月30日."),
        example=datetime.date(2023, 6, 30),
    ),
    Column(
        "moved_in_on",
        "入住日期",
        help=gettext_noop("Date the household moved in; required for 已入住 and 出租."),
        example=datetime.date(2024, 3, 15),
    ),
    Column("owner_name", "业主姓名", help=gettext_noop("Owner's name; optional."), example="张三"),
    Column("phone", "联系电话", help=gettext_noop("Owner's mobile, 11 digits; optional."), example="13800000000"),
    Column(
        "permanent_residents",
        "常住人数",
        help=gettext_noop("Number of permanent residents, 0 or more; optional."),
        example=3,
    ),
    # Added after LEDGERS.md's columns: a file without it leaves the stored types alone.
    Column(
        "house_type",
        "房屋类型",
        help=gettext_noop(
            "One of 住宅, 别墅, 商业; optional, empty means 住宅. Without this column the stored types are kept."
        ),
        example="住宅",
    ),
)
HEADER = {col.key: col.header for col in COLUMNS}


@dataclass(slots=True)
class HouseRow:
    row: int
    phase: str
    building: str
    unit: str
    room: str
    floor: int
    floor_given: bool
    area: Decimal
    status: str
    delivered_on: datetime.date | None
    moved_in_on: datetime.date | None
    owner_name: str
    phone: str
    permanent: int | None  # None: leave the residents as they are
    house_type: str = HouseType.RESIDENTIAL  # written only when the file has the column (or for a new house)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.building, self.unit, self.room)


def floor_from_room(room: str) -> int | None:
    """1702 → 17, 802 → 8, -101 → -1, 17-02 → 17, A1702 → 17; 1-2 digit rooms are on floor 1."""
    m = re.fullmatch(r"(-?)(\d+)", room)
    if m:
        digits = m[2]
        floor = int(digits[:-2]) if len(digits) >= 3 else 1
        if floor == 0:
            return None
        return -floor if m[1] else floor
    m = re.fullmatch(r"(\d+)[-－](\d+)", room)
    if m:
        return int(m[1]) or None
    m = re.fullmatch(r"[A-Za-z]+(\d{3,})", room)
    if m:
        return int(m[1][:-2]) or None
    return None


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
        text = as_text(self.values.get(key))
        if required and not text:
            self.error(key, gettext_noop("Fill in %(column)s."), column=HEADER[key])
        elif len(text) > MAX_LENGTHS[key]:
            self.error(key, gettext_noop("At most %(limit)s characters."), limit=MAX_LENGTHS[key])
        return text

    def parsed(self, key: str, reader: Any) -> Any:
        value = self.values.get(key)
        if is_empty(value):
            return None
        try:
            return reader(value)
        except BadValue as bad:
            self.error(key, bad.msgid, **bad.params)
            return None


def parse_house_row(number: int, values: dict[str, Any], errors: ErrorList, ctx: RowContext) -> HouseRow | None:
    r = _RowReader(number, values, errors)
    phase = r.text("phase")
    building = r.text("building", required=True)
    unit = r.text("unit", required=True)
    room = r.text("room", required=True)
    floor = r.parsed("floor", as_int)
    floor_given = floor is not None
    if floor is None and room and "floor" not in values:
        floor = floor_from_room(room)
        if floor is None:
            r.error("floor", gettext_noop("Fill in the floor: it cannot be derived from room %(room)s."), room=room)
    elif floor is not None and not FLOOR_RANGE[0] <= floor <= FLOOR_RANGE[1]:
        r.error(
            "floor",
            gettext_noop("The floor must be between %(low)s and %(high)s."),
            low=FLOOR_RANGE[0],
            high=FLOOR_RANGE[1],
        )
    area = r.parsed("area", as_decimal)
    if area is None and "area" not in values:
        r.error("area", gettext_noop("Fill in %(column)s."), column=HEADER["area"])
    elif area is not None and area <= 0:
        r.error("area", gettext_noop("The area must be greater than 0."))
    elif area is not None and area > MAX_AREA:
        r.error("area", gettext_noop("The area is too large."))
    status = _status(r)
    house_type = _house_type(r)
    delivered = r.parsed("delivered_on", as_date)
    moved_in = r.parsed("moved_in_on", as_date)
    _check_dates(r, status, delivered, moved_in, ctx.today)
    owner_name = r.text("owner_name")
    phone = r.parsed("phone", as_phone) or ""
    permanent = r.parsed("permanent_residents", as_int)
    if permanent is not None and not 0 <= permanent <= MAX_RESIDENTS:
        r.error("permanent_residents", gettext_noop("Enter a number from 0 to %(limit)s."), limit=MAX_RESIDENTS)
    if not r.ok or floor is None or area is None or status is None or house_type is None:
        return None
    return HouseRow(
        row=number,
        phase=phase,
        building=building,
        unit=unit,
        room=room,
        floor=floor,
        floor_given=floor_given,
        area=area,
        status=status,
        delivered_on=delivered,
        moved_in_on=moved_in,
        owner_name=owner_name,
        phone=phone,
        permanent=permanent,
        house_type=house_type,
    )


def _house_type(r: _RowReader) -> str | None:
    text = as_text(r.values.get("house_type"))
    if not text:
        return HouseType.RESIDENTIAL
    house_type = TYPE_ALIASES.get(text) or TYPE_ALIASES.get(text.casefold())
    if house_type is None:
        r.error("house_type", gettext_noop("Write one of 住宅, 别墅, 商业 (or leave it empty for 住宅)."))
    return house_type


def _status(r: _RowReader) -> str | None:
    text = as_text(r.values.get("status"))
    if not text:
        r.error("status", gettext_noop("Fill in %(column)s."), column=HEADER["status"])
        return None
    status = STATUS_ALIASES.get(text) or STATUS_ALIASES.get(text.casefold())
    if status is None:
        r.error("status", gettext_noop("Write one of 未交付, 空置, 装修中, 已入住, 出租."))
    return status


def _check_dates(
    r: _RowReader,
    status: str | None,
    delivered: datetime.date | None,
    moved_in: datetime.date | None,
    today: datetime.date,
) -> None:
    if status in OCCUPIED_STATUSES and moved_in is None and "moved_in_on" not in r.values:
        r.error("moved_in_on", gettext_noop("Fill in the move-in date for a house that is 已入住 or 出租."))
    if status == HouseStatus.UNDELIVERED and moved_in is not None:
        r.error("moved_in_on", gettext_noop("A house that is 未交付 cannot have a move-in date."))
    if moved_in is not None and moved_in > today:
        r.error("moved_in_on", gettext_noop("The move-in date is in the future."))
    if moved_in is not None and delivered is not None and moved_in < delivered:
        r.error("moved_in_on", gettext_noop("The move-in date is before the delivery date."))
    if delivered is not None and delivered > today and status not in (None, HouseStatus.UNDELIVERED):
        r.error("delivered_on", gettext_noop("The delivery date is in the future, but the house is not 未交付."))
