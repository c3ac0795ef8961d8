"""Cases: the list (names and phones masked), opening (also from a voice), the case page and its actions, the
evidence and the agreement PDF (served only to those who may see the case, each view logged), the access log
and the figures for the secretary."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.estates.models import Compound
from gongzhi.voices import selectors as voice_selectors

from .. import selectors, services
from ..figures import mediation_figures
from ..forms import (
    PARTY_ROWS,
    CaseForm,
    CloseForm,
    FilterForm,
    FollowUpForm,
    PartyForm,
    PeriodForm,
    PolicyForm,
    ScheduleForm,
)
from ..models import AgreementStatus, Capacity, CaseStatus, EvidenceKind, FollowUpStatus, SessionStatus
from ..pdf import agreement_data, agreement_pdf_bytes
from ..rules import may_manage_case, may_open_case, may_view_access_log
from ..uploads import PDF
from .common import act, domain_errors, post_view, visible_case

# --- The list ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def case_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    valid = form.is_valid()
    status = form.cleaned_data.get("status", "") if valid else ""
    q = form.cleaned_data.get("q", "").strip() if valid else ""
    user = request.user
    page, rows = selectors.case_rows(user=user, status=status, q=q, page=request.GET.get("page"))
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "query": urlencode({k: v for k, v in (("status", status), ("q", q)) if v}),
        "may_open": selectors.opener_compounds(user=user).exists(),
        "oversees": selectors.overseen_compounds(user=user).exists(),
    }
    return render(request, "mediation/list.html", context)


# --- Opening -------------------------------------------------------------------------------------------------------


def _parties(data: dict[str, Any]) -> list[services.PartyInput]:
    rows = []
    for n in range(1, PARTY_ROWS + 1):
        kind = data.get(f"party{n}_kind") or ""
        if kind:
            rows.append(
                services.PartyInput(
                    kind=kind,
                    house=data.get(f"party{n}_house") or "",
                    name=data.get(f"party{n}_name") or "",
                    phone=data.get(f"party{n}_phone") or "",
                )
            )
    return rows


def _form_error(form: CaseForm, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def case_new(request: HttpRequest) -> HttpResponse:
    compounds = selectors.opener_compounds(user=request.user)
    if not compounds.exists():
        raise NotAllowed(_("You may not open mediation cases."))
    form = CaseForm(request.POST or None, compounds=compounds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=request.user,
                compound=data["compound"],
                case_type=data["case_type"],
                title=data["title"],
                description=data["description"],
                place=data["place"],
                parties=_parties(data),
            )
        except (NotAllowed, NotFound):
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The case is opened."))
            return redirect("mediation:detail", case.pk)
    if request.method == "POST":
        messages.error(request, _("Please correct the form below."))
    return render(request, "mediation/new.html", {"form": form, "voice": None})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def case_from_voice(request: HttpRequest, voice: int) -> HttpResponse:
    found = voice_selectors.voice_get(user=request.user, pk=voice)
    if not may_open_case(request.user, found.compound):
        raise NotAllowed(_("You may not open mediation cases in this compound."))
    initial = {"title": found.text[:40], "description": found.text, "place": found.address_text}
    form = CaseForm(request.POST or None, with_compound=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_from_voice(
                actor=request.user,
                voice_id=found.pk,
                case_type=data["case_type"],
                title=data["title"],
                description=data["description"],
                place=data["place"],
                parties=_parties(data),
            )
        except (NotAllowed, NotFound):
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The voice is now a mediation case; its submitter is told."))
            return redirect("mediation:detail", case.pk)
    if request.method == "POST":
        messages.error(request, _("Please correct the form below."))
    return render(request, "mediation/new.html", {"form": form, "voice": found})


# --- The case page -------------------------------------------------------------------------------------------------


def _local_input(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


@login_required
@require_GET
@domain_errors
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, log_view=True)
    manages = may_manage_case(request.user, case)
    agreements = selectors.case_agreements(case)
    current = agreements[0] if agreements else None
    follow_ups = selectors.case_follow_ups(case)
    next_follow_up = next((f for f in follow_ups if f.status == FollowUpStatus.DUE), None)
    last_done = [f for f in follow_ups if f.status == FollowUpStatus.DONE]
    context = {
        "case": case,
        "manages": manages,
        "parties": selectors.case_parties(case),
        "mediators": selectors.case_mediators(case),
        "sessions": selectors.case_sessions(case),
        "evidence": selectors.case_evidence(case),
        "agreements": agreements,
        "current": current,
        "follow_ups": follow_ups,
        "next_follow_up": next_follow_up,
        "may_reopen": manages and case.status == CaseStatus.CLOSED and bool(last_done) and last_done[-1].kept is False,
        "timeline": selectors.case_timeline(case) if manages else [],
        "capacities": Capacity.choices,
        "choices": selectors.mediator_choices(case.compound) if manages else [],
        "party_form": PartyForm(),
        "schedule_form": ScheduleForm(initial={"starts_at": _local_input(timezone.now() + datetime.timedelta(days=1))}),
        "close_form": CloseForm(),
        "follow_up_form": FollowUpForm(initial={"visited_on": timezone.localdate()}),
        "may_log": may_view_access_log(request.user, case),
        "is_open": case.status != CaseStatus.CLOSED,
        "SCHEDULED": SessionStatus.SCHEDULED,
        "DRAFT": AgreementStatus.DRAFT,
    }
    return render(request, "mediation/detail.html", context)


def _to(pk: int) -> tuple[str, int]:
    return ("mediation:detail", pk)


@post_view("party")
def party_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    form = PartyForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"kind": request.POST.get("kind", "")}
    party = services.PartyInput(
        kind=data.get("kind", ""), house=data.get("house", ""), name=data.get("name", ""), phone=data.get("phone", "")
    )
    return act(
        request,
        lambda: services.party_add(actor=request.user, case=case, party=party),
        _("The party is added."),
        *_to(case.pk),
    )


@post_view("mediator")
def mediator_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    value = request.POST.get("mediator", "")
    capacity, _sep, user_id = value.partition(":")
    return act(
        request,
        lambda: services.mediator_assign(actor=request.user, case=case, user_id=user_id, capacity=capacity),
        _("The mediator is assigned."),
        *_to(case.pk),
    )


@post_view("mediator")
def mediator_remove(request: HttpRequest, pk: int, mediator: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    return act(
        request,
        lambda: services.mediator_remove(actor=request.user, case=case, mediator_id=mediator),
        _("The mediator is taken off the case."),
        *_to(case.pk),
    )


@post_view("evidence", per_minute=20)
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    upload = request.FILES.get("file")
    note = request.POST.get("note", "")
    return act(
        request,
        lambda: services.evidence_add(actor=request.user, case=case, upload=upload, note=note),
        _("The evidence is added."),
        *_to(case.pk),
    )


@login_required
@require_GET
@domain_errors  # type: ignore[arg-type]
def evidence_file(request: HttpRequest, pk: int, evidence: int, size: str = "") -> HttpResponseBase:
    case = visible_case(request, pk, what="evidence", log_view=True)
    row = selectors.evidence_get(case=case, pk=evidence)
    if row is None:
        raise Http404(_("No such evidence."))
    name = row.file.name
    if size == "thumb" and row.kind == EvidenceKind.PHOTO:
        from gongzhi.voices.photos import thumb_name

        name = thumb_name(name)
    storage = row.file.storage if row.file else default_storage
    if not storage.exists(name):
        raise Http404(_("No such evidence."))
    response = FileResponse(
        storage.open(name, "rb"),
        content_type=row.content_type,
        as_attachment=row.content_type == PDF,
        filename=row.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _parse_datetime(value: str) -> datetime.datetime | None:
    form = ScheduleForm({"starts_at": value, "place": "x"})
    if not form.is_valid():
        return None
    return form.cleaned_data["starts_at"]


@post_view("session")
def session_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    raw = request.POST.get("starts_at", "")
    starts_at = _parse_datetime(raw)

    def call() -> Any:
        if raw and starts_at is None:
            raise DomainError(_("Enter a valid date and time."), field="starts_at")
        return services.session_schedule(
            actor=request.user,
            case=case,
            starts_at=starts_at,
            place=request.POST.get("place", ""),
            invited=request.POST.getlist("invited"),
        )

    return act(request, call, _("The session is scheduled; the parties are told."), *_to(case.pk))


@post_view("session")
def session_record(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    return act(
        request,
        lambda: services.session_record(
            actor=request.user,
            case=case,
            session_id=session,
            present=request.POST.getlist("present"),
            notes=request.POST.get("notes", ""),
        ),
        _("The session is recorded."),
        *_to(case.pk),
    )


@post_view("session")
def session_cancel(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    return act(
        request,
        lambda: services.session_cancel(
            actor=request.user, case=case, session_id=session, reason=request.POST.get("reason", "")
        ),
        _("The session is cancelled."),
        *_to(case.pk),
    )


@post_view("agreement")
def agreement_record(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    return act(
        request,
        lambda: services.agreement_record(
            actor=request.user, case=case, terms=request.POST.get("terms", ""), reason=request.POST.get("reason", "")
        ),
        _("The agreement is recorded."),
        *_to(case.pk),
    )


@post_view("agreement")
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    form = FollowUpForm({"visited_on": request.POST.get("signed_on", "")})
    signed_on = form.cleaned_data.get("visited_on") if form.is_valid() else None
    return act(
        request,
        lambda: services.agreement_sign(actor=request.user, case=case, signed_on=signed_on),
        _("The agreement is recorded as signed."),
        *_to(case.pk),
    )


@login_required
@require_GET
@domain_errors
def agreement_pdf(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    case = visible_case(request, pk, what="agreement", log_view=True)
    agreement = next((a for a in selectors.case_agreements(case) if a.version == version), None)
    if agreement is None:
        raise Http404(_("No such agreement."))
    data = agreement_data(case, agreement, selectors.case_parties(case), selectors.case_mediators(case))
    response = HttpResponse(agreement_pdf_bytes(data), content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="agreement-{case.pk}-v{agreement.version}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@post_view("close")
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    form = CloseForm(request.POST)
    form.is_valid()
    data = form.cleaned_data

    def call() -> Any:
        if "referred_on" in form.errors:
            raise DomainError(_("Enter a valid date."), field="referred_on")
        return services.case_close(
            actor=request.user,
            case=case,
            outcome=data.get("outcome", ""),
            note=data.get("note", ""),
            referred_to=data.get("referred_to", ""),
            referred_where=data.get("referred_where", ""),
            referred_on=data.get("referred_on"),
        )

    return act(request, call, _("The case is closed."), *_to(case.pk))


@post_view("follow_up")
def follow_up_record(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    form = FollowUpForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    kept = {"yes": True, "no": False}.get(data.get("kept", ""))

    def call() -> Any:
        if "visited_on" in form.errors:
            raise DomainError(_("Enter a valid date."), field="visited_on")
        return services.follow_up_record(
            actor=request.user, case=case, kept=kept, visited_on=data.get("visited_on"), note=data.get("note", "")
        )

    return act(request, call, _("The follow-up visit is recorded."), *_to(case.pk))


@post_view("reopen")
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, what="post")
    return act(
        request,
        lambda: services.case_reopen(actor=request.user, case=case, reason=request.POST.get("reason", "")),
        _("The case is reopened."),
        *_to(case.pk),
    )


# --- For the secretary: the access log and the figures ---------------------------------------------------------


@login_required
@require_GET
@domain_errors
def access_log(request: HttpRequest) -> HttpResponse:
    if not selectors.overseen_compounds(user=request.user).exists():
        raise NotAllowed(_("Only the community secretary reads the access log."))
    case_ref = request.GET.get("case", "")
    case = None
    if case_ref:
        case = selectors.case_find(user=request.user, pk=case_ref)
        if case is None:
            raise Http404(_("No such case."))
    rows = list(selectors.access_log(user=request.user, case=case)[:500])
    return render(request, "mediation/log.html", {"rows": rows, "case": case})


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@login_required
@require_GET
@domain_errors
def figures(request: HttpRequest) -> HttpResponse:
    compounds = selectors.overseen_compounds(user=request.user)
    if not compounds.exists():
        raise NotAllowed(_("Only the community secretary reads the mediation figures."))
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start = _month_start(today).replace(month=1)
    end = today + datetime.timedelta(days=1)
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    if end <= start:
        messages.error(request, _("The end of the period comes after its start."))
        end = start + datetime.timedelta(days=1)
    cases = selectors.cases_visible(user=request.user).filter(compound__in=compounds)
    rows = [(c, mediation_figures(cases.filter(compound=c), start, end)) for c in compounds[:50]]
    context = {
        "form": form,
        "start": start,
        "end": end,
        "total": mediation_figures(cases, start, end),
        "rows": rows,
        "policy_forms": [
            (
                c,
                PolicyForm(
                    initial=dict(
                        zip(("first_days", "second_days"), selectors.follow_up_days(c.community_id), strict=True)
                    )
                ),
            )
            for c in compounds[:1]
        ],
    }
    return render(request, "mediation/figures.html", context)


@post_view("policy")
def policy_set(request: HttpRequest, compound: int) -> HttpResponse:
    found = selectors.overseen_compounds(user=request.user).filter(pk=compound).first()
    if found is None:
        raise NotAllowed(_("You may not change the follow-up schedule."))
    target: Compound = found
    return act(
        request,
        lambda: services.policy_set(
            actor=request.user,
            compound=target,
            first_days=request.POST.get("first_days"),
            second_days=request.POST.get("second_days"),
        ),
        _("The follow-up schedule is saved."),
        "mediation:figures",
    )
