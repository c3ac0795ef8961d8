"""Periods: half-open date ranges ``[start, end)`` named the way the ledgers name them.

A billing period is a year ("2025") or a month ("2025-03") (LEDGERS.md, 账期); a published statement covers a
quarter by default ("2025Q1"), or a month or a year. A year's end is exclusive: 2024 ends at 2025-01-01.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

YEAR, QUARTER, MONTH = "year", "quarter", "month"
_PATTERN = re.compile(r"^\s*(\d{4})\s*(?:(?:[-/.年]\s*(\d{1,2})\s*月?)|(?:[-\s]?[Qq]([1-4])))?\s*年?\s*$")
MIN_YEAR, MAX_YEAR = 2000, 2100


def _month_start(year: int, month: int) -> datetime.date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime.date(year, month, 1)


@dataclass(frozen=True, order=True)
class Period:
    """A year, a quarter or a month: ``number`` is 0 for a year, 1-4 for a quarter, 1-12 for a month."""

    year: int
    kind: str
    number: int = 0

    @classmethod
    def parse(cls, text: str, *, kinds: tuple[str, ...] = (YEAR, QUARTER, MONTH), field: str = "period") -> Period:
        """A period from "2025", "2025-03" (or 2025/3, 2025年3月), "2025Q1"; else a DomainError on ``field``."""
        match = _PATTERN.match(str(text or ""))
        if match is None:
            raise DomainError(_("Write the period as 2025, 2025-03 or 2025Q1."), field=field, code="invalid_period")
        year = int(match.group(1))
        if match.group(2):
            period = cls(year, MONTH, int(match.group(2)))
        elif match.group(3):
            period = cls(year, QUARTER, int(match.group(3)))
        else:
            period = cls(year, YEAR)
        if not (MIN_YEAR <= year <= MAX_YEAR) or (period.kind == MONTH and not 1 <= period.number <= 12):
            raise DomainError(_("Write the period as 2025, 2025-03 or 2025Q1."), field=field, code="invalid_period")
        if period.kind not in kinds:
            raise DomainError(
                _("A billing period is a year (2025) or a month (2025-03)."), field=field, code="invalid_period"
            )
        return period

    @classmethod
    def quarter_of(cls, day: datetime.date) -> Period:
        return cls(day.year, QUARTER, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == QUARTER:
            return f"{self.year}Q{self.number}"
        return f"{self.year}"

    @property
    def first_month(self) -> int:
        return 1 if self.kind == YEAR else (self.number - 1) * 3 + 1 if self.kind == QUARTER else self.number

    @property
    def month_count(self) -> int:
        return 12 if self.kind == YEAR else 3 if self.kind == QUARTER else 1

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def end(self) -> datetime.date:
        """The first day after the period (exclusive)."""
        return _month_start(self.year, self.first_month + self.month_count)

    def month_starts(self) -> list[datetime.date]:
        return [_month_start(self.year, self.first_month + i) for i in range(self.month_count)]

    def previous(self) -> Period:
        if self.kind == YEAR:
            return Period(self.year - 1, YEAR)
        last = 12 if self.kind == MONTH else 4
        return (
            Period(self.year, self.kind, self.number - 1) if self.number > 1 else Period(self.year - 1, self.kind, last)
        )

    def year_before(self) -> Period:
        return Period(self.year - 1, self.kind, self.number)

    def __str__(self) -> str:
        return self.label


def statement_period_default(today: datetime.date) -> Period:
    """Statements are quarterly by default: the last quarter that has ended."""
    return Period.quarter_of(today).previous()


def month_label(day: datetime.date) -> str:
    return f"{day.year}-{day.month:02d}"
