"""Care of vacant homes: the owner's page (request care, the visit log, pause/resume/end), the staff's list of
due visits, a plan's page with the visit form, and the compound's task list."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.estates.models import Compound

from .. import selectors, services
from ..forms import CareRequestForm, TaskForm, VisitForm
from ..models import CarePlan, CareStatus, CareTask, CareVisitPhoto
from ..roles import CARE_EDITORS, CARE_STAFF
from ..rules import may_change_care, may_edit_care_tasks, may_record_visit
from .common import act, domain_errors, photo_response, post_view, run_service


def _request_form(user: Any, data: Any = None) -> CareRequestForm:
    houses = selectors.vacant_houses_owned(user)
    compounds = {h.compound_id for h in houses}
    for h in houses:
        services.care_tasks_ensure(h.compound)
    tasks = CareTask.objects.filter(compound_id__in=compounds, is_active=True).select_related("compound")
    return CareRequestForm(data, houses=houses, tasks=tasks)


def _index(request: HttpRequest, *, form: CareRequestForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    staff_compounds = list(selectors.staff_compounds(user, CARE_STAFF).order_by("name"))
    plans = selectors.care_plans_due(user, today=today) if staff_compounds else []
    request_form = form or _request_form(user)
    context = {
        "mine": selectors.care_plans_of_owner(user),
        "request_form": request_form if request_form.fields["house"].choices else None,  # type: ignore[attr-defined]
        "plans": plans,
        "due": selectors.due_count(plans, today),
        "today": today,
        "editable": [c for c in staff_compounds if may_edit_care_tasks(user, c)],
    }
    return render(request, "activities/care_index.html", context, status=status)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _index(request)


@post_view("care_request", per_minute=10)
def request_care(request: HttpRequest) -> HttpResponse:
    form = _request_form(request.user, request.POST)
    ok, plan = run_service(
        form,
        lambda d: services.care_request(
            actor=request.user,
            house=d["house"],
            schedule=d["schedule"],
            tasks=list(d["tasks"]),
            starts_on=d["starts_on"],
            note=d["note"],
        ),
    )
    if ok:
        messages.success(request, _("Your request is sent: the property company will look after the house."))
        return redirect("activities:care_plan", pk=plan.pk)
    return _index(request, form=form, status=400)


def _plan(user: Any, pk: int) -> CarePlan:
    plan = selectors.care_plan_for(user, pk)
    if plan is None:
        raise NotFound(_("No such care request."))
    return plan


def _plan_page(
    request: HttpRequest, plan: CarePlan, *, form: VisitForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    names = [t.name for t in plan.tasks.all()]
    recorder = may_record_visit(user, plan) and plan.status == CareStatus.ACTIVE
    context = {
        "plan": plan,
        "visits": selectors.visits_of(plan),
        "owner": may_change_care(user, plan),
        "recorder": recorder,
        "visit_form": form
        if form is not None
        else (VisitForm(initial={"visited_on": timezone.localdate()}, task_names=names) if recorder else None),
        "tasks": names,
    }
    return render(request, "activities/care_plan.html", context, status=status)


@login_required
@require_GET
@domain_errors
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, _plan(request.user, pk))


@post_view("care_status", per_minute=10)
def plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    found = _plan(request.user, pk)
    status = request.POST.get("status", "")
    done = {
        CareStatus.PAUSED: _("The care is paused."),
        CareStatus.ACTIVE: _("The care is resumed."),
        CareStatus.ENDED: _("The care has ended."),
    }
    return act(
        request,
        lambda: services.care_set_status(actor=request.user, plan=found, status=status),
        str(done.get(status, "")),  # type: ignore[call-overload]
        "activities:care_plan",
        pk=pk,
    )


@post_view("care_visit", per_minute=20)
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    found = _plan(request.user, pk)
    if not may_record_visit(request.user, found):
        raise NotAllowed(_("You may not record visits of this compound's homes."))
    names = [t.name for t in found.tasks.all()]
    form = VisitForm(request.POST, task_names=names)

    def record(d: dict[str, Any]) -> Any:
        items = [
            services.ItemInput(task_name=name, done=bool(d.get(f"done_{i}")), note=d.get(f"note_{i}", ""))
            for i, name in enumerate(names)
        ]
        return services.care_visit_record(
            actor=request.user,
            plan=found,
            visited_on=d["visited_on"],
            items=items,
            note=d["note"],
            problem=d["problem"],
            photos=request.FILES.getlist("photos"),
        )

    ok, row = run_service(form, record)
    if ok:
        if row.problem:
            messages.warning(
                request, _("The visit is recorded; the owner is told of the problem and a work order is open.")
            )
        else:
            messages.success(request, _("The visit is recorded; the owner is told."))
        return redirect("activities:care_plan", pk=pk)
    return _plan_page(request, found, form=form, status=400)


@login_required
@require_GET
@domain_errors
def visit_photo(request: HttpRequest, pk: int) -> HttpResponse:
    row = CareVisitPhoto.objects.filter(pk=pk).select_related("visit").first()
    if row is None or selectors.care_plan_for(request.user, row.visit.plan_id) is None:
        raise NotFound(_("No such photo."))
    return cast(HttpResponse, photo_response(request, row, f"care-{row.visit_id}-{row.pk}"))


def _editable_compound(user: Any, code: str) -> Compound:
    compound = selectors.staff_compounds(user, CARE_EDITORS).filter(code=code).first()
    if compound is None:
        if selectors.staff_compounds(user, CARE_STAFF).filter(code=code).exists():
            raise NotAllowed(_("You may not edit the care tasks of this compound."))
        raise NotFound(_("No such compound."))
    return compound


def _tasks_page(
    request: HttpRequest, compound: Compound, form: TaskForm | None = None, status: int = 200
) -> HttpResponse:
    tasks = services.care_tasks_ensure(compound)
    return render(
        request,
        "activities/care_tasks.html",
        {"compound": compound, "tasks": tasks, "form": form or TaskForm()},
        status=status,
    )


@login_required
@require_GET
@domain_errors
def tasks(request: HttpRequest, code: str) -> HttpResponse:
    return _tasks_page(request, _editable_compound(request.user, code))


@post_view("care_task_add", per_minute=30)
def task_add(request: HttpRequest, code: str) -> HttpResponse:
    compound = _editable_compound(request.user, code)
    form = TaskForm(request.POST)
    ok, _row = run_service(
        form, lambda d: services.care_task_add(actor=request.user, compound=compound, name=d["name"])
    )
    if ok:
        messages.success(request, _("The task is added."))
        return redirect("activities:care_tasks", code=code)
    return _tasks_page(request, compound, form, status=400)


@post_view("care_task_toggle", per_minute=30)
def task_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    row = CareTask.objects.select_related("compound").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such task."))
    compound = _editable_compound(request.user, row.compound.code)
    return act(
        request,
        lambda: services.care_task_set_active(actor=request.user, task=row, active=not row.is_active),
        _("The task list is saved."),
        "activities:care_tasks",
        code=compound.code,
    )
