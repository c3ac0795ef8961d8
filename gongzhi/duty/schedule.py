"""Which shifts a post has between two days: its weekly pattern, less the community's holidays and vacations,
plus its make-up workdays (调休), which run the pattern of another weekday. Pure functions, no queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils import timezone

from .models import DayKind

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Slot:
    weekday: int
    starts: datetime.time
    ends: datetime.time


@dataclass(frozen=True)
class CalendarRange:
    kind: str
    first_day: datetime.date
    last_day: datetime.date
    as_weekday: int = 0


def day_plan(calendar: Iterable[CalendarRange], first: datetime.date, last: datetime.date) -> dict[datetime.date, int]:
    """For every day of ``first``…``last`` whose weekday the calendar changes: the weekday it runs as, or -1 for
    no shifts (a holiday or a vacation). A make-up workday wins over a vacation on the same day."""
    plan: dict[datetime.date, int] = {}
    ranges = sorted(calendar, key=lambda r: r.kind == DayKind.WORKDAY)  # workdays last: they win
    for r in ranges:
        day = max(r.first_day, first)
        while day <= min(r.last_day, last):
            plan[day] = r.as_weekday if r.kind == DayKind.WORKDAY else -1
            day += ONE_DAY
    return plan


def shift_times(
    slots: Iterable[Slot],
    first: datetime.date,
    last: datetime.date,
    *,
    plan: dict[datetime.date, int] | None = None,
) -> Iterator[tuple[datetime.date, datetime.datetime, datetime.datetime]]:
    """(date, starts_at, ends_at) of every shift from ``first`` to ``last`` (aware, in the site's time zone)."""
    by_weekday: dict[int, list[Slot]] = {}
    for s in slots:
        by_weekday.setdefault(s.weekday, []).append(s)
    tz = timezone.get_default_timezone()
    plan = plan or {}
    day = first
    while day <= last:
        weekday = plan.get(day, day.weekday())
        for s in sorted(by_weekday.get(weekday, []), key=lambda s: s.starts):
            starts = datetime.datetime.combine(day, s.starts, tzinfo=tz)
            ends = datetime.datetime.combine(day, s.ends, tzinfo=tz)
            yield day, starts, ends
        day += ONE_DAY
