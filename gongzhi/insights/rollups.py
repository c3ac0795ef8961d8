"""KPI rollups: every registered KPI per compound per day, month, quarter and year (``KpiRollup``).

A rollup holds the KPI of its period as of the period's last day (or today while the period runs): exactly
what ``engine.kpis_compute`` gives with the default as-of, so a dashboard reads ``kpis_from_rollups`` — one
indexed query for any number of compounds and periods — instead of scanning voices and bills. Other as-of
dates are computed directly.

Kept up to date by the sweep (``rollups_sweep``, a periodic job in the worker, ``manage.py kpi_rollups_sweep``):
each run recomputes, for every compound, the periods from the earliest day touched by what was recorded since
the last run (new voice events and ratings, house events, payments, reductions, action updates — read by id
— and changed residents, bills, refunds and meetings — read by ``updated_at``), and at least yesterday and
today. A reopen also touches the 8 days before it (it withdraws a resolution of up to 7 days before).
Rebuilt from the events by ``manage.py kpi_rollups_rebuild [--compound CODE] [--since DATE] [--grains
month,quarter,year] [--days N]``: months, quarters and years over all history, days only for the last
``DAILY_DAYS`` (or ``--days``) — pages read months, quarters and years; a day older than that is computed
directly when asked for. Each period is computed for all the compounds at once (a fixed number of queries), so
a rebuild costs about (number of periods) × (one period's queries), whatever the number of compounds.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from gongzhi.core.audit import audit_record

from .engine import KpiReport, measure_period, year_before_as_of
from .models import KpiRollup, KpiRollupToDate, RollupMark
from .periods import DAY, GRAINS, Period, default_as_of, periods_between, same_day_year_before
from .registry import Measure, definitions

REOPEN_REACH = datetime.timedelta(days=8)
# Daily rollups cover the last 400 days (a month of daily figures with its year before); months, quarters and
# years cover all history. Older days are computed directly when asked for. (800 days made a rebuild of the demo
# take minutes for rows no page reads.)
DAILY_DAYS = datetime.timedelta(days=400)
ID_SLACK = 0  # rows committed out of id order (PostgreSQL) can be missed: the nightly-safe fallback is the rebuild
CLOCK_SLACK = datetime.timedelta(minutes=10)


def _today(now: datetime.datetime | None) -> datetime.date:
    return timezone.localdate(now) if now is not None else timezone.localdate()


def rollups_recompute(
    compounds: Sequence[Any],
    first: datetime.date,
    last: datetime.date,
    *,
    today: datetime.date | None = None,
    grains: Sequence[str] = GRAINS,
    days: datetime.timedelta = DAILY_DAYS,
) -> int:
    """Recompute the rollups of every period (each grain) containing a day of [first, last], up to today, for
    ``compounds`` — days only within ``days`` of today: one transaction per period. Returns the rows written."""
    day = today or _today(None)
    last = min(last, day)
    if not compounds or first > last:
        return 0
    community = {c.pk: c.community_id for c in compounds}
    written = 0
    for grain in grains:
        since = max(first, day - days) if grain == DAY else first
        for period in periods_between(grain, since, last):
            as_of = default_as_of(period, now=day)
            written += _store(KpiRollup, compounds, community, period, as_of)
            if as_of < period.last_day:  # running: its year before to the same day, what it is compared with
                written += _store(KpiRollupToDate, compounds, community, period.year_before(),
                                  year_before_as_of(period, as_of))  # fmt: skip
    return written


def _store(
    model: Any, compounds: Sequence[Any], community: dict[int, int], period: Period, as_of: datetime.date
) -> int:
    """Measure ``period`` as of ``as_of`` for ``compounds`` and replace its rows of ``model`` (``KpiRollup``, or
    ``KpiRollupToDate`` for a running period's year before, so that pages need not scan last year's events while
    the period runs) in one transaction."""
    measures = measure_period(compounds, period, as_of)
    at = timezone.now()
    rows = [
        model(
            community_id=community[compound_id],
            compound_id=compound_id,
            grain=period.grain,
            start=period.start,
            key=key,
            numerator=m.numerator,
            denominator=m.denominator,
            has_data=m.data,
            as_of=as_of,
            computed_at=at,
        )
        for compound_id, per_key in measures.items()
        for key, m in per_key.items()
    ]
    with transaction.atomic():
        model.objects.filter(compound_id__in=list(community), grain=period.grain, start=period.start).delete()
        model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _every_compound(compounds: Sequence[Any]) -> bool:
    from gongzhi.estates.models import Compound

    return {c.pk for c in compounds} >= set(Compound.objects.values_list("pk", flat=True))


def rollups_rebuild(
    *,
    actor: Any = None,
    compounds: Sequence[Any],
    since: datetime.date | None = None,
    today: datetime.date | None = None,
    grains: Sequence[str] = GRAINS,
    days: datetime.timedelta = DAILY_DAYS,
) -> int:
    """Rebuild the rollups of ``compounds`` from the events, from ``since`` (default: a year before the earliest
    compound's first records, so that every figure has its year before) to today: the periods of ``grains``,
    days only for the last ``days``."""
    from .engine import compound_since

    if not compounds:
        return 0
    unknown = set(grains) - set(GRAINS)
    if unknown:
        raise ValueError(f"unknown grains {sorted(unknown)}")
    first = since or same_day_year_before(min(compound_since(c) for c in compounds))
    if since is None and _every_compound(compounds):
        # everything recorded so far is read now: the sweep goes on from here instead of redoing all history
        # on its first run (what is recorded while the rebuild runs comes after the marks: the sweep sees it)
        touched_since(now=timezone.now())
    written = rollups_recompute(compounds, first, today or _today(None), today=today, grains=grains, days=days)
    audit_record(
        actor=actor,
        verb="insights.rollups_rebuild",
        object_type="insights.kpirollup",
        object_id="*",
        after={
            "compounds": len(compounds),
            "since": first.isoformat(),
            "grains": list(grains),
            "days": days.days,
            "rows": written,
        },
    )
    return written


# --- What changed since the last run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """An append-only table read by id (``by_id``) or a mutable one read by ``updated_at``: which compound it
    touches from which day."""

    name: str
    model: Callable[[], Any]
    compound: str
    day: str  # a date or datetime field: the first day touched
    by_id: bool = True
    reach: Callable[[Any], datetime.timedelta] | None = None  # extra days before, given the row's values


def _sources() -> list[Source]:
    from gongzhi.activities.models import Activity, Signup
    from gongzhi.duty.models import Assignment, Volunteer
    from gongzhi.estates.models import HouseEvent, Resident
    from gongzhi.finance.models import Bill, Payment, Reduction, Refund
    from gongzhi.mediation.models import CaseEvent
    from gongzhi.meetings.models import ActionUpdate, Meeting
    from gongzhi.voices.models import Voice, VoiceEvent, VoiceRating

    return [
        Source("voice", lambda: Voice, "compound_id", "submitted_at"),
        Source("voice_event", lambda: VoiceEvent, "voice__compound_id", "at"),
        Source("voice_rating", lambda: VoiceRating, "voice__compound_id", "at"),
        Source("house_event", lambda: HouseEvent, "house__compound_id", "effective_on"),
        Source("payment", lambda: Payment, "compound_id", "paid_on"),
        Source("reduction", lambda: Reduction, "compound_id", "approved_on"),
        Source("action_update", lambda: ActionUpdate, "action_item__compound_id", "at"),
        Source("resident", lambda: Resident, "compound_id", "moved_in_on", by_id=False),
        Source("resident_out", lambda: Resident, "compound_id", "moved_out_on", by_id=False),
        Source("bill", lambda: Bill, "compound_id", "period_start", by_id=False),
        Source("refund", lambda: Refund, "compound_id", "paid_on", by_id=False),
        Source("meeting", lambda: Meeting, "compound_id", "starts_at", by_id=False),
        # joint work of the later apps: their KPIs count check-ins and holds recorded by d, so what is recorded
        # today touches only the running periods (recomputed anyway) — except backdated rows, caught here
        Source("case_event", lambda: CaseEvent, "case__compound_id", "at"),
        Source("assignment", lambda: Assignment, "shift__post__compound_id", "starts_at"),
        Source("activity", lambda: Activity, "compound_id", "starts_at", by_id=False),
        Source("signup", lambda: Signup, "activity__compound_id", "activity__starts_at", by_id=False),
        Source("volunteer", lambda: Volunteer, "compound_id", "created_at", by_id=False),
    ]


def _as_day(value: Any) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value  # type: ignore[no-any-return,unused-ignore]


def touched_since(*, now: datetime.datetime, advance: bool = True) -> dict[int, datetime.date]:
    """compound id → the earliest day touched by what was recorded since the last run (and move the marks)."""
    touched: dict[int, datetime.date] = {}

    def touch(compound_id: int | None, day: datetime.date | None) -> None:
        if compound_id is not None and day is not None and (compound_id not in touched or day < touched[compound_id]):
            touched[compound_id] = day

    for source in _sources():
        model = source.model()
        mark, _created = RollupMark.objects.get_or_create(source=source.name)
        if source.by_id:
            qs = model.objects.filter(pk__gt=max(mark.last_id - ID_SLACK, 0))
            top = qs.aggregate(m=Max("pk"))["m"] or mark.last_id
        else:
            since = (mark.last_run_at or datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)) - CLOCK_SLACK
            qs = model.objects.filter(updated_at__gte=since)
            top = mark.last_id
        rows = qs.order_by().values_list(source.compound).annotate(first=Min(source.day))
        for compound_id, first in rows:
            touch(compound_id, _as_day(first))
        if source.name == "voice_event":  # a reopen withdraws a resolution of up to 7 days before
            reopens = qs.filter(verb="reopen").order_by().values_list(source.compound).annotate(first=Min("at"))
            for compound_id, first in reopens:
                day = _as_day(first)
                touch(compound_id, day - REOPEN_REACH if day else None)
        if advance:
            mark.last_id = top
            mark.last_run_at = now
            mark.save(update_fields=["last_id", "last_run_at"])
    return touched


def rollups_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """One run of the periodic job: recompute what was touched since the last run, and yesterday and today
    for every compound (a new day's rows; yesterday's final values)."""
    from gongzhi.estates.models import Compound

    now = now or timezone.now()
    today = _today(now)
    yesterday = today - datetime.timedelta(days=1)
    touched = touched_since(now=now)
    compounds = list(Compound.objects.all().order_by("pk"))
    by_first: dict[datetime.date, list[Any]] = {}
    for c in compounds:
        by_first.setdefault(min(touched.get(c.pk, yesterday), yesterday), []).append(c)
    written = sum(rollups_recompute(group, first, today, today=today) for first, group in sorted(by_first.items()))
    return {"compounds": len(compounds), "touched": len(touched), "rows": written}


# --- Reading ------------------------------------------------------------------------------------------------------


def kpis_from_rollups(
    compounds: Sequence[Any], period: Period, *, keys: Iterable[str] | None = None, today: datetime.date | None = None
) -> KpiReport:
    """The ``KpiReport`` of ``engine.kpis_compute`` with the default as-of, read from the rollups: one query for
    closed periods, two for a running one (its year before to the same day is kept in ``KpiRollupToDate`` by the
    sweep; measured directly when the sweep has not run today), however many compounds. Days older than
    ``DAILY_DAYS`` are measured directly. A period not rolled up yet reads as "no data"."""
    chosen = [d.key for d in definitions(keys)]
    before = period.year_before()
    as_of = default_as_of(period, now=today)
    rows = KpiRollup.objects.filter(
        community_id__in={c.community_id for c in compounds},
        compound_id__in=[c.pk for c in compounds],
        grain=period.grain,
        start__in=[period.start, before.start],
        key__in=chosen,
    ).values_list("compound_id", "start", "key", "numerator", "denominator", "has_data")
    found: dict[tuple[int, datetime.date, str], Measure] = {
        (c, start, key): Measure(n, d, has) for c, start, key, n, d, has in rows
    }
    before_as_of = year_before_as_of(period, as_of)
    day = today or _today(None)
    to_date = before_as_of < before.last_day
    complete = True
    if to_date:  # a running period: its year before to the same day, kept by the sweep (or measured below)
        kept = KpiRollupToDate.objects.filter(
            community_id__in={c.community_id for c in compounds},
            compound_id__in=[c.pk for c in compounds],
            grain=period.grain,
            start=before.start,
            key__in=chosen,
            as_of=before_as_of,
        ).values_list("compound_id", "key", "numerator", "denominator", "has_data")
        found = {k: m for k, m in found.items() if k[1] != before.start}
        for compound_id, key, numerator, denominator, has in kept:
            found[(compound_id, before.start, key)] = Measure(numerator, denominator, has)
        complete = len({(c, key) for c, start, key in found if start == before.start}) == len(compounds) * len(chosen)

    def not_kept(p: Period) -> bool:
        return p.grain == DAY and p.start < day - DAILY_DAYS

    # measured directly: a running period's year before when the sweep has not kept it for today, and days older
    # than kept
    for p, p_as_of, direct in (
        (period, as_of, not_kept(period)),
        (before, before_as_of, (to_date and not complete) or not_kept(before)),
    ):
        if direct:
            for c, per_key in measure_period(compounds, p, p_as_of, chosen).items():
                for key, m in per_key.items():
                    found[(c, p.start, key)] = m
    measures: dict[int, dict[str, tuple[Measure, Measure]]] = {}
    for c in compounds:
        measures[c.pk] = {}
        for d in definitions(chosen):
            empty = Measure.none(ratio=d.is_ratio)
            measures[c.pk][d.key] = (
                found.get((c.pk, period.start, d.key), empty),
                found.get((c.pk, before.start, d.key), empty),
            )
    return KpiReport(period, as_of, before, before_as_of, chosen, measures)
