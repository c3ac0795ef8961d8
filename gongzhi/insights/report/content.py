"""What a compound's governance report shows for a period (``ReportContent``): built once per request and drawn
by both the page and the PDF, so both show the same figures.

Every figure comes from the KPI engine's rollups (``kpis_from_rollups`` for the period and its year before;
``KpiRollup`` rows for the virtuous cycle's trend, one query). The lists beside the figures (the most raised
problems, the action items done with their after-photos, the departments engaged, the activities by category)
are read with a fixed number of queries; action items only as far as the reader may see them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import DomainError

from ..engine import KpiValue, compound_since
from ..models import Honour, KpiRollup, ReportNarrative
from ..periods import MONTH, QUARTER, YEAR, Period, cutoff_of, parse_period, periods_between, today
from ..present import change_display, display
from ..registry import COUNT, RATE, Measure
from ..rollups import kpis_from_rollups

SECTIONS = ("background", "measures", "outcomes", "cycle")
SECTION_LABELS = {
    "background": gettext_lazy("Background"),
    "measures": gettext_lazy("Measures"),
    "outcomes": gettext_lazy("Outcomes"),
    "cycle": gettext_lazy("The virtuous cycle"),
}
NARRATIVE_MAX = 4000
# which KPI sections go where: the state of the compound (before and after) and the joint work done
OUTCOME_SECTIONS = ("estates", "voices", "fees")
MEASURE_SECTIONS = ("meetings", "activities", "duty", "mediation")
BACKGROUND_KEYS = (
    "estates_occupancy_rate",
    "estates_permanent_residents",
    "voices_complaint",
    "voices_praise",
    "voices_satisfaction_rate",
    "fees_collection_rate",
)
SATISFACTION, COLLECTION = "voices_satisfaction_rate", "fees_collection_rate"
CYCLE_YEARS = 3
TOP_PROBLEMS = 4
ACTIONS_SHOWN, PHOTOS_PER_ACTION = 12, 2


# --- The period ---------------------------------------------------------------------------------------------------


def default_period() -> str:
    """The last full year."""
    return str(today().year - 1)


def report_period(text: str, compound: Any) -> Period:
    """The report's period: a year, a quarter or a month that has begun and in which the compound existed;
    a DomainError on ``period`` otherwise."""
    period = parse_period(text or default_period())
    if period.grain not in (YEAR, QUARTER, MONTH):
        raise DomainError(
            _("A report covers a year (2025), a quarter (2025Q1) or a month (2025-03), not a single day."),
            field="period",
            code="bad_period",
        )
    if period.start > today():
        raise DomainError(
            _("The period %(period)s has not begun yet: choose one that has.") % {"period": period.code},
            field="period",
            code="future_period",
        )
    since = compound_since(compound)
    if period.last_day < since:
        raise DomainError(
            _("%(name)s did not exist yet in %(period)s: its records start on %(since)s.")
            % {"name": compound.name, "period": period.code, "since": since.isoformat()},
            field="period",
            code="before_compound",
        )
    return period


# --- What the report holds ----------------------------------------------------------------------------------------


def _plain(x: Decimal | None) -> float | None:
    return None if x is None else float(x.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))


def _basis(m: Measure) -> str:
    """The numerator and denominator behind a rate or a mean ("12 / 24"); empty for counts and without data."""
    if not m.data or m.denominator is None:
        return ""
    return f"{m.numerator.normalize():f} / {m.denominator.normalize():f}"


@dataclass(frozen=True)
class KpiRow:
    """One KPI of the compound: the year before and the period, their display and the change."""

    key: str
    label: str
    unit: str
    section: str
    before: str
    after: str
    change: str
    before_basis: str
    after_basis: str
    before_value: float | None
    after_value: float | None
    change_rel: Decimal | None
    change_pp: Decimal | None
    link: str = ""  # the figure's drill-down on the page

    @property
    def has_data(self) -> bool:
        return self.before_value is not None or self.after_value is not None


def kpi_row(v: KpiValue) -> KpiRow:
    d = v.definition
    return KpiRow(
        key=d.key,
        label=str(d.label),
        unit=d.unit,
        section=d.section,
        before=display(d.unit, v.value_year_before),
        after=display(d.unit, v.value),
        change=change_display(v),
        before_basis=_basis(v.year_before),
        after_basis=_basis(v.now),
        before_value=_plain(v.value_year_before),
        after_value=_plain(v.value),
        change_rel=v.change,
        change_pp=v.change_pp,
    )


@dataclass(frozen=True)
class Problem:
    name: str
    count: int


@dataclass(frozen=True)
class ActionDone:
    pk: int
    title: str
    done_on: datetime.date | None
    photo_ids: list[int]
    thumbs: list[str]  # the photos' stored names (the PDF embeds their thumbnails)


@dataclass(frozen=True)
class Department:
    name: str
    kind: str
    voices: int
    resolved: int


@dataclass(frozen=True)
class ActivityGroup:
    label: str
    count: int


@dataclass(frozen=True)
class CyclePoint:
    label: str
    satisfaction: float | None
    collection: float | None
    satisfaction_text: str
    collection_text: str


@dataclass(frozen=True)
class Narrative:
    section: str
    label: str
    text: str  # what the report shows: the edited text, or the generated one
    generated: str
    edited: bool
    updated_by: str = ""
    updated_at: datetime.datetime | None = None


@dataclass
class ReportContent:
    compound: Any
    period: Period
    before: Period
    as_of: datetime.date
    kpis: list[KpiRow]
    problems: list[Problem]
    actions: list[ActionDone]
    departments: list[Department]
    activities: list[ActivityGroup]
    cycle: list[CyclePoint]
    cycle_grain: str
    honours: list[Any]
    narratives: dict[str, Narrative] = field(default_factory=dict)
    charts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def rows(self, sections: tuple[str, ...]) -> list[KpiRow]:
        return [r for r in self.kpis if r.section in sections]

    @property
    def background(self) -> list[KpiRow]:
        by_key = {r.key: r for r in self.kpis}
        return [by_key[k] for k in BACKGROUND_KEYS if k in by_key]

    @property
    def measures(self) -> list[KpiRow]:
        return self.rows(MEASURE_SECTIONS)

    @property
    def outcomes(self) -> list[KpiRow]:
        return self.rows(OUTCOME_SECTIONS)

    def kpi(self, key: str) -> KpiRow | None:
        return next((r for r in self.kpis if r.key == key), None)

    @property
    def no_data(self) -> bool:
        return not any(r.has_data for r in self.kpis)

    @property
    def sections(self) -> list[tuple[str, str]]:
        return [(s, str(SECTION_LABELS[s])) for s in SECTIONS]


# --- Reading ------------------------------------------------------------------------------------------------------


def _problems(compound: Any, period: Period) -> list[Problem]:
    """The categories residents raised most (voices other than praise, rejected and merged ones not counted)."""
    from gongzhi.voices.models import UNCOUNTED_STATUSES, Kind, Voice

    rows = (
        Voice.objects.filter(
            community_id=compound.community_id,
            compound=compound,
            submitted_at__gte=cutoff_of(period.start - datetime.timedelta(days=1)),
            submitted_at__lt=cutoff_of(period.last_day),
        )
        .exclude(status__in=UNCOUNTED_STATUSES)
        .exclude(kind=Kind.PRAISE)
        .order_by()
        .values("category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__name")[:TOP_PROBLEMS]
    )
    return [Problem(r["category__name"], r["n"]) for r in rows]


def _actions(user: Any, compound: Any, period: Period) -> list[ActionDone]:
    """The action items done in the period that the reader may see, newest first, with their after-photos."""
    from gongzhi.meetings.models import ActionPhoto, ActionStatus, PhotoStage
    from gongzhi.meetings.selectors import actions_visible

    items = list(
        actions_visible(user=user)
        .filter(
            community_id=compound.community_id,
            compound=compound,
            parent__isnull=True,
            status=ActionStatus.DONE,
            done_at__gte=cutoff_of(period.start - datetime.timedelta(days=1)),
            done_at__lt=cutoff_of(period.last_day),
        )
        .order_by("-done_at", "-pk")[:ACTIONS_SHOWN]
    )
    photos: dict[int, list[Any]] = {}
    for p in ActionPhoto.objects.filter(
        community_id=compound.community_id, action_item__in=[i.pk for i in items], stage=PhotoStage.AFTER
    ).order_by("-created_at", "-pk"):
        photos.setdefault(p.action_item_id, []).append(p)
    out = []
    for item in items:
        shown = photos.get(item.pk, [])[:PHOTOS_PER_ACTION]
        out.append(
            ActionDone(
                pk=item.pk,
                title=item.title,
                done_on=timezone.localtime(item.done_at).date() if item.done_at else None,
                photo_ids=[p.pk for p in shown],
                thumbs=[p.image.name for p in shown],
            )
        )
    return out


def _departments(compound: Any, period: Period) -> list[Department]:
    """The government departments and police stations the compound's voices were dispatched to in the period."""
    from gongzhi.accounts.roles import OrgKind
    from gongzhi.voices.models import VoiceAssignment

    rows = (
        VoiceAssignment.objects.filter(
            community_id=compound.community_id,
            voice__compound=compound,
            organization__kind__in=[OrgKind.DEPARTMENT, OrgKind.POLICE],
            assigned_at__gte=cutoff_of(period.start - datetime.timedelta(days=1)),
            assigned_at__lt=cutoff_of(period.last_day),
        )
        .order_by()
        .values("organization__name", "organization__kind")
        .annotate(
            voices=Count("voice", distinct=True),
            resolved=Count("voice", distinct=True, filter=Q(voice__resolved_at__isnull=False)),
        )
        .order_by("-voices", "organization__name")
    )
    return [
        Department(r["organization__name"], str(OrgKind(r["organization__kind"]).label), r["voices"], r["resolved"])
        for r in rows
    ]


