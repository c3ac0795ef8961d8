"""The fee ledger (物业费台账, LEDGERS.md): bills and payments from an earlier system or a spreadsheet.

A row is a bill, a payment, or both; the bill's key is (house, 账期); a payment's natural key is its 票据号
when it has one. Registered with the estate's ledgers (``gongzhi.estates.ledger.SPECS``) by
``FinanceConfig.ready``, so the upload page, ``import_ledger fees`` and ``export_ledger fees`` and the worker
treat it like the house and work-order ledgers: preview, every bad row with its row and column, all rows or
none, re-importing changes nothing, an export imports back unchanged.

Who may import and export it: those who keep the compound's fees (``finance.keep_fees``: finance staff and the
property manager of the compound's property company, and superusers). A reduction new to the platform is
approved by the property manager who confirms the import. The export holds no phone numbers.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from gongzhi.estates.ledger.errors import ErrorList
from gongzhi.estates.ledger.spec import LedgerSpec, Plan, Progress, RowContext
from gongzhi.estates.models import Compound

from ..rules import FEE_KEEPERS
from .apply import fees_apply
from .export import fee_rows
from .plan import DUPLICATE_MSGID, fees_plan
from .rows import COLUMNS, FeeRow, natural_key, parse_fee_row
from .state import stored_load


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


class FeeLedger(LedgerSpec[FeeRow]):
    name = "fees"
    title = gettext_noop("Fee ledger")
    sheet_title = "物业费台账"
    columns = COLUMNS
    duplicate_msgid = DUPLICATE_MSGID
    export_has_phones = False
    editor_roles = FEE_KEEPERS

    def parse_row(self, number: int, values: dict[str, Any], errors: ErrorList, ctx: RowContext) -> FeeRow | None:
        return parse_fee_row(number, values, errors, ctx)

    def natural_key(self, values: dict[str, Any]) -> tuple[str, ...] | None:
        return natural_key(values)

    def plan(self, *, compound: Compound, rows: list[FeeRow], present: frozenset[str]) -> Plan:
        return fees_plan(rows, stored_load(compound, rows))

    def apply(
        self, *, actor: Any, compound: Compound, rows: list[FeeRow], present: frozenset[str], progress: Progress
    ) -> Plan:
        return fees_apply(actor=actor, compound=compound, rows=rows, progress=progress)

    def export_rows(self, *, compound: Compound) -> Iterator[list[Any]]:
        return fee_rows(compound=compound)

    def dump_row(self, row: FeeRow) -> list[Any]:
        return [
            row.row,
            row.building,
            row.unit,
            row.room,
            row.period,
            None if row.amount_due is None else str(row.amount_due),
            None if row.reduction is None else str(row.reduction),
            None if row.amount_paid is None else str(row.amount_paid),
            row.paid_on.isoformat() if row.paid_on else None,
            row.channel,
            row.receipt_no,
        ]

    def load_row(self, data: list[Any]) -> FeeRow:
        number, building, unit, room, period, due, reduction, paid, paid_on, channel, receipt_no = data
        return FeeRow(
            row=number,
            building=building,
            unit=unit,
            room=room,
            period=period,
            amount_due=_decimal(due),
            reduction=_decimal(reduction),
            amount_paid=_decimal(paid),
            paid_on=datetime.date.fromisoformat(paid_on) if paid_on else None,
            channel=channel,
            receipt_no=receipt_no,
        )


FEES = FeeLedger()
