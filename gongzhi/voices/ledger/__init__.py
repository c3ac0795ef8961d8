"""The work-order ledger (工单台账, LEDGERS.md): history from an earlier system or paper, as voices.

Natural key 编号, or the whole row when 编号 is empty. Registered with the estate's ledgers
(``gongzhi.estates.ledger.SPECS``) by ``VoicesConfig.ready``, so the upload page, ``import_ledger
workorders`` and ``export_ledger workorders`` and the worker treat it like the house ledger.

Who may import and export it: the editors of the compound's ledgers (``estates.edit_ledger``: secretary,
community staff, property manager, customer service), all of whom see every voice of the compound. The
export holds no phone numbers, so unlike the house ledger it needs no more than that.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_noop

from gongzhi.estates.ledger.errors import ErrorList
from gongzhi.estates.ledger.spec import LedgerSpec, Plan, Progress, RowContext
from gongzhi.estates.models import Compound

from .apply import workorders_apply
from .export import workorder_rows
from .plan import DUPLICATE_MSGID, workorders_plan
from .rows import COLUMNS, WorkOrderRow, natural_key, parse_workorder_row
from .state import stored_load


def _time(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


class WorkOrderLedger(LedgerSpec[WorkOrderRow]):
    name = "workorders"
    title = gettext_noop("Work-order ledger")
    sheet_title = "工单台账"
    columns = COLUMNS
    duplicate_msgid = DUPLICATE_MSGID
    export_has_phones = False

    def parse_row(self, number: int, values: dict[str, Any], errors: ErrorList, ctx: RowContext) -> WorkOrderRow | None:
        return parse_workorder_row(number, values, errors, ctx)

    def natural_key(self, values: dict[str, Any]) -> tuple[str, ...] | None:
        return natural_key(values)

    def plan(self, *, compound: Compound, rows: list[WorkOrderRow], present: frozenset[str]) -> Plan:
        return workorders_plan(rows, stored_load(compound, rows), present)

    def apply(
        self, *, actor: Any, compound: Compound, rows: list[WorkOrderRow], present: frozenset[str], progress: Progress
    ) -> Plan:
        return workorders_apply(actor=actor, compound=compound, rows=rows, present=present, progress=progress)

    def export_rows(self, *, compound: Compound) -> Iterator[list[Any]]:
        return workorder_rows(compound=compound)

    def dump_row(self, row: WorkOrderRow) -> list[Any]:
        return [
            row.row,
            row.key,
            row.ref,
            row.submitted_at.isoformat(),
            row.kind,
            row.category,
            row.text,
            row.building,
            row.unit,
            row.room,
            row.status,
            row.accepted_at.isoformat() if row.accepted_at else None,
            row.resolved_at.isoformat() if row.resolved_at else None,
            row.rating,
        ]

    def load_row(self, data: list[Any]) -> WorkOrderRow:
        (
            number,
            key,
            ref,
            submitted,
            kind,
            category,
            text,
            building,
            unit,
            room,
            status,
            accepted,
            resolved,
            rating,
        ) = data
        return WorkOrderRow(
            row=number,
            key=key,
            ref=ref,
            submitted_at=datetime.datetime.fromisoformat(submitted),
            kind=kind,
            category=category,
            text=text,
            building=building,
            unit=unit,
            room=room,
            status=status,
            accepted_at=_time(accepted),
            resolved_at=_time(resolved),
            rating=rating,
        )


WORKORDERS = WorkOrderLedger()