def _activities(compound: Any, period: Period) -> list[ActivityGroup]:
    """The activities held in the period, by category."""
    from gongzhi.activities.models import Activity, ActivityCategory, ActivityStatus

    rows = (
        Activity.objects.filter(
            community_id=compound.community_id,
            compound=compound,
            status=ActivityStatus.HELD,
            starts_at__gte=cutoff_of(period.start - datetime.timedelta(days=1)),
            starts_at__lt=cutoff_of(period.last_day),
        )
        .order_by()
        .values("category")
        .annotate(n=Count("id"))
        .order_by("-n", "category")
    )
    labels = dict(ActivityCategory.choices)
    return [ActivityGroup(str(labels.get(r["category"], r["category"])), r["n"]) for r in rows]


def _cycle(compound: Any, period: Period) -> tuple[str, list[CyclePoint]]:
    """Satisfaction and the current-period collection rate per quarter over the last three years up to the
    period (per year when no quarter has bills of its own, as with yearly bills): one query."""
    last = min(period.last_day, today())
    first = datetime.date(last.year - CYCLE_YEARS + 1, 1, 1)
    grains = {g: periods_between(g, first, last) for g in (QUARTER, YEAR)}
    rows = KpiRollup.objects.filter(
        community_id=compound.community_id,
        compound_id=compound.pk,
        grain__in=[QUARTER, YEAR],
        start__gte=first,
        start__lte=last,
        key__in=[SATISFACTION, COLLECTION],
    ).values_list("grain", "start", "key", "numerator", "denominator", "has_data")
    found = {(g, s, k): Measure(n, d, h) for g, s, k, n, d, h in rows}
    quarterly = any(found.get((QUARTER, p.start, COLLECTION), Measure.none(ratio=True)).data for p in grains[QUARTER])
    grain = QUARTER if quarterly or not any(k[0] == YEAR for k in found) else YEAR
    points = []
    for p in grains[grain]:
        s = found.get((grain, p.start, SATISFACTION), Measure.none(ratio=True)).value
        c = found.get((grain, p.start, COLLECTION), Measure.none(ratio=True)).value
        points.append(CyclePoint(p.code, _plain(s), _plain(c), display(RATE, s), display(RATE, c)))
    return grain, points


