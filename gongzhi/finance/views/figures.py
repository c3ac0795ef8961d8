"""Collection figures (KPIS.md, property fees) and the fees index.

当期收缴率, 旧欠, 旧欠回收额 and 旧欠清缴率 of a billing period, by compound (every compound the user reads), and
within one compound by phase or building, each with its numerator and denominator and the change on the same
period a year before (percentage points and relative change), as on the estates overview. The figures come
from ``insights.kpis.fee_figures`` through ``selectors.collection_figures``: a fixed number of queries however
many compounds, bills or payments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import NotAllowed
from gongzhi.estates.models import Building, Phase
from gongzhi.insights.kpis import AmountRatio, FeeComparison

from .. import selectors, staff_selectors
from ..forms import FiguresForm
from ..periods import Period
from .common import compound_tabs, domain_errors

COMPOUNDS_PER_PAGE = 20
GROUPINGS = ("building", "phase")


@dataclass(frozen=True)
class Delta:
    """A change for display: ``sign`` "+", "−" or "", ``size`` the absolute value."""

    value: Decimal

    @property
    def sign(self) -> str:
        return "+" if self.value > 0 else "−" if self.value < 0 else ""

    @property
    def size(self) -> Decimal:
        return abs(self.value)


def _delta(value: Decimal | None) -> Delta | None:
    return None if value is None else Delta(value)


@dataclass(frozen=True)
class RateView:
    now: AmountRatio
    before: AmountRatio
    pp: Delta | None  # percentage points
    rel: Delta | None  # relative change of the rate (0.05 = +5%)


@dataclass(frozen=True)
class AmountView:
    now: Decimal
    before: Decimal
    rel: Delta | None


@dataclass(frozen=True)
class FiguresView:
    collection: RateView
    arrears: AmountView
    recovered: AmountView
    recovery: RateView


def figures_view(c: FeeComparison) -> FiguresView:
    now, before = c.now, c.year_before
    return FiguresView(
        collection=RateView(
            now.collection, before.collection, _delta(c.collection_change_pp), _delta(c.collection_change)
        ),
        arrears=AmountView(now.arrears, before.arrears, _delta(c.arrears_change)),
        recovered=AmountView(now.recovered, before.recovered, _delta(c.recovered_change)),
        recovery=RateView(now.recovery, before.recovery, _delta(c.recovery_change_pp), _delta(c.recovery_change)),
    )


@dataclass(frozen=True)
class Window:
    """The period shown, the last day counted (inclusive) and the same a year before."""

    period: Period
    last_day: datetime.date

    @property
    def until(self) -> datetime.date:
        """KPIS.md's d: counted before this day."""
        return self.last_day + datetime.timedelta(days=1)

    @property
    def year_before(self) -> Period:
        return self.period.year_before()

    @property
    def last_day_year_before(self) -> datetime.date:
        try:
            return self.last_day.replace(year=self.last_day.year - 1)
        except ValueError:
            return self.last_day.replace(year=self.last_day.year - 1, day=28)


def _window(form: FiguresForm) -> Window:
    period = form.chosen_period()
    return Window(period=period, last_day=form.last_day(period))


def _query(request: HttpRequest, *drop: str) -> str:
    params = request.GET.copy()
    for name in ("page", *drop):
        params.pop(name, None)
    return urlencode({k: v for k, v in params.items() if v})


# --- The fees index -------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def fees_index(request: HttpRequest) -> HttpResponse:
    """Every compound whose fees the user keeps or whose figures the user reads, with its fee pages."""
    compounds = staff_selectors.index_compounds(user=request.user)
    if not request.user.is_superuser and not compounds.exists():
        raise NotAllowed(_("You do not keep or read any compound's property fees."))
    page = Paginator(compounds, COMPOUNDS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": staff_selectors.fee_index_rows(user=request.user, compounds=page.object_list),
    }
    return render(request, "finance/figures_index.html", context)


# --- Figures --------------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def figures_page(request: HttpRequest) -> HttpResponse:
    """The figures of every compound the user reads (a page of them), and their total."""
    compounds = staff_selectors.index_compounds(user=request.user)
    if not request.user.is_superuser and not compounds.exists():
        raise NotAllowed(_("You do not read any compound's collection figures."))
    form = FiguresForm(request.GET or None)
    window = _window(form)
    page = Paginator(compounds, COMPOUNDS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    by_compound = selectors.collection_figures(
        user=request.user, compounds=shown, period=window.period, at=window.until, by="compound"
    ).groups
    everything = selectors.collection_figures(
        user=request.user, compounds=list(compounds), period=window.period, at=window.until, by=None
    ).groups
    total = everything.get(None)
    context = {
        "form": form,
        "window": window,
        "page": page,
        "query": _query(request),
        "rows": [(c, figures_view(by_compound[c.pk]) if c.pk in by_compound else None) for c in shown],
        "total": figures_view(total) if total is not None else None,
    }
    return render(request, "finance/figures.html", context)


def _group_rows(by: str, groups: dict[Any, FeeComparison]) -> list[tuple[str, FiguresView]]:
    """The groups' names in the estate's order (buildings by their sort key), houses without a phase last."""
    ids = [k for k in groups if k is not None]
    qs: Any = (
        Phase.objects.filter(pk__in=ids).order_by("name")
        if by == "phase"
        else Building.objects.filter(pk__in=ids).order_by("sort_key", "name")
    )
    rows = [(name, figures_view(groups[pk])) for pk, name in qs.values_list("pk", "name")]
    if None in groups:
        rows.append((_("No phase") if by == "phase" else _("No building"), figures_view(groups[None])))
    return rows


@login_required
@require_GET
@domain_errors
def figures_compound(request: HttpRequest, code: str) -> HttpResponse:
    """One compound: its figures, and the same by building or phase."""
    compound = staff_selectors.figures_compound(user=request.user, code=code)
    form = FiguresForm(request.GET or None)
    window = _window(form)
    wanted = request.GET.get("by", "")
    by = wanted if wanted in GROUPINGS else GROUPINGS[0]
    whole = selectors.collection_figures(
        user=request.user, compounds=[compound], period=window.period, at=window.until, by=None
    ).groups[None]
    groups = selectors.collection_figures(
        user=request.user, compounds=[compound], period=window.period, at=window.until, by=by
    ).groups
    rows = _group_rows(by, groups)
    context = {
        "compound": compound,
        **compound_tabs(request.user, compound),
        "form": form,
        "window": window,
        "by": by,
        "query": _query(request, "by"),
        "whole": figures_view(whole),
        "rows": rows,
    }
    return render(request, "finance/figures_compound.html", context)
