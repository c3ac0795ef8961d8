"""The community, sub-district and district dashboards: every compound of the area in the user's scope side by side.

``/insights/areas/`` picks an area (``?area=<pk>`` redirects to it); ``/insights/areas/<pk>/`` shows the table —
one row per compound, one column per registered KPI (so a KPI another app registers appears without a change
here), and the area's total row: the sums of the numerators and denominators of the compounds listed, never a
mean of rates (``KpiReport.values(None)``). Filters: ``?period=`` (default this year), ``?cohort=`` (delivery
year: "compounds delivered at the same time"), ``?q=`` (name or code), ``?sort=`` (``name``, ``community``,
``cohort`` or a KPI key, ``-`` first for descending), ``?kpi=`` (the KPI of the two charts: the compounds side by
side and the area's trend per month). ``?format=xlsx`` downloads the same table with the same filters.

Everything is read from the rollups (``kpis_from_rollups`` and one query on ``KpiRollup`` for the trend), so the
page costs the same number of queries for 3 compounds or 200. Bad input is refused consistently: a period,
cohort, KPI, sort or search that is not valid gives the page with the reason beside the field and no figures
(status 400). An unknown area, or one where the user measures nothing, is a 404; a user who may read no KPI at
all gets the 403 page. ``area_query`` is shared with the API (``GET /api/insights/areas/{pk}/kpis/``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.estates.models import Area, AreaLevel, Compound
from gongzhi.estates.views.pages import domain_errors

from ..engine import KpiReport, KpiValue
from ..models import KpiRollup
from ..periods import MONTH, Period, parse_period, today
from ..present import change_display, display
from ..registry import AMOUNT, RATE, KpiDefinition, Measure, definition, definitions
from ..rollups import kpis_from_rollups
from ..selectors import area_compounds, area_get, kpi_areas, kpi_compounds
from ..xlsx import xlsx_response

PER_PAGE = 50
MAX_SEARCH = 50
DEFAULT_KPI = "estates_occupancy_rate"
FIXED_SORTS = ("name", "community", "cohort")
TREND_MONTHS = 12
PERIOD_TOO_LONG = gettext_lazy("A period is at most %(limit_value)d characters: 2025, 2025Q1 or 2025-03.")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def months_back(day: datetime.date, n: int) -> datetime.date:
    """The first of the month ``n`` months before ``day``'s."""
    m = day.year * 12 + day.month - 1 - n
    return datetime.date(m // 12, m % 12 + 1, 1)


# --- Reading (shared with the API) ----------------------------------------------------------------------------


def require_kpi_reader(user: Any) -> None:
    """Whoever measures no compound at all (residents, outside organizations) may open no dashboard: 403."""
    if not (user.is_superuser or kpi_compounds(user=user).exists()):
        raise NotAllowed(_("You may not read the KPIs of any compound."))


def area_for(user: Any, pk: int) -> Area:
    """The area of a dashboard: 403 for a user who reads no KPI, 404 for an unknown area or one where the user
    measures nothing (an id beyond any database integer is simply unknown)."""
    require_kpi_reader(user)
    if not 1 <= pk < 2**63:
        raise NotFound(_("No such area."))
    return area_get(user=user, pk=pk)


def cohort_years(*, user: Any, area: Area) -> list[int]:
    """The delivery years of the area's compounds in scope, newest first (the cohort filter's choices)."""
    years = (
        area_compounds(user=user, area=area)
        .filter(delivered_on__isnull=False)
        .annotate(year=ExtractYear("delivered_on"))
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(set(years), reverse=True)


def area_query(*, user: Any, area: Area, cohort: int | None = None, search: str = "") -> list[Compound]:
    """The area's compounds in the user's scope, of one delivery year (``cohort``) and matching ``search`` (name or
    code), by name: one query."""
    qs = area_compounds(user=user, area=area).select_related("community")
    if cohort is not None:
        qs = qs.filter(delivered_on__year=cohort)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return list(qs)


def cohort_check(cohort: int | None, years: Sequence[int]) -> int | None:
    """A cohort the area has, or a DomainError naming the field."""
    if cohort is not None and cohort not in years:
        raise DomainError(
            _("No compound of this area in your scope was delivered in %(year)s.") % {"year": cohort},
            field="cohort",
            code="bad_cohort",
        )
    return cohort


def month_trend(
    compounds: Sequence[Compound], key: str, period: Period, *, now: datetime.date | None = None
) -> tuple[list[str], list[Decimal | None], list[Decimal | None]]:
    """The KPI ``key`` summed over ``compounds`` per month: the 12 months up to the period's last month (not past
    this month), and the same months a year before — one query on the monthly rollups. A month without rollups
    is None ("no data")."""
    day = now or today()
    last = min(period.last_day, day).replace(day=1)
    months = [months_back(last, i) for i in range(TREND_MONTHS - 1, -1, -1)]
    before = [months_back(m, 12) for m in months]
    ratio = definition(key).is_ratio
    sums: dict[datetime.date, Measure] = {}
    if compounds:
        rows = KpiRollup.objects.filter(
            community_id__in={c.community_id for c in compounds},
            compound_id__in=[c.pk for c in compounds],
            grain=MONTH,
            start__in=[*before, *months],
            key=key,
        ).values_list("start", "numerator", "denominator", "has_data")
        for start, n, d, has in rows:
            sums[start] = sums.get(start, Measure.none(ratio=ratio)) + Measure(n, d, has)

    def value(m: datetime.date) -> Decimal | None:
        found = sums.get(m)
        return None if found is None else found.value

    return [f"{m:%Y-%m}" for m in months], [value(m) for m in months], [value(m) for m in before]


# --- Presenting ------------------------------------------------------------------------------------------------


def chart_number(unit: str, value: Decimal | None) -> float | None:
    """A figure for a chart spec: rates as fractions, amounts in yuan, None for "no data"."""
    if value is None:
        return None
    return round(float(value), 6 if unit == RATE else 2)


def measure_text(m: Measure) -> str:
    """ "3 / 5" (a ratio's numerator and denominator) or "3" (a count's)."""
    n = f"{m.numerator.normalize():f}"
    return n if m.denominator is None else f"{n} / {m.denominator.normalize():f}"


def url_maker(name: str, *placeholders: str) -> Callable[..., str | None]:
    """``make(*args)`` → the URL of ``name`` for ``args``: reversed once with placeholders and filled in (a table
    of 200 compounds × 30 KPIs would otherwise reverse 6,000 times); None for every call when the URL does not
    exist (yet)."""
    try:
        pattern = reverse(name, args=placeholders)
    except NoReverseMatch:
        return lambda *args: None

    def make(*args: str) -> str | None:
        url = pattern
        for placeholder, arg in zip(placeholders, args, strict=True):
            url = url.replace(placeholder, str(arg), 1)
        return url

    return make


@dataclass(frozen=True)
class Cell:
    key: str
    display: str
    figures: str  # numerator / denominator
    detail: str  # the same and the year before (a tooltip)
    change: str
    no_data: bool
    url: str | None


def cell(v: KpiValue, url: str | None) -> Cell:
    d = v.definition
    detail = _("%(figures)s · a year before: %(before)s") % {
        "figures": measure_text(v.now),
        "before": display(d.unit, v.value_year_before),
    }
    return Cell(d.key, display(d.unit, v.value), measure_text(v.now), detail, change_display(v), v.value is None, url)


def sort_compounds(compounds: Sequence[Compound], report: KpiReport, sort: str) -> list[Compound]:
    """``compounds`` by ``sort``: name, community, cohort (delivery date) or a KPI's value — compounds without
    data last in either direction, ties by name."""
    desc = sort.startswith("-")
    field = sort.lstrip("-")
    by_name = sorted(compounds, key=lambda c: (c.name, c.pk))
    if field == "name":
        return by_name[::-1] if desc else by_name
    if field == "community":
        return sorted(by_name, key=lambda c: c.community.name, reverse=desc)
    if field == "cohort":
        dated = sorted(
            (c for c in by_name if c.delivered_on), key=lambda c: c.delivered_on or datetime.date.min, reverse=desc
        )
        return dated + [c for c in by_name if not c.delivered_on]

    def value_of(c: Compound) -> Decimal | None:
        return report.measures[c.pk][field][0].value

    with_data = [c for c in by_name if value_of(c) is not None]
    with_data.sort(key=lambda c: value_of(c), reverse=desc)  # type: ignore[arg-type,return-value]
    return with_data + [c for c in by_name if value_of(c) is None]


def kpi_choices() -> list[tuple[str, str]]:
    return [(d.key, str(d.label)) for d in definitions()]


def default_kpi() -> str:
    keys = [d.key for d in definitions()]
    return DEFAULT_KPI if DEFAULT_KPI in keys else keys[0]


# --- The filter form -------------------------------------------------------------------------------------------


class AreaFilterForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=10,
        required=False,
        help_text=gettext_lazy("A year (2025), a quarter (2025Q1) or a month (2025-03)."),
    )
    cohort = forms.TypedChoiceField(label=gettext_lazy("Delivered in"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=gettext_lazy("Name or code"), max_length=MAX_SEARCH, required=False)
    kpi = forms.ChoiceField(label=gettext_lazy("Chart"), required=False)
    sort = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, years: Sequence[int]) -> None:
        super().__init__(data)
        cohort = self.fields["cohort"]
        assert isinstance(cohort, forms.ChoiceField)
        cohort.choices = [("", _("All cohorts")), *((str(y), str(y)) for y in years)]
        self.fields["cohort"].error_messages["invalid_choice"] = _(
            "No compound of this area in your scope was delivered in that year."
        )
        kpi = self.fields["kpi"]
        assert isinstance(kpi, forms.ChoiceField)
        kpi.choices = kpi_choices()
        kpi.error_messages["invalid_choice"] = _("There is no such KPI.")
        self.fields["period"].error_messages["max_length"] = PERIOD_TOO_LONG
        self.fields["q"].error_messages["max_length"] = _("Search for at most %(limit_value)d characters.")

    def clean_period(self) -> Period:
        try:
            return parse_period(self.cleaned_data["period"] or str(today().year))
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_q(self) -> str:
        q: str = self.cleaned_data["q"]
        if _CONTROL.search(q):
            raise forms.ValidationError(_("The search may not contain control characters."))
        return q

    def clean_kpi(self) -> str:
        return self.cleaned_data["kpi"] or default_kpi()

    def clean_sort(self) -> str:
        sort: str = self.cleaned_data["sort"] or "name"
        if sort.lstrip("-") not in (*FIXED_SORTS, *(d.key for d in definitions())) or sort.startswith("--"):
            raise forms.ValidationError(_("The table cannot be sorted by that column."))
        return sort


def sort_headers(sort: str) -> list[dict[str, Any]]:
    """The table's column headers with the ``?sort=`` each one's link sets (the current column toggles; KPIs sort
    highest first on the first click) and its ``aria-sort``."""
    columns = [("name", _("Compound")), ("community", _("Community")), ("cohort", _("Delivered"))]
    columns += [(d.key, str(d.label)) for d in definitions()]
    out = []
    for key, label in columns:
        first = key if key in FIXED_SORTS else f"-{key}"
        current = sort.lstrip("-") == key
        target = (key if sort.startswith("-") else f"-{key}") if current else first
        aria = ("descending" if sort.startswith("-") else "ascending") if current else None
        out.append({"key": key, "label": label, "sort": target, "aria": aria})
    return out


def _query(request: HttpRequest, *, drop: Sequence[str] = ("page",)) -> str:
    query = request.GET.copy()
    for name in drop:
        query.pop(name, None)
    return query.urlencode()


# --- The pages -------------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def area_list(request: HttpRequest) -> HttpResponse:
    """The area picker: the districts, sub-districts and communities holding a compound the user measures;
    ``?area=<pk>`` goes to that area's dashboard (keeping ``?period=``)."""
    require_kpi_reader(request.user)
    areas = kpi_areas(user=request.user)
    chosen = request.GET.get("area", "").strip()
    if chosen:
        area = next((a for a in areas if str(a.pk) == chosen), None)
        if area is None:
            raise NotFound(_("No such area."))
        url = reverse("insights:area", args=[area.pk])
        period = request.GET.get("period", "").strip()
        return redirect(f"{url}?{_query(request, drop=('area',))}" if period else url)
    levels = [(label, [a for a in areas if a.level == level]) for level, label in AreaLevel.choices]
    return render(request, "insights/area_list.html", {"levels": [lv for lv in levels if lv[1]], "areas": areas})


@login_required
@require_GET
@domain_errors
def area_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    area = area_for(user, pk)
    years = cohort_years(user=user, area=area)
    form = AreaFilterForm(request.GET, years=years)
    context: dict[str, Any] = {
        "area": area,
        "form": form,
        "areas": kpi_areas(user=user),
        "query": _query(request),
        "sort_query": _query(request, drop=("page", "sort")),
    }
    if not form.is_valid():
        return render(request, "insights/area.html", context, status=400)
    period: Period = form.cleaned_data["period"]
    cohort: int | None = form.cleaned_data["cohort"]
    kpi = definition(form.cleaned_data["kpi"])
    sort: str = form.cleaned_data["sort"]
    compounds = area_query(user=user, area=area, cohort=cohort, search=form.cleaned_data["q"])
    report = kpis_from_rollups(compounds, period)
    ordered = sort_compounds(compounds, report, sort)
    if request.GET.get("format") == "xlsx":
        return area_xlsx(area, period, cohort, ordered, report)
    drill = url_maker("insights:drill", "zzcodezz", "zzkeyzz")
    dashboard = url_maker("insights:compound", "zzcodezz")
    suffix = f"?period={period.code}"
    drillable = {d.key for d in definitions() if d.drill is not None}

    def link(make: Callable[..., str | None], *args: str) -> str | None:
        url = make(*args)
        return f"{url}{suffix}" if url else None

    page = Paginator(ordered, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "compound": c,
            "url": link(dashboard, c.code),
            "cells": [
                cell(v, link(drill, c.code, v.definition.key) if v.definition.key in drillable else None)
                for v in report.values(c.pk)
            ],
        }
        for c in page.object_list
    ]
    total = [cell(v, None) for v in report.values(None)]
    months, trend, trend_before = month_trend(compounds, kpi.key, period)
    chosen = [report.measures[c.pk][kpi.key][0].value for c in ordered]
    context.update(
        {
            "period": period,
            "cohort": cohort,
            "kpi": kpi,
            "sort": sort,
            "headers": sort_headers(sort),
            "definitions": definitions(report.keys),
            "page": page,
            "rows": rows,
            "total": total,
            "count": len(compounds),
            "filtered": bool(cohort or form.cleaned_data["q"]),
            "compare_spec": {
                "type": "bar",
                "x": [c.name for c in ordered],
                "unit": kpi.unit,
                "series": [{"name": str(kpi.label), "data": [chart_number(kpi.unit, v) for v in chosen]}],
                "links": [[link(drill, c.code, kpi.key) if kpi.key in drillable else None for c in ordered]],
                "x_name": _("Compound"),
                "y_name": str(kpi.label),
            },
            "compare_rows": [(c, display(kpi.unit, v)) for c, v in zip(ordered, chosen, strict=True)],
            "trend_spec": {
                "type": "line",
                "x": months,
                "unit": kpi.unit,
                "series": [
                    {"name": area.name, "data": [chart_number(kpi.unit, v) for v in trend]},
                    {"name": _("a year before"), "data": [chart_number(kpi.unit, v) for v in trend_before]},
                ],
                "x_name": _("Month"),
                "y_name": str(kpi.label),
            },
            "trend_rows": [
                (m, display(kpi.unit, a), display(kpi.unit, b))
                for m, a, b in zip(months, trend, trend_before, strict=True)
            ],
        }
    )
    return render(request, "insights/area.html", context)


