"""The insights index and the compound dashboard.

The index sends the user to what fits: one compound in scope → its dashboard; several → a list of them (search,
pagination) and the area dashboards of the areas holding them; none → the 403 page. The dashboard shows, for
one compound and a period (default: this year to date), every registered KPI grouped by section — value,
numerator / denominator, the change on the year before — and charts month by month, all read from the rollups
(``kpis_from_rollups`` for the cards, two ``KpiRollup`` queries for the trends): a fixed number of queries
whatever the data. Every chart has its table beneath, and every table downloads as xlsx (``?format=xlsx&table=``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.estates.selectors import compound_get
from gongzhi.estates.views.pages import domain_errors

from ..engine import KpiValue
from ..models import Honour, KpiRollup
from ..periods import MONTH, YEAR, Period, period_of, today
from ..present import change_display, display
from ..registry import AMOUNT, COUNT, HOURS, RATE, KpiDefinition, Measure, definitions
from ..rollups import kpis_from_rollups
from ..rules import KPI_VIEWERS
from ..selectors import kpi_areas, kpi_compounds
from ..xlsx import xlsx_response
from ._common import period_param

COMPOUNDS_PER_PAGE = 20
TREND_MONTHS = 24  # the occupancy trend
CHART_MONTHS = 12  # the other monthly charts
FEE_YEARS = 6
SEARCH_MAX = 50

SECTION_LABELS: dict[str, Any] = {
    "estates": gettext_lazy("Compound and residents"),
    "voices": gettext_lazy("Residents' voices"),
    "fees": gettext_lazy("Property fees"),
    "meetings": gettext_lazy("Joint meetings and action items"),
    "activities": gettext_lazy("Activities"),
    "duty": gettext_lazy("Volunteer duty"),
    "mediation": gettext_lazy("Mediation"),
}
# the sections with a chart of their own below; every other section gets generic charts (per unit)
FIXED_SECTIONS = ("estates", "voices", "fees", "meetings")


def section_label(section: str) -> str:
    return str(SECTION_LABELS.get(section, section.replace("_", " ").capitalize()))


# --- Formatting -------------------------------------------------------------------------------------------------


def _plain(x: Decimal | None) -> str:
    """A numerator or denominator as text: 1,234.5 (no trailing zeros)."""
    if x is None:
        return ""
    q = x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{q:,f}"


def chart_number(unit: str, value: Decimal | None) -> float | None:
    """A value for a chart spec: rates as fractions, amounts in yuan, None for no data."""
    if value is None:
        return None
    places = {RATE: "0.0001", AMOUNT: "0.01", HOURS: "0.1", COUNT: "1"}.get(unit, "0.01")
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def sheet_number(unit: str, value: Decimal | None) -> float | None:
    """A value for a spreadsheet cell: rates in percent (header says so), None for no data."""
    if value is None:
        return None
    if unit == RATE:
        return float((value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return chart_number(unit, value)


def unit_suffix(unit: str) -> str:
    return {RATE: " (%)", AMOUNT: " (¥)", HOURS: " (h)"}.get(unit, "")


# --- The KPI cards ------------------------------------------------------------------------------------------------


@dataclass
class Card:
    value: KpiValue
    drill_url: str | None

    @property
    def definition(self) -> KpiDefinition:
        return self.value.definition

    @property
    def display(self) -> str:
        return display(self.definition.unit, self.value.value)

    @property
    def no_data(self) -> bool:
        return self.value.value is None

    @property
    def parts(self) -> str:
        """ "12 / 40" for a ratio, "" for a count or amount."""
        m = self.value.now
        if m.denominator is None:
            return ""
        return f"{_plain(m.numerator)} / {_plain(m.denominator)}"

    @property
    def year_before(self) -> str:
        return display(self.definition.unit, self.value.value_year_before)

    @property
    def change(self) -> str:
        return change_display(self.value)

    @property
    def trend(self) -> str:
        """ "up", "down" or "" — for the arrow beside the change."""
        c = self.value.change if self.value.change is not None else self.value.change_pp
        if c is None or c == 0:
            return ""
        return "up" if c > 0 else "down"


@dataclass
class Section:
    key: str
    label: str
    cards: list[Card] = field(default_factory=list)


def drill_url(code: str, key: str, period: str) -> str:
    return f"{reverse('insights:drill', args=[code, key])}?{urlencode({'period': period})}"


def kpi_sections(values: list[KpiValue], code: str, period: Period) -> list[Section]:
    sections: dict[str, Section] = {}
    for v in values:
        d = v.definition
        s = sections.setdefault(d.section, Section(d.section, section_label(d.section)))
        s.cards.append(Card(v, drill_url(code, d.key, period.code) if d.drill is not None else None))
    return list(sections.values())


# --- Charts ---------------------------------------------------------------------------------------------------------


@dataclass
class Chart:
    id: str
    title: str
    spec: dict[str, Any]
    unit: str

    @property
    def element_id(self) -> str:
        return f"chart-{self.id}"

    def table_headers(self) -> list[str]:
        return [self.spec["x_name"], *(f"{s['name']}{unit_suffix(self.unit)}" for s in self.spec["series"])]

    def table_rows(self) -> list[list[str]]:
        rows = []
        for i, x in enumerate(self.spec["x"]):
            cells = [str(x)]
            for s in self.spec["series"]:
                raw = s["values"][i]
                cells.append(display(self.unit, raw) if raw is not None else _("no data"))
            rows.append(cells)
        return rows

    def sheet_rows(self) -> list[list[Any]]:
        return [
            [x, *(sheet_number(self.unit, s["values"][i]) for s in self.spec["series"])]
            for i, x in enumerate(self.spec["x"])
        ]

    @property
    def json_spec(self) -> dict[str, Any]:
        """The spec for charts.js (without the Decimal values kept for the table)."""
        series = [{"name": s["name"], "data": s["data"]} for s in self.spec["series"]]
        return {**{k: v for k, v in self.spec.items() if k != "series"}, "series": series}


def _months(last: Period, n: int) -> list[Period]:
    out = [last]
    while len(out) < n:
        out.insert(0, period_of(MONTH, out[0].start - datetime.timedelta(days=1)))
    return out


def _chart(
    chart_id: str,
    title: str,
    kind: str,
    unit: str,
    periods: list[Period],
    keys: list[KpiDefinition],
    found: dict[tuple[datetime.date, str], Measure],
    code: str,
    x_name: str,
) -> Chart:
    series = []
    links = []
    for d in keys:
        values = [found[(p.start, d.key)].value if (p.start, d.key) in found else None for p in periods]
        series.append({"name": str(d.label), "values": values, "data": [chart_number(unit, v) for v in values]})
        links.append([drill_url(code, d.key, p.code) if d.drill is not None else None for p in periods])
    spec = {
        "type": kind,
        "x": [p.code for p in periods],
        "unit": unit,
        "series": series,
        "links": links,
        "x_name": x_name,
        "y_name": "",
    }
    return Chart(chart_id, title, spec, unit)


def _trend_rows(
    compound: Any, grain: str, first: datetime.date, last: datetime.date
) -> dict[tuple[datetime.date, str], Measure]:
    rows = KpiRollup.objects.filter(
        community_id=compound.community_id, compound_id=compound.pk, grain=grain, start__gte=first, start__lte=last
    ).values_list("start", "key", "numerator", "denominator", "has_data")
    return {(start, key): Measure(n, d, has) for start, key, n, d, has in rows}


def dashboard_charts(compound: Any, period: Period) -> list[Chart]:
    """Every chart of the dashboard, from two rollup queries (months, years)."""
    last_day = min(period.last_day, today())
    last_month = period_of(MONTH, max(last_day, period.start))
    months24 = _months(last_month, TREND_MONTHS)
    months12 = months24[-CHART_MONTHS:]
    monthly = _trend_rows(compound, MONTH, months24[0].start, last_month.start)
    years = [period_of(YEAR, datetime.date(period.start.year - i, 1, 1)) for i in range(FEE_YEARS - 1, -1, -1)]
    yearly = _trend_rows(compound, YEAR, years[0].start, years[-1].start)
    by_key = {d.key: d for d in definitions()}
    code = compound.code
    month = _("Month")

    def pick(*keys: str) -> list[KpiDefinition]:
        return [by_key[k] for k in keys if k in by_key]

    kinds = [d for d in definitions() if d.section == "voices" and d.unit == COUNT]
    rates = pick("voices_response_rate", "voices_resolution_rate", "voices_satisfaction_rate")
    year = _("Year")
    # (id, title, type, unit, periods, KPIs, rollups, x axis name)
    fixed: list[tuple[str, str, str, str, list[Period], list[KpiDefinition], Any, str]] = [
        ("occupancy", _("Occupancy rate, month by month"), "line", RATE, months24,
         pick("estates_occupancy_rate"), monthly, month),
        ("voices", _("Voices by kind per month"), "stacked", COUNT, months12, kinds, monthly, month),
        ("rates", _("Response, resolution and satisfaction rates per month"), "line", RATE, months12, rates,
         monthly, month),
        ("collection", _("Collection rate of the year's bills"), "bar", RATE, years, pick("fees_collection_rate"),
         yearly, year),
        ("arrears", _("Arrears at the end of each year"), "bar", AMOUNT, years, pick("fees_arrears"), yearly, year),
        ("joint", _("Joint meetings held and action items done per month"), "bar", COUNT, months12,
         pick("meetings_joint_held", "meetings_actions_done"), monthly, month),
    ]  # fmt: skip
    charts = [
        _chart(chart_id, title, kind, unit, periods, keys, found, code, x_name)
        for chart_id, title, kind, unit, periods, keys, found, x_name in fixed
        if keys
    ]
    # every other section (activities, duty, mediation, whatever registers later): one chart per unit
    others: dict[tuple[str, str], list[KpiDefinition]] = {}
    for d in definitions():
        if d.section not in FIXED_SECTIONS:
            others.setdefault((d.section, d.unit), []).append(d)
    for (section, unit), keys in others.items():
        kind = "line" if unit == RATE else "bar"
        title = _("%(section)s per month") % {"section": section_label(section)}
        charts.append(_chart(f"{section}-{unit}", title, kind, unit, months12, keys, monthly, code, month))
    return charts


# --- Period picker ---------------------------------------------------------------------------------------------------


def period_choices(period: Period) -> dict[str, list[tuple[str, str]]]:
    """Quick picks: the last three years, the quarters and the months of the shown period's year."""
    year = period.start.year
    this_year = today().year
    return {
        "years": [(str(y), str(y)) for y in range(this_year, this_year - 4, -1)],
        "quarters": [(f"{year}Q{q}", f"{year}Q{q}") for q in range(1, 5)],
        "months": [(f"{year}-{m:02d}", f"{m}") for m in range(1, 13)],
    }