def _charts(content: ReportContent) -> dict[str, dict[str, Any]]:
    """The chart specs of insights.md (rendered by charts.js on the page; the PDF draws the same data)."""
    before, after = content.before.code, content.period.code
    rates = [r for r in content.outcomes if r.unit == RATE]
    counts = [r for r in content.outcomes if r.unit == COUNT and r.section == "voices"]
    charts: dict[str, dict[str, Any]] = {}
    for name, rows, unit in (("report-rates", rates, RATE), ("report-voices", counts, COUNT)):
        charts[name] = {
            "type": "bar",
            "x": [r.label for r in rows],
            "unit": unit,
            "series": [
                {"name": before, "data": [r.before_value for r in rows]},
                {"name": after, "data": [r.after_value for r in rows]},
            ],
            "x_name": str(_("KPI")),
            "y_name": str(_("Rate") if unit == RATE else _("Voices")),
        }
    charts["report-cycle"] = {
        "type": "line",
        "x": [p.label for p in content.cycle],
        "unit": RATE,
        "series": [
            {"name": str(_("Satisfaction rate")), "data": [p.satisfaction for p in content.cycle]},
            {"name": str(_("Current-period collection rate")), "data": [p.collection for p in content.cycle]},
        ],
        "x_name": str(_("Period")),
        "y_name": str(_("Rate")),
    }
    return charts


def _narratives(content: ReportContent) -> dict[str, Narrative]:
    from .narrative import generated_text

    edited = {
        n.section: n
        for n in ReportNarrative.objects.filter(
            community_id=content.compound.community_id, compound=content.compound, period=content.period.code
        ).select_related("updated_by")
    }
    out = {}
    for section in SECTIONS:
        generated = generated_text(content, section)
        row = edited.get(section)
        out[section] = Narrative(
            section=section,
            label=str(SECTION_LABELS[section]),
            text=row.text if row is not None else generated,
            generated=generated,
            edited=row is not None,
            updated_by=row.updated_by.name if row is not None and row.updated_by is not None else "",
            updated_at=row.updated_at if row is not None else None,
        )
    return out


def report_content(*, user: Any, compound: Any, period: Period) -> ReportContent:
    """Everything the report of ``compound`` for ``period`` shows to ``user`` (who may read its KPIs: the
    caller checked, through ``compound_get``)."""
    report = kpis_from_rollups([compound], period)
    grain, cycle = _cycle(compound, period)
    content = ReportContent(
        compound=compound,
        period=period,
        before=report.year_before_period,
        as_of=report.as_of,
        kpis=[kpi_row(v) for v in report.values(compound.pk)],
        problems=_problems(compound, report.year_before_period),
        actions=_actions(user, compound, period),
        departments=_departments(compound, period),
        activities=_activities(compound, period),
        cycle=cycle,
        cycle_grain=grain,
        honours=list(
            Honour.objects.filter(
                community_id=compound.community_id, compound=compound, year__lte=period.last_day.year
            ).order_by("-year", "title")
        ),
    )
    content.charts = _charts(content)
    content.narratives = _narratives(content)
    return content
