"""Minutes and decisions per agenda item while the meeting is held; closing it (decisions become action items in
the same step); publishing the minutes; a correction as a new version with a reason; the minutes as a printable
PDF (staff) and the residents' summary as a PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound

from .. import pdf, selectors, services
from ..forms import DecisionForm, MinutesEntryForm, ReasonForm
from ..models import AgendaItem, Decision, Meeting, MeetingStatus, Minutes, MinutesStatus
from .common import act, convener_meeting, domain_errors, post_view, run_service
from .meetings import _people_choices, invitable_organizations


@dataclass
class ItemRow:
    item: AgendaItem
    entry_form: MinutesEntryForm
    decisions: list[Decision] = field(default_factory=list)
    decision_form: DecisionForm | None = None


def _decision_form(meeting: Meeting, data: Any = None) -> DecisionForm:
    return DecisionForm(
        data,
        organizations=invitable_organizations(meeting.compound),
        users=_people_choices(meeting.compound),
    )


def _page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    bad_item: int | None = None,
    entry_form: MinutesEntryForm | None = None,
    decision_form: DecisionForm | None = None,
    correct_form: ReasonForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    versions = selectors.minutes_versions(user=user, meeting=meeting)
    draft = next((m for m in versions if m.status == MinutesStatus.DRAFT), None)
    published = next((m for m in versions if m.status == MinutesStatus.PUBLISHED), None)
    shown = draft or published
    texts = {e.agenda_item_id: e.text for e in selectors.minutes_entries(user=user, minutes=shown)} if shown else {}
    held = meeting.status == MeetingStatus.HELD
    writable = meeting.status in (MeetingStatus.HELD, MeetingStatus.CLOSED) and (draft is not None or not versions)
    decisions = selectors.meeting_decisions(user=user, meeting=meeting)
    rows = []
    for item in selectors.meeting_agenda(user=user, meeting=meeting):
        mine = bad_item == item.pk
        rows.append(
            ItemRow(
                item=item,
                entry_form=entry_form
                if mine and entry_form is not None
                else MinutesEntryForm(initial={"text": texts.get(item.pk, "")}),
                decisions=[d for d in decisions if d.agenda_item_id == item.pk],
                decision_form=(decision_form if mine and decision_form is not None else _decision_form(meeting))
                if held
                else None,
            )
        )
    context = {
        "meeting": meeting,
        "rows": rows,
        "texts": texts,
        "held": held,
        "closed": meeting.status == MeetingStatus.CLOSED,
        "writable": writable,
        "draft": draft,
        "published": published,
        "versions": versions,
        "correct_form": correct_form or ReasonForm(),
        "error": error,
    }
    return render(request, "meetings/minutes.html", context, status=status)


@login_required
@require_GET
@domain_errors
def minutes_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    if meeting.status not in (MeetingStatus.HELD, MeetingStatus.CLOSED):
        messages.info(request, _("Minutes are recorded once the meeting is held."))
        return redirect("meetings:detail", pk=meeting.pk)
    return _page(request, meeting)


def _item(meeting: Meeting, pk: int) -> AgendaItem:
    found = AgendaItem.objects.filter(community_id=meeting.community_id, meeting=meeting, pk=pk).first()
    if found is None:
        raise NotFound(_("No such agenda item."))
    return found


@post_view("minutes_record", per_minute=60)
def minutes_record(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    agenda_item = _item(meeting, item)
    form = MinutesEntryForm(request.POST)
    ok, _entry = run_service(
        form,
        lambda d: services.minutes_record(actor=request.user, meeting=meeting, item=agenda_item, text=d["text"]),
    )
    if ok:
        messages.success(request, _("The minutes of “%(title)s” were saved.") % {"title": agenda_item.title})
        return redirect(reverse("meetings:minutes", kwargs={"pk": meeting.pk}) + f"#item-{agenda_item.pk}")
    return _page(request, meeting, bad_item=agenda_item.pk, entry_form=form, status=400)


@post_view("decision_add", per_minute=60)
def decision_add(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    agenda_item = _item(meeting, item)
    form = _decision_form(meeting, request.POST)
    ok, _decision = run_service(
        form,
        lambda d: services.decision_add(
            actor=request.user,
            item=agenda_item,
            text=d["text"],
            becomes_action=d["becomes_action"],
            action_title=d["action_title"],
            responsible_organization=d["responsible_organization"],
            responsible_user=d["responsible_user"],
            due_on=d["due_on"],
            budget=d["budget"] or None,
        ),
    )
    if ok:
        messages.success(request, _("The decision was recorded."))
        return redirect("meetings:minutes", pk=meeting.pk)
    return _page(request, meeting, bad_item=agenda_item.pk, decision_form=form, status=400)


@post_view("decision_remove")
def decision_remove(request: HttpRequest, pk: int, decision: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    found = Decision.objects.filter(community_id=meeting.community_id, meeting=meeting, pk=decision).first()
    if found is None:
        raise NotFound(_("No such decision."))
    return act(
        request,
        lambda: services.decision_remove(actor=request.user, decision=found),
        _("The decision was taken back."),
        "meetings:minutes",
        pk=meeting.pk,
    )


@post_view("close")
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    try:
        created = services.meeting_close(actor=request.user, meeting=meeting)
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        return _page(request, meeting, error=exc.message, status=400)
    messages.success(
        request,
        ngettext(
            "The meeting is closed; %(n)d decision became an action item.",
            "The meeting is closed; %(n)d decisions became action items.",
            len(created),
        )
        % {"n": len(created)},
    )
    return redirect("meetings:minutes", pk=meeting.pk)


def _minutes_of(meeting: Meeting, status: str) -> Minutes:
    found = Minutes.objects.filter(community_id=meeting.community_id, meeting=meeting, status=status).first()
    if found is None:
        raise NotFound(_("No such minutes."))
    return found


@post_view("minutes_publish")
def minutes_publish(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    draft = _minutes_of(meeting, MinutesStatus.DRAFT)
    return act(
        request,
        lambda: services.minutes_publish(actor=request.user, minutes=draft),
        _("The minutes are published."),
        "meetings:minutes",
        pk=meeting.pk,
    )


@post_view("minutes_correct")
def minutes_correct(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    published = _minutes_of(meeting, MinutesStatus.PUBLISHED)
    form = ReasonForm(request.POST)
    ok, _draft = run_service(
        form, lambda d: services.minutes_correct(actor=request.user, minutes=published, reason=d["reason"])
    )
    if ok:
        messages.success(request, _("A correction is started: change the minutes, then publish it."))
        return redirect("meetings:minutes", pk=meeting.pk)
    return _page(request, meeting, correct_form=form, status=400)


@post_view("minutes_discard")
def minutes_discard(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    draft = _minutes_of(meeting, MinutesStatus.DRAFT)
    return act(
        request,
        lambda: services.minutes_discard(actor=request.user, minutes=draft),
        _("The correction was discarded."),
        "meetings:minutes",
        pk=meeting.pk,
    )


# --- PDF ----------------------------------------------------------------------------------------------------------


def _pdf_response(doc: pdf.MinutesDocument, meeting: Meeting) -> HttpResponse:
    response = HttpResponse(pdf.minutes_pdf_bytes(doc), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, pdf.pdf_filename(doc, meeting.pk)) or "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
@domain_errors
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes for print and signing: the published version (conveners: the draft until then), or
    ``?version=N``. Only for those who see the meeting (404 otherwise); a meeting without minutes is sent back
    to its page with the reason."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    raw = request.GET.get("version", "")
    if raw and not (raw.isdigit() and len(raw) <= 4):
        raise NotFound(_("No such minutes."))
    try:
        doc = pdf.minutes_document(user=request.user, meeting=meeting, version=int(raw) if raw else None)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("meetings:detail", pk=meeting.pk)
    return _pdf_response(doc, meeting)


@login_required
@require_GET
@domain_errors
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The residents' summary as a PDF: exactly what the summary page shows (``selectors.public_minutes``)."""
    meeting = Meeting.objects.select_related("compound").filter(pk=pk).first()
    if meeting is None:
        raise NotFound(_("No published minutes."))
    return _pdf_response(pdf.public_document(user=request.user, meeting=meeting), meeting)
