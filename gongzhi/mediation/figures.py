"""Mediation figures (KPIS.md, "Joint work"): cases closed, success rate, median days to close, agreements kept
at follow-up. Each is defined once, here, on a queryset of cases (a compound's, a community's, …) and a period
``[start, end)`` of Asia/Shanghai days. They are read from the append-only timeline (``CaseEvent``), so a value
"as of" the end of a period does not change when later events arrive.

- **cases closed** in a period: cases with a ``close`` event in the period (a case closed, reopened and closed
  again in the same period counts once).
- **mediation success rate**: of the cases closed in the period, the share whose latest close in the period has
  the outcome "agreement reached" (partly reached is not a success). No data when none closed.
- **median days to close**: the median, over the cases closed in the period, of the days from opening to their
  latest close in the period (fractional days). None when none closed.
- **agreements kept at follow-up**: of the cases with a follow-up visit recorded in the period, the share whose
  latest visit in the period found the agreement kept.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import QuerySet

from gongzhi.insights.kpis import Ratio, _period_bounds

from .models import Case, CaseEvent, Outcome


def _latest_per_case(cases: QuerySet[Case], verb: str, start: datetime.date, end: datetime.date) -> list[CaseEvent]:
    s, e = _period_bounds(start, end)
    latest: dict[int, CaseEvent] = {}
    events = (
        CaseEvent.objects.filter(case__in=cases.values("pk"), verb=verb, at__gte=s, at__lt=e)
        .select_related("case")
        .order_by("at", "pk")
    )
    for event in events:
        latest[event.case_id] = event
    return list(latest.values())


def cases_closed(cases: QuerySet[Case], start: datetime.date, end: datetime.date) -> int:
    """Cases closed in [start, end)."""
    return len(_latest_per_case(cases, "close", start, end))


def success_rate(cases: QuerySet[Case], start: datetime.date, end: datetime.date) -> Ratio:
    """Mediation success rate: of cases closed in the period, the share closed with an agreement."""
    closes = _latest_per_case(cases, "close", start, end)
    return Ratio(numerator=sum(1 for e in closes if e.outcome == Outcome.AGREEMENT), denominator=len(closes))


def median_days_to_close(cases: QuerySet[Case], start: datetime.date, end: datetime.date) -> float | None:
    """Median days from opening to the latest close in the period, over the cases closed in the period."""
    closes = _latest_per_case(cases, "close", start, end)
    if not closes:
        return None
    return float(statistics.median((e.at - e.case.opened_at).total_seconds() / 86400 for e in closes))


def agreements_kept(cases: QuerySet[Case], start: datetime.date, end: datetime.date) -> Ratio:
    """Of cases with a follow-up visit recorded in the period, the share whose latest visit found it kept."""
    visits = _latest_per_case(cases, "follow_up", start, end)
    return Ratio(numerator=sum(1 for e in visits if e.kept), denominator=len(visits))


@dataclass(frozen=True)
class MediationFigures:
    start: datetime.date
    end: datetime.date
    closed: int
    success: Ratio
    median_days: float | None
    kept: Ratio


def mediation_figures(cases: QuerySet[Case], start: datetime.date, end: datetime.date) -> MediationFigures:
    return MediationFigures(
        start=start,
        end=end,
        closed=cases_closed(cases, start, end),
        success=success_rate(cases, start, end),
        median_days=median_days_to_close(cases, start, end),
        kept=agreements_kept(cases, start, end),
    )
