"""The house ledger (房屋台账): natural key (compound, 楼栋, 单元, 房号)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from gongzhi.estates.models import Compound, HouseType

from ..errors import ErrorList
from ..spec import LedgerSpec, Plan, Progress, RowContext
from ..values import as_text
from .apply import houses_apply
from .export import house_rows
from .plan import houses_plan
from .rows import COLUMNS, HouseRow, parse_house_row


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


class HouseLedger(LedgerSpec[HouseRow]):
    name = "houses"
    title = gettext_noop("House ledger")
    sheet_title = "房屋台账"
    columns = COLUMNS
    duplicate_msgid = gettext_noop("This house (楼栋, 单元, 房号) is already in row %(first)s.")

    def parse_row(self, number: int, values: dict[str, Any], errors: ErrorList, ctx: RowContext) -> HouseRow | None:
        return parse_house_row(number, values, errors, ctx)

    def natural_key(self, values: dict[str, Any]) -> tuple[str, ...] | None:
        key = (as_text(values.get("building")), as_text(values.get("unit")), as_text(values.get("room")))
        return key if all(key) else None

    def plan(self, *, compound: Compound, rows: list[HouseRow], present: frozenset[str]) -> Plan:
        return houses_plan(compound=compound, rows=rows, present=present)

    def apply(
        self, *, actor: Any, compound: Compound, rows: list[HouseRow], present: frozenset[str], progress: Progress
    ) -> Plan:
        return houses_apply(actor=actor, compound=compound, rows=rows, present=present, progress=progress)

    def export_rows(self, *, compound: Compound) -> Iterator[list[Any]]:
        return house_rows(compound=compound)

    def dump_row(self, row: HouseRow) -> list[Any]:
        return [
            row.row,
            row.phase,
            row.building,
            row.unit,
            row.room,
            row.floor,
            row.floor_given,
            str(row.area),
            row.status,
            row.delivered_on.isoformat() if row.delivered_on else None,
            row.moved_in_on.isoformat() if row.moved_in_on else None,
            row.owner_name,
            row.phone,
            row.permanent,
            row.house_type,
        ]

    def load_row(self, data: list[Any]) -> HouseRow:
        # Rows checked before 房屋类型 existed have 14 values (and no such column among ``present``).
        house_type = data[14] if len(data) > 14 else HouseType.RESIDENTIAL
        (
            number,
            phase,
            building,
            unit,
            room,
            floor,
            floor_given,
            area,
            status,
            delivered,
            moved_in,
            owner,
            phone,
            n,
        ) = data[:14]
        return HouseRow(
            row=number,
            phase=phase,
            building=building,
            unit=unit,
            room=room,
            floor=floor,
            floor_given=floor_given,
            area=Decimal(area),
            status=status,
            delivered_on=_date(delivered),
            moved_in_on=_date(moved_in),
            owner_name=owner,
            phone=phone,
            permanent=n,
            house_type=house_type,
        )


HOUSES = HouseLedger()