def xlsx_value(unit: str, value: Decimal | None) -> Any:
    """A typed cell: rates in per cent (one decimal), amounts to the fen, "no data" as text."""
    if value is None:
        return _("no data")
    if unit == RATE:
        return round(float(value) * 100, 1)
    return round(float(value), 2 if unit == AMOUNT else 1)


def xlsx_headers(defs: Sequence[KpiDefinition]) -> list[str]:
    out = []
    for d in defs:
        out.append(f"{d.label} (%)" if d.unit == RATE else str(d.label))
        if d.is_ratio:
            out += [_("%(kpi)s: numerator") % {"kpi": d.label}, _("%(kpi)s: denominator") % {"kpi": d.label}]
    return out


def xlsx_cells(values: Sequence[KpiValue]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        out.append(xlsx_value(v.definition.unit, v.value))
        if v.definition.is_ratio:
            out += [v.now.numerator, v.now.denominator]
    return out


def area_xlsx(
    area: Area, period: Period, cohort: int | None, ordered: Sequence[Compound], report: KpiReport
) -> HttpResponse:
    defs = definitions(report.keys)
    title = _("%(area)s: KPIs of its compounds, %(period)s") % {"area": area.name, "period": period.code}
    if cohort:
        title += " · " + _("delivered in %(year)s") % {"year": cohort}
    rows: list[list[Any]] = [
        [c.name, c.code, c.community.name, c.delivered_on, *xlsx_cells(report.values(c.pk))] for c in ordered
    ]
    rows.append([_("Total"), "", "", "", *xlsx_cells(report.values(None))])
    return xlsx_response(
        filename=f"kpis-{area.pk}-{period.code}.xlsx",
        title=title,
        headers=[_("Compound"), _("Code"), _("Community"), _("Delivery date"), *xlsx_headers(defs)],
        rows=rows,
    )


urlpatterns: list[URLPattern] = [
    path("areas/", area_list, name="areas"),
    path("areas/<int:pk>/", area_dashboard, name="area"),
]