# --- Views ------------------------------------------------------------------------------------------------------------


def area_links(user: Any) -> list[tuple[Any, str]]:
    """The areas holding compounds the user measures, each with its dashboard's address (none until that page
    exists)."""
    out = []
    for area in kpi_areas(user=user):
        try:
            out.append((area, reverse("insights:area", args=[area.pk])))
        except NoReverseMatch:
            return []
    return out


@login_required
@require_GET
@domain_errors
def index(request: HttpRequest) -> HttpResponse:
    """One compound → its dashboard; several → the list; none → 403."""
    compounds = kpi_compounds(user=request.user)
    first_two = list(compounds.values_list("code", flat=True)[:2])
    if not first_two:
        raise NotAllowed(_("You do not measure any compound."))
    if len(first_two) == 1:
        return redirect("insights:compound", code=first_two[0])
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    shown = compounds.filter(Q(name__icontains=q) | Q(code__icontains=q)) if q else compounds
    page = Paginator(shown.order_by("name", "pk"), COMPOUNDS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "query": urlencode({"q": q}) if q else "",
        "areas": area_links(request.user),
    }
    return render(request, "insights/index.html", context)


def bad_input(request: HttpRequest, exc: DomainError, compound: Any = None) -> HttpResponse:
    return render(request, "insights/compound_error.html", {"message": exc.message, "compound": compound}, status=400)


