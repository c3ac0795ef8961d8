"""Periods of the KPIs (KPIS.md): a year ``2025``, a quarter ``2025Q1``, a month ``2025-03`` or a day
``2025-03-14``; each the half-open date range [start, end) in Asia/Shanghai time.

"As of d" (a date, inclusive) means computed from the events recorded up to the end of day d; the default is
the period's last day, or today while the period is still running. ``cutoff`` is the first instant after d.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

YEAR, QUARTER, MONTH, DAY = "year", "quarter", "month", "day"
GRAINS = (DAY, MONTH, QUARTER, YEAR)
MIN_YEAR, MAX_YEAR = 2000, 2100
_PATTERNS = (
    (YEAR, re.compile(r"^(\d{4})$")),
    (QUARTER, re.compile(r"^(\d{4})[Qq]([1-4])$")),
    (MONTH, re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")),
    (DAY, re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    n = day.year * 12 + day.month - 1 + months
    return datetime.date(n // 12, n % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    grain: str
    start: datetime.date
    end: datetime.date  # exclusive

    @property
    def code(self) -> str:
        if self.grain == YEAR:
            return f"{self.start.year}"
        if self.grain == QUARTER:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.grain == MONTH:
            return f"{self.start:%Y-%m}"
        return self.start.isoformat()

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    def year_before(self) -> Period:
        return period_of(self.grain, same_day_year_before(self.start))

    def __str__(self) -> str:
        return self.code


def period_of(grain: str, day: datetime.date) -> Period:
    """The period of ``grain`` containing ``day``."""
    if grain == YEAR:
        start = datetime.date(day.year, 1, 1)
        return Period(YEAR, start, datetime.date(day.year + 1, 1, 1))
    if grain == QUARTER:
        start = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(QUARTER, start, _add_months(start, 3))
    if grain == MONTH:
        start = day.replace(day=1)
        return Period(MONTH, start, _add_months(start, 1))
    if grain == DAY:
        return Period(DAY, day, day + datetime.timedelta(days=1))
    raise ValueError(f"unknown grain {grain!r}")


def periods_between(grain: str, first: datetime.date, last: datetime.date) -> list[Period]:
    """Every period of ``grain`` that contains a day of [first, last]."""
    out: list[Period] = []
    p = period_of(grain, first)
    while p.start <= last:
        out.append(p)
        p = period_of(grain, p.end)
    return out


def parse_period(text: str) -> Period:
    """``2025`` / ``2025Q1`` / ``2025-03`` / ``2025-03-14`` → Period; anything else is a DomainError."""
    value = (text or "").strip()
    for grain, pattern in _PATTERNS:
        m = pattern.match(value)
        if not m:
            continue
        year = int(m.group(1))
        if not MIN_YEAR <= year < MAX_YEAR:
            break
        if grain == YEAR:
            return period_of(YEAR, datetime.date(year, 1, 1))
        if grain == QUARTER:
            return period_of(QUARTER, datetime.date(year, (int(m.group(2)) - 1) * 3 + 1, 1))
        if grain == MONTH:
            return period_of(MONTH, datetime.date(year, int(m.group(2)), 1))
        try:
            return period_of(DAY, datetime.date(year, int(m.group(2)), int(m.group(3))))
        except ValueError:
            break
    raise DomainError(
        _(
            "“%(value)s” is not a period: write a year (2025), a quarter (2025Q1), a month (2025-03) "
            "or a day (2025-03-14)."
        )
        % {"value": value[:40]},
        field="period",
        code="bad_period",
    )


def parse_date(text: str, *, field: str = "as_of") -> datetime.date:
    """An ISO date (2025-06-30), or a DomainError naming ``field``."""
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        raise DomainError(
            _("“%(value)s” is not a date: write it as 2025-06-30.") % {"value": (text or "")[:40]},
            field=field,
            code="bad_date",
        ) from None


def today() -> datetime.date:
    return timezone.localdate()


def default_as_of(period: Period, *, now: datetime.date | None = None) -> datetime.date:
    """The period's last day, or today while it is still running (and the period's start before it begins)."""
    day = now or today()
    return max(period.start, min(period.last_day, day))


def cutoff_of(as_of: datetime.date) -> datetime.datetime:
    """The first instant after day ``as_of`` in Asia/Shanghai: events before it are "recorded up to d"."""
    tz = timezone.get_default_timezone()
    return timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min), tz)


def same_day_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
