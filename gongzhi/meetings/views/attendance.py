"""Attendance: the convener's sign-in screen (the meeting's QR code, a button to replace it, staff marking
someone present, attendees by party) and the phone page the code opens, which signs the logged-in user in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.accounts.models import User
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited

from .. import selectors, services
from ..forms import MarkAttendanceForm
from ..models import Attendance, Meeting, MeetingStatus, Party
from ..services._common import invitee_users
from ..signin import qr_svg
from .common import act, convener_meeting, domain_errors, post_view, run_service

SIGNING_IN = frozenset({MeetingStatus.PUBLISHED, MeetingStatus.HELD})


def scan_url(request: HttpRequest, meeting: Meeting, token: str) -> str:
    path = reverse("meetings:scan", kwargs={"pk": meeting.pk})
    return request.build_absolute_uri(f"{path}?{urlencode({'t': token})}")


def _invitee_choices(meeting: Meeting) -> Any:
    return User.objects.filter(pk__in=[u.pk for u in invitee_users(meeting)]).order_by("name", "pk")


def _page(
    request: HttpRequest, meeting: Meeting, *, mark_form: MarkAttendanceForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    link = svg = ""
    if meeting.status in SIGNING_IN:
        token = selectors.meeting_sign_in_code(user=user, meeting=meeting)
        link = scan_url(request, meeting, token)
        svg = qr_svg(link, scale=8)
    counts = selectors.attendance_counts(user=user, meeting=meeting)
    context = {
        "meeting": meeting,
        "open": meeting.status in SIGNING_IN,
        "link": link,
        "svg": svg,
        "attendees": list(selectors.attendance_list(user=user, meeting=meeting)),
        "total": counts.total,
        "by_party": [(Party(p).label, n) for p, n in counts.by_party.items()],
        "mark_form": mark_form or MarkAttendanceForm(users=_invitee_choices(meeting)),
    }
    return render(request, "meetings/sign_in.html", context, status=status)


@login_required
@require_GET
@domain_errors
def sign_in_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, convener_meeting(request.user, pk))


@post_view("sign_in_rotate")
def sign_in_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    return act(
        request,
        lambda: services.sign_in_rotate(actor=request.user, meeting=meeting),
        _("A new sign-in code is shown; earlier codes no longer work."),
        "meetings:sign_in",
        pk=meeting.pk,
    )


@post_view("attendance_mark", per_minute=60)
def attendance_mark(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    form = MarkAttendanceForm(request.POST, users=_invitee_choices(meeting))
    ok, row = run_service(
        form,
        lambda d: services.attendance_mark(
            actor=request.user, meeting=meeting, user=d["user"], name=d["name"], party=d["party"]
        ),
    )
    if ok:
        messages.success(request, _("%(name)s is marked present.") % {"name": row.name})
        return redirect("meetings:sign_in", pk=meeting.pk)
    return _page(request, meeting, mark_form=form, status=400)


@post_view("attendance_remove")
def attendance_remove(request: HttpRequest, pk: int, attendance: int) -> HttpResponse:
    meeting = convener_meeting(request.user, pk)
    found = Attendance.objects.filter(community_id=meeting.community_id, meeting=meeting, pk=attendance).first()
    if found is None:
        raise NotFound(_("No such sign-in."))
    return act(
        request,
        lambda: services.attendance_remove(actor=request.user, attendance=found),
        _("The sign-in was taken back."),
        "meetings:sign_in",
        pk=meeting.pk,
    )


# --- The phone page -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("meetings_scan", 20)
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The page the QR code opens (log-in first if needed): one button signs the user in. A refused code —
    forged, expired, replaced, of another meeting — or a second sign-in is said plainly; nothing is written."""
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    if request.method == "POST":
        try:
            services.attendance_sign_in(user=request.user, token=token, meeting=pk)
        except NotAllowed:
            raise
        except Conflict as exc:
            return render(request, "meetings/scan.html", {"pk": pk, "token": token, "error": exc.message}, status=409)
        except DomainError as exc:  # NotFound included: a code for no meeting says the code is not valid
            return render(request, "meetings/scan.html", {"pk": pk, "token": token, "error": exc.message}, status=400)
        return redirect("meetings:scan_done", pk=pk)
    return render(request, "meetings/scan.html", {"pk": pk, "token": token, "error": ""})


@login_required
@require_GET
def scan_done(request: HttpRequest, pk: int) -> HttpResponse:
    row = Attendance.objects.select_related("meeting").filter(meeting_id=pk, user_id=int(request.user.pk or 0)).first()
    if row is None:
        return redirect("meetings:scan", pk=pk)
    return render(request, "meetings/scan_done.html", {"attendance": row, "meeting": row.meeting})