@login_required
@require_GET
@domain_errors
def compound_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    compound = compound_get(user=request.user, code=code, roles=KPI_VIEWERS)
    try:
        period = period_param(request)
    except DomainError as exc:
        return bad_input(request, exc, compound)
    report = kpis_from_rollups([compound], period)
    values = report.values(compound.pk)
    charts = dashboard_charts(compound, period)
    if request.GET.get("format") == "xlsx":
        return dashboard_xlsx(request, compound, period, values, charts)
    context = {
        "compound": compound,
        "period": period,
        "as_of": report.as_of,
        "year_before": report.year_before_period,
        "sections": kpi_sections(values, compound.code, period),
        "charts": charts,
        "honours": list(Honour.objects.filter(compound=compound).order_by("-year", "title")),
        "choices": period_choices(period),
        "period_query": urlencode({"period": period.code}),
    }
    return render(request, "insights/compound.html", context)


def dashboard_xlsx(
    request: HttpRequest, compound: Any, period: Period, values: list[KpiValue], charts: list[Chart]
) -> HttpResponse:
    table = request.GET.get("table", "kpis")
    if table == "kpis":
        headers = [
            _("Section"), _("KPI"), _("Value"), _("numerator"), _("denominator"), _("year before"),
            _("Change (relative, %)"), _("Change (pp)"),
        ]  # fmt: skip
        rows = []
        for v in values:
            d = v.definition
            rows.append(
                [
                    section_label(d.section),
                    str(d.label),
                    sheet_number(d.unit, v.value) if v.value is not None else _("no data"),
                    v.now.numerator if v.value is not None else None,
                    v.now.denominator,
                    sheet_number(d.unit, v.value_year_before) if v.value_year_before is not None else _("no data"),
                    sheet_number(RATE, v.change),
                    None if v.change_pp is None else float(v.change_pp.quantize(Decimal("0.1"))),
                ]
            )
        title = _("%(compound)s: KPIs %(period)s") % {"compound": compound.name, "period": period.code}
        return xlsx_response(
            filename=f"{compound.code}-kpis-{period.code}.xlsx", title=title, headers=headers, rows=rows
        )
    chart = next((c for c in charts if c.id == table), None)
    if chart is None:
        raise Http404(_("No such table."))
    title = f"{compound.name}: {chart.title}"
    return xlsx_response(
        filename=f"{compound.code}-{chart.id}-{period.code}.xlsx",
        title=title,
        headers=chart.table_headers(),
        rows=chart.sheet_rows(),
    )


urlpatterns: list[URLPattern] = [
    path("", index, name="index"),
    path("compounds/<slug:code>/", compound_dashboard, name="compound"),
]
