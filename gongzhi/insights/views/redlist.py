"""The red list (红榜) of a sub-district, its weights, and the honours of an area's compounds.

- ``redlist`` (areas/<pk>/red-list/?period=): the ranking, the weights printed beside it, each component with
  its numerator/denominator, the unranked compounds with their reasons; ``?format=xlsx`` the same as a sheet.
  Anyone who measures a compound of the area opens it (``selectors.area_get``); being published, it names
  every compound of the sub-district, and links to the dashboards of those in the reader's scope. A community
  leads to its sub-district's list; a district lists its sub-districts.
- ``redlist_weights``: the weights form, for ``rules.may_set_weights``.
- ``honours``: the honours of the area's compounds by year; recording and removing them for
  ``rules.may_record_honour``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited
from gongzhi.estates.models import Area, AreaLevel, Compound
from gongzhi.estates.views.pages import domain_errors

from .. import selectors, services
from ..forms import HonourForm, WeightsForm
from ..models import Honour
from ..periods import Period, today
from ..present import display
from ..redlist import COMPONENTS, Component, Entry, RedList, redlist_compute, sub_district_compounds, weights_of
from ..registry import RATE
from ..rules import may_record_honour, may_set_weights
from ..xlsx import xlsx_response
from ._common import period_param


def _amount(x: Decimal | None) -> str:
    return f"¥{(x or Decimal(0)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def _count(x: Decimal | None) -> str:
    return f"{(x or Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_UP)}"


@dataclass(frozen=True)
class Cell:
    """One component of one compound as the page shows it."""

    value: str  # "85.0%" or "no data"
    fraction: str  # "17/20", "¥850.00/¥1,000.00"
    reason: str | None
    points: str  # what it adds to the score, "34.00"


def _cell(c: Component) -> Cell:
    m = c.measure
    if c.spec.minimum == "bills":
        fraction = f"{_amount(m.numerator)}/{_amount(m.denominator)}"
    else:
        fraction = f"{_count(m.numerator)}/{_count(m.denominator)}"
    points = "" if c.points is None else f"{c.points.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
    return Cell(display(RATE, c.value), fraction, c.reason, points)


@dataclass(frozen=True)
class Row:
    entry: Entry
    cells: list[Cell]
    link: str | None  # the compound's dashboard, for compounds in the reader's scope


def _compound_link(compound: Compound, period: Period) -> str | None:
    """The compound dashboard (insights:compound) with the same period, when that page is there."""
    try:
        url = reverse("insights:compound", args=[compound.code])
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode({'period': period.code})}"


def _rows(redlist: RedList, entries: list[Entry], scope: set[int]) -> list[Row]:
    return [
        Row(
            e,
            [_cell(c) for c in e.components],
            _compound_link(e.compound, redlist.period) if e.compound.pk in scope else None,
        )
        for e in entries
    ]


def _xlsx(redlist: RedList) -> HttpResponse:
    w = redlist.weights
    title = _("Red list · %(area)s · %(period)s (as of %(as_of)s) · weights: %(weights)s") % {
        "area": redlist.area.name,
        "period": redlist.period.code,
        "as_of": redlist.as_of.isoformat(),
        "weights": w.text(),
    }
    headers: list[Any] = [_("Rank"), _("Compound"), _("Community"), _("Score")]
    for spec, weight in w.parts:
        label = f"{spec.label} ({weight}%)"
        headers += [label, _("%(component)s numerator") % {"component": spec.label}]
        headers += [_("%(component)s denominator") % {"component": spec.label}]
    headers.append(_("Unranked because"))
    rows = []
    for e in redlist.entries:
        row: list[Any] = [e.rank, e.compound.name, e.compound.community.name, e.score]
        for c in e.components:
            row += [c.value, c.measure.numerator, c.measure.denominator]
        row.append("; ".join(f"{c.spec.label}: {c.reason}" for c in e.reasons))
        rows.append(row)
    return xlsx_response(
        filename=f"red-list-{redlist.area.pk}-{redlist.period.code}.xlsx", title=title, headers=headers, rows=rows
    )


def _sub_districts_of(user: Any, district: Area) -> list[Area]:
    measured = selectors.kpi_compounds(user=user).filter(community__parent__parent_id=district.pk)
    return list(
        Area.objects.filter(
            parent=district, level=AreaLevel.SUB_DISTRICT, pk__in=measured.values("community__parent_id")
        ).order_by("name")
    )


@login_required
@require_GET
@domain_errors
def redlist(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.area_get(user=request.user, pk=pk)
    if area.level == AreaLevel.COMMUNITY and area.parent_id is not None:
        url = reverse("insights:redlist", args=[area.parent_id])
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    if area.level != AreaLevel.SUB_DISTRICT:
        context = {"area": area, "sub_districts": _sub_districts_of(request.user, area), "period": request.GET}
        return render(request, "insights/redlist_pick.html", context)
    try:
        period = period_param(request)
    except DomainError as exc:
        context = {"area": area, "error": exc.message, "period_text": request.GET.get("period", "")[:40]}
        return render(request, "insights/redlist.html", context, status=400)
    result = redlist_compute(area=area, period=period)
    if request.GET.get("format") == "xlsx":
        return _xlsx(result)
    scope = set(
        selectors.kpi_compounds(user=request.user).filter(community__parent_id=area.pk).values_list("pk", flat=True)
    )
    context = {
        "area": area,
        "redlist": result,
        "weights": result.weights,
        "components": COMPONENTS,
        "ranked": _rows(result, result.ranked, scope),
        "unranked": _rows(result, result.unranked, scope),
        "period_text": period.code,
        "xlsx_query": urlencode({"period": period.code, "format": "xlsx"}),
        "may_set_weights": may_set_weights(request.user, area),
        "today": today(),
    }
    return render(request, "insights/redlist.html", context)


def _sub_district(user: Any, pk: int) -> Area:
    area = selectors.area_get(user=user, pk=pk)
    if area.level != AreaLevel.SUB_DISTRICT:
        raise NotFound(_("Red-list weights are set for a sub-district."))
    return area


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("redlist_weights")
def redlist_weights(request: HttpRequest, pk: int) -> HttpResponse:
    area = _sub_district(request.user, pk)
    if not may_set_weights(request.user, area):
        raise NotAllowed(_("Only the sub-district's or the district's supervisors may change the weights."))
    current = weights_of(area)
    if request.method == "POST":
        form = WeightsForm(request.POST)
        if form.is_valid():
            try:
                services.redlist_weights_set(actor=request.user, area=area, **form.cleaned_data)
            except NotAllowed:
                raise
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The red list's weights are saved."))
                return redirect("insights:redlist", pk=area.pk)
    else:
        form = WeightsForm(initial={name: current.of(name) for name in WeightsForm.base_fields})
    context = {"area": area, "form": form, "weights": current}
    return render(request, "insights/redlist_weights.html", context)


# --- Honours -------------------------------------------------------------------------------------------------------


def _area_compounds(area: Area) -> list[Compound]:
    """Every compound of a community, sub-district or district (honours are public, like the red list)."""
    if area.level == AreaLevel.SUB_DISTRICT:
        return sub_district_compounds(area)
    under = {AreaLevel.COMMUNITY: "community_id", AreaLevel.DISTRICT: "community__parent__parent_id"}[
        AreaLevel(area.level)
    ]
    return list(Compound.objects.filter(**{under: area.pk}).select_related("community").order_by("name", "pk"))


@dataclass(frozen=True)
class Year:
    year: int
    honours: list[Honour]


def _honours_page(request: HttpRequest, area: Area, *, form: HonourForm | None = None) -> HttpResponse:
    compounds = _area_compounds(area)
    recordable = [c for c in compounds if may_record_honour(request.user, c)]
    honours = list(
        Honour.objects.filter(compound__in=[c.pk for c in compounds])
        .select_related("compound", "compound__community")
        .order_by("-year", "compound__name", "title")
    )
    years: list[Year] = []
    for h in honours:
        if not years or years[-1].year != h.year:
            years.append(Year(h.year, []))
        years[-1].honours.append(h)
    removable = {c.pk for c in recordable}
    context = {
        "area": area,
        "years": years,
        "removable": removable,
        "form": (form or HonourForm(compounds=recordable)) if recordable else None,
    }
    return render(request, "insights/honours.html", context)


@login_required
@require_GET
@domain_errors
def honours(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.area_get(user=request.user, pk=pk)
    return _honours_page(request, area)


@login_required
@require_http_methods(["POST"])
@domain_errors
@posts_limited("honour_record")
def honour_record(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.area_get(user=request.user, pk=pk)
    recordable = [c for c in _area_compounds(area) if may_record_honour(request.user, c)]
    if not recordable:
        raise NotAllowed(_("Only the supervisors of this compound's sub-district or district record its honours."))
    form = HonourForm(request.POST, compounds=recordable)
    if form.is_valid():
        data = form.cleaned_data
        compound = next(c for c in recordable if c.pk == data["compound"])
        try:
            honour = services.honour_record(
                actor=request.user,
                compound=compound,
                year=data["year"],
                title=data["title"],
                awarded_by=data["awarded_by"],
                note=data["note"],
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("%(compound)s: “%(title)s” (%(year)s) is recorded.")
                % {"compound": compound.name, "title": honour.title, "year": honour.year},
            )
            return redirect("insights:honours", pk=area.pk)
    return _honours_page(request, area, form=form)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("honour_remove")
def honour_remove(request: HttpRequest, pk: int, honour_pk: int) -> HttpResponse:
    area = selectors.area_get(user=request.user, pk=pk)
    honour = (
        Honour.objects.filter(pk=honour_pk, compound__in=[c.pk for c in _area_compounds(area)])
        .select_related("compound", "compound__community")
        .first()
    )
    if honour is None:
        raise NotFound(_("No such honour."))
    if not may_record_honour(request.user, honour.compound):
        raise NotAllowed(_("Only the supervisors of this compound's sub-district or district record its honours."))
    if request.method == "POST":
        try:
            services.honour_remove(actor=request.user, honour=honour)
        except NotAllowed:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(compound)s: “%(title)s” (%(year)s) was removed.")
                % {"compound": honour.compound.name, "title": honour.title, "year": honour.year},
            )
        return redirect("insights:honours", pk=area.pk)
    return render(request, "insights/honour_remove.html", {"area": area, "honour": honour})


urlpatterns: list[URLPattern] = [
    path("areas/<int:pk>/red-list/", redlist, name="redlist"),
    path("areas/<int:pk>/red-list/weights/", redlist_weights, name="redlist_weights"),
    path("areas/<int:pk>/honours/", honours, name="honours"),
    path("areas/<int:pk>/honours/record/", honour_record, name="honour_record"),
    path("areas/<int:pk>/honours/<int:honour_pk>/remove/", honour_remove, name="honour_remove"),
]
