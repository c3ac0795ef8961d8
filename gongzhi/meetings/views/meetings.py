"""Meetings: the list, convening (create, edit, invite, publish, hold, cancel), the meeting's page with its
agenda, invitations and answers, attachments, the .ics file and the personal calendar feed, and the residents'
summary of published minutes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.accounts.models import Membership, Organization, User
from gongzhi.accounts.roles import OrgKind
from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.estates.models import Compound
from gongzhi.estates.scope import compound_filter
from gongzhi.estates.selectors import houses_of_resident

from .. import calendar, selectors, services
from ..forms import AttachmentForm, InviteForm, MeetingFilterForm, MeetingForm, ReasonForm, RsvpForm
from ..models import Meeting, MeetingInvitation, MeetingStatus, MinutesStatus, Party, Rsvp
from ..rules import CONVENERS, may_convene, may_respond, may_view_public_minutes
from .common import act, convener_meeting, domain_errors, post_view, run_service

PER_PAGE = 20
PEOPLE_MAX = 300
EDITABLE = frozenset({MeetingStatus.DRAFT, MeetingStatus.PUBLISHED})
MINUTES_STATUSES = frozenset({MeetingStatus.HELD, MeetingStatus.CLOSED})


def convener_compounds(user: Any) -> QuerySet[Compound]:
    """The compounds whose meetings the user convenes (community staff of their community)."""
    if not getattr(user, "is_authenticated", False):
        return Compound.objects.none()
    if user.is_superuser:
        return Compound.objects.order_by("name")
    q = compound_filter(user, CONVENERS)
    return Compound.objects.filter(q).order_by("name") if q is not None else Compound.objects.none()


def invitable_organizations(compound: Compound) -> QuerySet[Organization]:
    """Who may be invited to a meeting of the compound: its community, its property company, its residents'
    representatives, and the departments, police, law firms and sub-district and district offices."""
    own = (
        Q(kind=OrgKind.RESIDENTS, compound=compound)
        | Q(kind=OrgKind.COMMUNITY, area_id=compound.community_id)
        | Q(pk=compound.property_company_id)
    )
    others = ~Q(kind__in=[OrgKind.RESIDENTS, OrgKind.COMMUNITY, OrgKind.PROPERTY])
    return Organization.objects.filter(own | others).order_by("kind", "name")


def invitable_people(compound: Compound) -> QuerySet[User]:
    members = Membership.objects.filter(organization__in=invitable_organizations(compound)).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("name", "pk")[:PEOPLE_MAX]


def _people_choices(compound: Compound) -> QuerySet[User]:
    ids = list(invitable_people(compound).values_list("pk", flat=True))
    return User.objects.filter(pk__in=ids).order_by("name", "pk")


def feed_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(calendar.calendar_feed_path(request.user))  # type: ignore[arg-type]


# --- The list -----------------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = MeetingFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.meetings_list(user=user)
    now = timezone.now()
    when = data.get("when", "")
    if when == "upcoming":
        qs = qs.filter(ends_at__gte=now).order_by("starts_at", "pk")
    elif when == "past":
        qs = qs.filter(ends_at__lt=now)
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    homes = Compound.objects.filter(pk__in=houses_of_resident(user).values("compound_id")).order_by("name")
    summaries = [
        (compound, list(selectors.public_minutes_list(user=user, compound=compound)[:10])) for compound in homes[:5]
    ]
    context = {
        "form": form,
        "page": page,
        "meetings": page.object_list,
        "query": query.urlencode(),
        "filtered": any(data.values()),
        "may_convene": convener_compounds(user).exists(),
        "invitations": list(selectors.invitations_of_user(user=user)[:10]),
        "summaries": [(c, rows) for c, rows in summaries if rows],
        "homes": list(homes[:5]),
        "feed_url": feed_url(request),
    }
    return render(request, "meetings/list.html", context)


# --- Convening ----------------------------------------------------------------------------------------------------


def _meeting_args(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": data["kind"],
        "title": data["title"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "place": data["place"],
        "online_url": data["online_url"],
        "description": data["description"],
        "is_private": data["is_private"],
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def meeting_new(request: HttpRequest) -> HttpResponse:
    compounds = convener_compounds(request.user)
    if not compounds.exists():
        raise NotAllowed(_("You may not convene meetings."))
    initial: dict[str, Any] = {}
    code = request.GET.get("compound", "")
    if code:
        initial["compound"] = compounds.filter(code=code).first()
    if request.method == "POST":
        form = MeetingForm(request.POST, compounds=compounds)
        ok, meeting = run_service(
            form,
            lambda d: services.meeting_create(actor=request.user, compound=d["compound"], **_meeting_args(d)),
        )
        if ok:
            messages.success(request, _("The meeting is drafted. Now build its agenda and invite its participants."))
            return redirect("meetings:agenda", pk=meeting.pk)
    else:
        form = MeetingForm(compounds=compounds, initial=initial)
    return render(request, "meetings/form.html", {"form": form, "meeting": None})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    if request.method == "POST":
        form = MeetingForm(request.POST)
        ok, _meeting = run_service(
            form, lambda d: services.meeting_update(actor=request.user, meeting=meeting, **_meeting_args(d))
        )
        if ok:
            messages.success(request, _("The meeting was saved."))
            return redirect("meetings:detail", pk=meeting.pk)
    else:
        fields = ["kind", "title", "starts_at", "ends_at", "place", "online_url", "description", "is_private"]
        initial = {name: getattr(meeting, name) for name in fields}
        initial["starts_at"] = timezone.localtime(meeting.starts_at)
        initial["ends_at"] = timezone.localtime(meeting.ends_at)
        form = MeetingForm(initial=initial)
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting})


@post_view("publish")
def meeting_publish(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    return act(
        request,
        lambda: services.meeting_publish(actor=request.user, meeting=meeting),
        _("The meeting is published: the invitees have been sent its agenda."),
        "meetings:detail",
        pk=meeting.pk,
    )


@post_view("hold")
def meeting_hold(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    return act(
        request,
        lambda: services.meeting_hold(actor=request.user, meeting=meeting),
        _("The meeting is marked as held: record its minutes and decisions."),
        "meetings:minutes",
        pk=meeting.pk,
    )


@post_view("cancel")
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    form = ReasonForm(request.POST)
    ok, _meeting = run_service(
        form, lambda d: services.meeting_cancel(actor=request.user, meeting=meeting, reason=d["reason"])
    )
    if ok:
        messages.success(request, _("The meeting was cancelled."))
        return redirect("meetings:detail", pk=meeting.pk)
    return _detail(request, meeting, cancel_form=form, status=400)


@post_view("invite")
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    form = InviteForm(
        request.POST,
        organizations=invitable_organizations(meeting.compound),
        users=_people_choices(meeting.compound),
    )
    ok, rows = run_service(
        form,
        lambda d: services.meeting_invite(
            actor=request.user, meeting=meeting, organizations=d["organizations"], users=d["users"]
        ),
    )
    if ok:
        messages.success(request, _("Invited: %(n)d new.") % {"n": len(rows)})
        return redirect("meetings:detail", pk=meeting.pk)
    return _detail(request, meeting, invite_form=form, status=400)


@post_view("uninvite")
def meeting_uninvite(request: HttpRequest, pk: int, invitation: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    row = MeetingInvitation.objects.filter(community_id=meeting.community_id, meeting=meeting, pk=invitation).first()
    if row is None:
        raise NotFound(_("No such invitation."))
    return act(
        request,
        lambda: services.meeting_uninvite(actor=request.user, invitation=row),
        _("The invitation was withdrawn."),
        "meetings:detail",
        pk=meeting.pk,
    )


@post_view("rsvp")
def meeting_rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not may_respond(request.user, meeting):
        raise NotAllowed(_("You are not invited to this meeting."))
    form = RsvpForm(request.POST)
    ok, _row = run_service(
        form,
        lambda d: services.invitation_respond(actor=request.user, meeting=meeting, answer=d["answer"], note=d["note"]),
    )
    if ok:
        messages.success(request, _("Your answer was saved."))
        return redirect("meetings:detail", pk=meeting.pk)
    return _detail(request, meeting, rsvp_form=form, status=400)


# --- The meeting's page -------------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    meeting: Meeting,
    *,
    invite_form: InviteForm | None = None,
    cancel_form: ReasonForm | None = None,
    rsvp_form: RsvpForm | None = None,
    attachment_form: AttachmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    convenes = bool(may_convene(user, meeting))
    editable = meeting.status in EDITABLE
    now = timezone.now()
    invitations = list(selectors.meeting_invitations(user=user, meeting=meeting))
    counts = selectors.rsvp_counts(user=user, meeting=meeting)
    mine = selectors.my_invitation(user=user, meeting=meeting) if may_respond(user, meeting) else None
    answering = mine is not None and meeting.status == MeetingStatus.PUBLISHED and now < meeting.starts_at
    attendance = None
    if meeting.status in (MeetingStatus.PUBLISHED, MeetingStatus.HELD, MeetingStatus.CLOSED):
        by_party = selectors.attendance_counts(user=user, meeting=meeting)
        attendance = {
            "total": by_party.total,
            "rows": [(Party(p).label, n) for p, n in by_party.by_party.items() if n],
        }
    published = [
        m
        for m in selectors.minutes_versions(user=user, meeting=meeting)
        if m.status in (MinutesStatus.PUBLISHED, MinutesStatus.CORRECTED)
    ]
    entries = selectors.minutes_entries_of_versions(user=user, meeting=meeting, versions=published)
    versions = [(m, entries.get(m.pk, [])) for m in published]
    context = {
        "meeting": meeting,
        "convenes": convenes,
        "editable": editable,
        "agenda": selectors.meeting_agenda(user=user, meeting=meeting),
        "org_invitations": [i for i in invitations if i.user_id is None],
        "people_invitations": [i for i in invitations if i.user_id is not None],
        "rsvp_counts": [(Rsvp(k).label, k, n) for k, n in counts.items()],
        "mine": mine,
        "answering": answering,
        "rsvp_form": rsvp_form or RsvpForm(initial={"answer": mine.rsvp if mine else ""}),
        "attachments": list(selectors.meeting_attachments(user=user, meeting=meeting)),
        "attendance": attendance,
        "versions": versions,
        "summary": not meeting.is_private
        and meeting.status == MeetingStatus.CLOSED
        and bool(versions)
        and may_view_public_minutes(user, meeting),
        "feed_url": feed_url(request),
        "minutes_open": meeting.status in MINUTES_STATUSES,
        "sign_in_open": meeting.status in (MeetingStatus.PUBLISHED, MeetingStatus.HELD),
    }
    if convenes:
        context["invite_form"] = invite_form or InviteForm(
            organizations=invitable_organizations(meeting.compound), users=_people_choices(meeting.compound)
        )
        context["cancel_form"] = cancel_form or ReasonForm()
        context["attachment_form"] = attachment_form or AttachmentForm()
    return render(request, "meetings/detail.html", context, status=status)


@login_required
@require_GET
@domain_errors
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.meeting_get(user=request.user, pk=pk))


@login_required
@require_GET
@domain_errors
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    text = calendar.meeting_ics_for(user=request.user, pk=pk)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{pk}.ics"'
    return response


@require_GET
@domain_errors
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's calendar feed, opened by calendar apps without a session: the signed token is the key."""
    user = calendar.calendar_feed_user(token)
    response = HttpResponse(calendar.calendar_feed(user=user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


# --- Attachments --------------------------------------------------------------------------------------------------


@post_view("attachment_add", per_minute=20)
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    ok, _attachment = run_service(
        form,
        lambda d: services.attachment_add(actor=request.user, meeting=meeting, file=d["file"], name=d["file"].name),
    )
    if ok:
        messages.success(request, _("The file is attached."))
        return redirect("meetings:detail", pk=meeting.pk)
    return _detail(request, meeting, attachment_form=form, status=400)


@post_view("attachment_remove")
def attachment_remove(request: HttpRequest, pk: int, attachment: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    found = selectors.attachment_get(user=request.user, pk=attachment)
    if found.meeting_id != meeting.pk:
        raise NotFound(_("No such attachment."))
    return act(
        request,
        lambda: services.attachment_remove(actor=request.user, attachment=found),
        _("The attachment was removed."),
        "meetings:detail",
        pk=meeting.pk,
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment: int) -> HttpResponseBase:
    try:
        found = selectors.attachment_get(user=request.user, pk=attachment)
    except NotFound as exc:  # the same answer whether it does not exist or is not the user's to see
        raise Http404(exc.message) from exc
    if found.meeting_id != pk:
        raise Http404("No such attachment.")
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("No such attachment.") from exc
    return FileResponse(handle, as_attachment=True, filename=found.original_name, content_type=found.content_type)


# --- The residents' summary ---------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def meeting_summary(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = Meeting.objects.select_related("compound").filter(pk=pk).first()
    if meeting is None:
        raise NotFound(_("No published minutes."))
    summary = selectors.public_minutes(user=request.user, meeting=meeting)
    return render(request, "meetings/summary.html", {"meeting": meeting, "summary": summary})
