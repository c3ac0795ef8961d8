"""Generating a period's bills: choose the period → preview (counts, total, houses without a standard) → confirm
→ the background worker generates them (django-tasks, like the ledger import) → the run's page shows the outcome.

Only the compound's fee keepers reach these pages. Generating twice creates nothing new; the preview says how
many houses already have a bill for the period.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from gongzhi.estates.models import Compound

from .. import staff_selectors
from ..forms import PeriodForm
from ..services.billing import BillPlan
from ..services.generation import bills_generate_queue, bills_preview
from .common import compound_tabs, domain_errors, post_view, run_service

SAMPLE_BILLS = 20
MISSING_SHOWN = 50


def _preview_context(plan: BillPlan) -> dict[str, object]:
    sample = plan.new[:SAMPLE_BILLS]
    missing = plan.missing_standard[:MISSING_SHOWN]
    houses = staff_selectors.houses_labelled([b.house_id for b in sample] + missing)
    return {
        "plan": plan,
        "sample": [(houses[b.house_id], b) for b in sample],
        "missing": [houses[pk] for pk in missing],
        "missing_more": len(plan.missing_standard) - len(missing),
    }


def _page(request: HttpRequest, compound: Compound, form: PeriodForm, *, preview: bool) -> HttpResponse:
    context: dict[str, object] = {
        "compound": compound,
        **compound_tabs(request.user, compound),
        "form": form,
        "runs": staff_selectors.bill_runs_recent(user=request.user, compound=compound),
    }
    if preview and form.is_valid():
        plan = bills_preview(actor=request.user, compound=compound, period=form.cleaned_data["period"])
        context.update(_preview_context(plan))
    return render(request, "finance/billing.html", context)


@login_required
@require_GET
@domain_errors
def billing_page(request: HttpRequest, code: str) -> HttpResponse:
    compound = staff_selectors.keeper_compound(user=request.user, code=code)
    form = PeriodForm(request.GET or None)
    return _page(request, compound, form, preview=form.is_bound)


@post_view("bills_generate", per_minute=10)
def billing_confirm(request: HttpRequest, code: str) -> HttpResponse:
    compound = staff_selectors.keeper_compound(user=request.user, code=code)
    form = PeriodForm(request.POST)
    ok, run = run_service(
        form, lambda data: bills_generate_queue(actor=request.user, compound=compound, period=data["period"])
    )
    if ok:
        return redirect("finance:billing_run", code=compound.code, run=run)
    return _page(request, compound, form, preview=False)


@login_required
@require_GET
@domain_errors
def billing_run(request: HttpRequest, code: str, run: str) -> HttpResponse:
    compound = staff_selectors.keeper_compound(user=request.user, code=code)
    found = staff_selectors.bill_run_get(user=request.user, compound=compound, run=run)
    context = {"compound": compound, **compound_tabs(request.user, compound), "run": found}
    return render(request, "finance/billing_run.html", context)


@login_required
@require_GET
@domain_errors
def billing_progress(request: HttpRequest, code: str, run: str) -> HttpResponse:
    """Polled every second while the worker runs; when it is done, htmx loads the run's page."""
    compound = staff_selectors.keeper_compound(user=request.user, code=code)
    found = staff_selectors.bill_run_get(user=request.user, compound=compound, run=run)
    if found.finished:
        url = reverse("finance:billing_run", kwargs={"code": compound.code, "run": found.id})
        if not request.headers.get("HX-Request"):
            return redirect(url)
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return render(request, "finance/billing_progress.html", {"compound": compound, "run": found})
