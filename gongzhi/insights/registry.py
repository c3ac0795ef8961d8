"""The registry of KPI definitions: each KPI of KPIS.md defined once, by key.

How an app adds its KPIs (without touching the engine)
------------------------------------------------------
Write ``gongzhi/<app>/kpis.py``; ``InsightsConfig.ready`` imports every installed app's ``kpis`` module
(``autodiscover_modules("kpis")``), so its ``register(...)`` calls run at start-up. For example, in
``gongzhi/activities/kpis.py``::

    from django.utils.translation import gettext_lazy as _
    from gongzhi.insights.registry import COUNT, KpiContext, KpiDefinition, Measure, register

    def _held(ctx: KpiContext) -> dict[int, Measure]:
        # one grouped query for all of ctx.compound_ids, reading only what was recorded before ctx.cutoff
        rows = (Activity.objects.filter(compound_id__in=ctx.compound_ids, held_at__gte=ctx.start_at,
                                        held_at__lt=ctx.window_end_at)
                .values("compound_id").annotate(n=Count("id")))
        counts = {r["compound_id"]: r["n"] for r in rows}
        has = ctx.compounds_having(Activity.objects.filter(created_at__lt=ctx.cutoff))
        return {c: Measure.count(counts.get(c, 0), data=c in has) for c in ctx.compound_ids}

    register(KpiDefinition(key="activities_held", label=_("Activities held"), unit=COUNT,
                           section="activities", order=500, compute=_held))

Rules for a definition's ``compute(ctx)``:

- return compound id → ``Measure`` for ``ctx.compound_ids`` (a missing compound is "no data"), in a fixed number
  of queries however many compounds (rollups call it for all compounds at once, per day, month, quarter, year);
- read only events recorded up to ``ctx.as_of`` (``ctx.cutoff`` is the first instant after it), so a past
  value never changes when later data arrives;
- a rate's ``Measure.ratio(n, d)`` with d = 0 is "no data" by itself; a count or amount is "no data" when the
  compound has recorded nothing of its kind yet (``data=False``), never 0;
- numerators and denominators must add up over compounds (a community's figure is the sum of its compounds');
  a mean is (sum, count), as ``hours`` does.

Keys are unique and stable (rollups store them): ``<app>_<what>``, lower case. ``order`` sorts the list:
estates 100s, voices 200s, fees 300s, meetings 400s, activities 500s, duty 600s, mediation 700s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

RATE, COUNT, AMOUNT, HOURS = "rate", "count", "amount", "hours"
UNITS = (RATE, COUNT, AMOUNT, HOURS)
ZERO = Decimal(0)
PLACES = Decimal("0.0001")  # every numerator and denominator is kept to four places (as the rollups store it)


def _dec(x: Any) -> Decimal:
    return Decimal(str(x)).quantize(PLACES)


@dataclass(frozen=True)
class Measure:
    """A KPI's numerator and denominator for one compound (or a sum of compounds).

    Rates and means (hours) have a denominator and are "no data" when it is 0; counts and amounts have none
    (``denominator`` None) and are "no data" when ``data`` is False.
    """

    numerator: Decimal
    denominator: Decimal | None = None
    data: bool = True

    @classmethod
    def ratio(cls, numerator: Any, denominator: Any) -> Measure:
        d = _dec(denominator)
        return cls(_dec(numerator), d, d != ZERO)

    @classmethod
    def count(cls, n: Any, *, data: bool = True) -> Measure:
        return cls(_dec(n), None, data)

    @classmethod
    def none(cls, *, ratio: bool) -> Measure:
        return cls(ZERO, ZERO if ratio else None, False)

    @property
    def value(self) -> Decimal | None:
        if self.denominator is not None:
            return self.numerator / self.denominator if self.denominator else None
        return self.numerator if self.data else None

    def __add__(self, other: Measure) -> Measure:
        d = None if self.denominator is None else self.denominator + (other.denominator or ZERO)
        data = (d != ZERO) if d is not None else (self.data or other.data)
        return Measure(self.numerator + other.numerator, d, data)


@dataclass
class KpiContext:
    """What a definition computes for: compounds, the period [start, end), and the as-of date (inclusive)."""

    compound_ids: list[int]
    compounds: list[Any]  # the Compound rows (``community_id`` and ``pk``)
    start: Any  # datetime.date
    end: Any  # datetime.date, exclusive
    as_of: Any  # datetime.date, inclusive
    memo: dict[str, Any] = field(default_factory=dict)

    @property
    def cutoff_date(self) -> Any:
        """The day after ``as_of``: dated events before it are known."""
        import datetime

        return self.as_of + datetime.timedelta(days=1)

    @property
    def cutoff(self) -> Any:
        from .periods import cutoff_of

        return cutoff_of(self.as_of)

    @property
    def window_end(self) -> Any:
        """The period's end, or the cutoff when that comes first (dates)."""
        return min(self.end, self.cutoff_date)

    @property
    def start_at(self) -> Any:
        from .kpis import _period_bounds

        return _period_bounds(self.start, self.end)[0]

    @property
    def window_end_at(self) -> Any:
        return min(self.cutoff, self.end_at)

    @property
    def end_at(self) -> Any:
        from .kpis import _period_bounds

        return _period_bounds(self.start, self.end)[1]

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute something several KPIs share (one query for voices by kind, four for the fees) once."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def compounds_having(self, qs: QuerySet[Any], field_name: str = "compound_id") -> set[int]:
        """The compounds (of this context) with at least one row of ``qs``: one query."""
        return set(
            qs.filter(**{f"{field_name}__in": self.compound_ids})
            .order_by()
            .values_list(field_name, flat=True)
            .distinct()
        )


@dataclass(frozen=True)
class DrillColumn:
    label: str | Promise
    value: Callable[[Any], Any]  # row → the cell (str, number, Decimal, date, datetime)


@dataclass(frozen=True)
class Drill:
    """The records behind one compound's figure for a period: what its numerator counts (``rows``, ordered,
    already limited to the compound, the period and the as-of date), the columns a list of them shows, and
    each row's own page when there is one the reader may open."""

    rows: QuerySet[Any]
    columns: tuple[DrillColumn, ...]
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    label: str | Promise  # gettext_lazy
    unit: str  # RATE / COUNT / AMOUNT / HOURS
    section: str  # estates / voices / fees / meetings / …
    order: int
    compute: Callable[[KpiContext], dict[int, Measure]]
    help: str | Promise = ""
    # the list behind the figure: ctx (one compound) → Drill; None when the figure has no rows to list
    drill: Callable[[KpiContext], Drill] | None = None

    @property
    def is_ratio(self) -> bool:
        return self.unit in (RATE, HOURS)


_REGISTRY: dict[str, KpiDefinition] = {}


def register(definition: KpiDefinition) -> KpiDefinition:
    """Add a KPI; registering the same key twice with another definition is a programming error."""
    if definition.unit not in UNITS:
        raise ValueError(f"unknown unit {definition.unit!r}")
    existing = _REGISTRY.get(definition.key)
    if existing is not None and existing.compute is not definition.compute:
        raise ValueError(f"KPI {definition.key!r} is already registered")
    _REGISTRY[definition.key] = definition
    return definition


def definitions(keys: Iterable[str] | None = None) -> list[KpiDefinition]:
    """The registered KPIs in display order (or those of ``keys``)."""
    chosen = _REGISTRY.values() if keys is None else [_REGISTRY[k] for k in keys]
    return sorted(chosen, key=lambda d: (d.order, d.key))


def definition(key: str) -> KpiDefinition:
    return _REGISTRY[key]
