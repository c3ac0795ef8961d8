"""The KPI engine: every registered KPI for a set of compounds, a period and an as-of date, with the same period
a year before and the change — relative (−80.3%) and, for rates, in percentage points (+5.0 pp).

``kpis_compute`` computes from the events (direct); ``rollups.kpis_from_rollups`` reads the same ``KpiReport``
from the rollup tables. Both give per-compound measures and their sum.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

from .periods import Period, default_as_of, same_day_year_before
from .registry import RATE, KpiContext, KpiDefinition, Measure, definitions

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class KpiValue:
    """One KPI for one compound (or the sum of several): now, a year before, and the change."""

    definition: KpiDefinition
    now: Measure
    year_before: Measure

    @property
    def value(self) -> Decimal | None:
        return self.now.value

    @property
    def value_year_before(self) -> Decimal | None:
        return self.year_before.value

    @property
    def change(self) -> Decimal | None:
        """Relative change on the year before (−0.803 = −80.3%); None without data on either side or from 0."""
        a, b = self.now.value, self.year_before.value
        if a is None or b is None or b == 0:
            return None
        return (a - b) / b

    @property
    def change_pp(self) -> Decimal | None:
        """For rates, the change in percentage points (+5.0); None otherwise or without data."""
        a, b = self.now.value, self.year_before.value
        if self.definition.unit != RATE or a is None or b is None:
            return None
        return (a - b) * HUNDRED


@dataclass(frozen=True)
class KpiReport:
    period: Period
    as_of: datetime.date
    year_before_period: Period
    year_before_as_of: datetime.date
    keys: list[str]
    # compound id → key → (now, a year before)
    measures: dict[int, dict[str, tuple[Measure, Measure]]]

    def values(self, compound_id: int | None = None) -> list[KpiValue]:
        """Every KPI of one compound, or (None) summed over all the report's compounds."""
        out = []
        for d in definitions(self.keys):
            empty = Measure.none(ratio=d.is_ratio)
            if compound_id is not None:
                now, then = self.measures.get(compound_id, {}).get(d.key, (empty, empty))
            else:
                now, then = empty, empty
                for per_key in self.measures.values():
                    n, t = per_key.get(d.key, (empty, empty))
                    now, then = now + n, then + t
            out.append(KpiValue(d, now, then))
        return out


def compound_since(compound: Any) -> datetime.date:
    """The day the compound began to exist for the KPIs: the earliest of its delivery date, its houses' delivery
    dates and the day it was entered."""
    from gongzhi.estates.models import House

    days = [timezone.localtime(compound.created_at).date()]
    if compound.delivered_on:
        days.append(compound.delivered_on)
    first_house = House.objects.filter(compound=compound).aggregate(d=Min("delivered_on"))["d"]
    if first_house:
        days.append(first_house)
    return min(days)


def as_of_check(compound: Any, period: Period, as_of: datetime.date | None) -> datetime.date:
    """The as-of date to use (default: ``default_as_of``); a date before the compound existed, or before the
    period starts, is a DomainError."""
    if as_of is None:
        return default_as_of(period)
    since = compound_since(compound)
    if as_of < since:
        raise DomainError(
            _("%(name)s did not exist yet on %(date)s: its records start on %(since)s.")
            % {"name": compound.name, "date": as_of.isoformat(), "since": since.isoformat()},
            field="as_of",
            code="before_compound",
        )
    if as_of < period.start:
        raise DomainError(
            _("The as-of date %(date)s is before the period %(period)s starts.")
            % {"date": as_of.isoformat(), "period": period.code},
            field="as_of",
            code="before_period",
        )
    return as_of


def year_before_as_of(period: Period, as_of: datetime.date) -> datetime.date:
    """The same day a year before; a period measured to its last day is compared with the whole period a year
    before (February 2025 with all of February 2024)."""
    if as_of >= period.last_day:
        return period.year_before().last_day + (as_of - period.last_day)
    return same_day_year_before(as_of)


def measure_period(
    compounds: Sequence[Any], period: Period, as_of: datetime.date, keys: Iterable[str] | None = None
) -> dict[int, dict[str, Measure]]:
    """compound id → key → Measure for ``period`` as of ``as_of`` (every compound, every KPI present)."""
    ctx = KpiContext(
        compound_ids=[c.pk for c in compounds],
        compounds=list(compounds),
        start=period.start,
        end=period.end,
        as_of=as_of,
    )
    out: dict[int, dict[str, Measure]] = {c.pk: {} for c in compounds}
    for d in definitions(keys):
        computed = d.compute(ctx) if compounds else {}
        empty = Measure.none(ratio=d.is_ratio)
        for compound_id in out:
            out[compound_id][d.key] = computed.get(compound_id, empty)
    return out


def kpis_compute(
    compounds: Sequence[Any],
    period: Period,
    *,
    as_of: datetime.date | None = None,
    keys: Iterable[str] | None = None,
) -> KpiReport:
    """Every KPI (or those of ``keys``) for ``compounds`` in ``period`` as of ``as_of`` (default: the period's last
    day, or today), and for the same period a year before as of the same day a year before."""
    chosen = [d.key for d in definitions(keys)]
    day = as_of or default_as_of(period)
    before = period.year_before()
    before_day = year_before_as_of(period, day)
    now = measure_period(compounds, period, day, chosen)
    then = measure_period(compounds, before, before_day, chosen)
    measures = {c: {k: (now[c][k], then[c][k]) for k in chosen} for c in now}
    return KpiReport(period, day, before, before_day, chosen, measures)
