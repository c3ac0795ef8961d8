"""The duty pages. Thin: parse input with a form, call one selector or service, render; every POST redirects
unless a form error is shown. NotAllowed → the 403 page (audited), NotFound → 404; a refused input → the form
again (or a message) with the reason, nothing changed.

Staff: the posts of their compounds, a post's roster by week (people on each shift, assigning, generating a
term's shifts), the coverage grid by month, the community's calendar, the volunteer register. Everyone on duty:
"my shifts" (check in and out, swaps). Volunteers: open places, applying, their certificate; residents and
staff: the honour board.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.selectors import user_by_phone
from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited
from gongzhi.estates.models import Compound
from gongzhi.estates.selectors import houses_of_resident
from gongzhi.estates.views.pages import domain_errors

from . import selectors, services
from .forms import (
    AssignForm,
    CalendarDayForm,
    GenerateForm,
    PostEditForm,
    PostForm,
    SwapForm,
    VolunteerAddForm,
    VolunteerApplyForm,
    VolunteerDetailsForm,
)
from .models import Assignment, DutyCalendarDay, ServeKind, Shift, SwapRequest, Volunteer, VolunteerStatus
from .pdf import CertificateData, certificate_pdf_bytes
from .people import eligible_people
from .rules import may_manage, may_view_certificate, may_view_register

View = Callable[..., HttpResponse]


def post_view(scope: str, per_minute: int = 30) -> Callable[[View], View]:
    """Log-in required, POST only, refusals as pages, at most ``per_minute`` posts a minute."""

    def decorate(view: View) -> View:
        return login_required(require_POST(domain_errors(posts_limited(f"duty_{scope}", per_minute)(view))))

    return decorate


def page_view(view: View) -> View:
    return login_required(require_GET(domain_errors(view)))


def form_error(form: forms.Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def run_service(form: forms.Form, call: Callable[[dict[str, Any]], Any]) -> tuple[bool, Any]:
    if not form.is_valid():
        return False, None
    try:
        return True, call(form.cleaned_data)
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        form_error(form, exc)
        return False, None


def act(request: HttpRequest, call: Callable[[], Any], success: str, to: str, *args: Any) -> HttpResponse:
    try:
        call()
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(to, *args)


def _date(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return default


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


# --- Index: posts of the user's compounds -----------------------------------------------------------------------


@page_view
def index(request: HttpRequest) -> HttpResponse:
    posts = list(selectors.posts_visible(request.user))
    managed = list(selectors.managed_compounds(request.user))
    register = list(selectors.register_compounds(request.user))
    if not posts and not managed:
        return redirect("duty:mine")
    return render(
        request,
        "duty/index.html",
        {"posts": posts, "managed": managed, "register": register},
    )


# --- Posts ------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("duty_post_new", 20)
def post_new(request: HttpRequest, compound: int) -> HttpResponse:
    place = selectors.compound_get(user=request.user, pk=compound, manage=True)
    form = PostForm(request.POST or None)
    if request.method == "POST":
        ok, post = run_service(
            form,
            lambda d: services.post_create(
                actor=request.user,
                compound=place,
                name=d["name"],
                kind=d["kind"],
                place=d["place"],
                follows_calendar=d["follows_calendar"],
                min_officers=d["min_officers"],
                min_property=d["min_property"],
                min_volunteers=d["min_volunteers"],
                places=d["places"],
                weekdays=d["weekdays"],
                times=d["times"],
            ),
        )
        if ok:
            messages.success(request, _("The post is created. Generate its shifts for a term next."))
            return redirect("duty:roster", post.pk)
        return render(request, "duty/post_form.html", {"form": form, "compound": place}, status=400)
    return render(request, "duty/post_form.html", {"form": form, "compound": place})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("duty_post_edit", 20)
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get(user=request.user, pk=pk)
    if not may_manage(request.user, post.compound):
        raise NotAllowed(_("You may not manage the duty posts of this compound."))
    initial = {f: getattr(post, f) for f in PostEditForm.base_fields}
    form = PostEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        ok, _post = run_service(
            form,
            lambda d: services.post_update(actor=request.user, post=post, **d),
        )
        if ok:
            messages.success(request, _("The post is saved."))
            return redirect("duty:roster", post.pk)
        return render(
            request, "duty/post_form.html", {"form": form, "post": post, "compound": post.compound}, status=400
        )
    return render(request, "duty/post_form.html", {"form": form, "post": post, "compound": post.compound})


def _week_start(request: HttpRequest) -> datetime.date:
    day = _date(request.GET.get("week"), timezone.localdate())
    return day - datetime.timedelta(days=day.weekday())


def _roster_page(
    request: HttpRequest, pk: int, *, generate_form: GenerateForm | None = None, status: int = 200
) -> HttpResponse:
    post = selectors.post_get(user=request.user, pk=pk)
    start = _week_start(request)
    end = start + datetime.timedelta(days=6)
    rows = selectors.roster(user=request.user, post=post, first=start, last=end)
    manage = may_manage(request.user, post.compound)
    today = timezone.localdate()
    term_end = datetime.date(today.year + (1 if today.month >= 7 else 0), 7, 10)
    context = {
        "post": post,
        "rows": rows,
        "start": start,
        "end": end,
        "previous": start - datetime.timedelta(days=7),
        "next": start + datetime.timedelta(days=7),
        "manage": manage,
        "assign_form": AssignForm(people=eligible_people(post.compound)) if manage else None,
        "generate_form": generate_form or GenerateForm(initial={"first_day": today, "last_day": term_end}),
        "now": timezone.now(),
    }
    return render(request, "duty/roster.html", context, status=status)


@page_view
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    return _roster_page(request, pk)


@post_view("generate", 10)
def generate(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get(user=request.user, pk=pk)
    form = GenerateForm(request.POST)
    ok, counts = run_service(
        form,
        lambda d: services.rosters_generate(
            actor=request.user, posts=[post], first_day=d["first_day"], last_day=d["last_day"]
        ),
    )
    if ok:
        messages.success(
            request,
            _("Shifts generated: %(created)d new, %(removed)d removed, %(cancelled)d cancelled, %(restored)d restored.")
            % counts,
        )
        return redirect("duty:roster", post.pk)
    return _roster_page(request, pk, generate_form=form, status=400)


def _shift_of(request: HttpRequest, pk: int) -> Shift:
    shift = Shift.objects.select_related("post", "post__compound").filter(pk=pk).first()
    if shift is None:
        raise NotFound(_("No such shift."))
    return shift


def _back_to_week(shift: Shift) -> str:
    start = shift.date - datetime.timedelta(days=shift.date.weekday())
    return f"/duty/posts/{shift.post_id}/?week={start.isoformat()}#shift-{shift.pk}"


@post_view("assign", 120)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift_of(request, pk)
    if not may_manage(request.user, shift.post.compound):
        raise NotAllowed(_("You may not manage the duty posts of this compound."))
    form = AssignForm(request.POST, people=eligible_people(shift.post.compound))
    ok, row = run_service(
        form,
        lambda d: services.assignment_create(actor=request.user, shift=shift, user=d["person"][0], kind=d["person"][1]),
    )
    if ok:
        messages.success(request, _("%(name)s is on the shift.") % {"name": row.user.name})
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(_back_to_week(shift))


@post_view("unassign", 120)
def unassign(request: HttpRequest, pk: int) -> HttpResponse:
    row = Assignment.objects.select_related("shift", "shift__post", "shift__post__compound").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such shift assignment."))
    if not may_manage(request.user, row.shift.post.compound):
        raise NotAllowed(_("You may not manage the duty posts of this compound."))
    try:
        services.assignment_remove(actor=request.user, assignment=row)
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Taken off the shift."))
    return redirect(_back_to_week(row.shift))


@page_view
def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get(user=request.user, pk=pk)
    today = timezone.localdate()
    month = request.GET.get("month") or f"{today:%Y-%m}"
    try:
        first = datetime.date.fromisoformat(f"{month}-01")
    except ValueError:
        first = today.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    weeks = selectors.coverage(user=request.user, post=post, first=first, last=last)
    shifts = [s for w in weeks for d in w for s in d.shifts]
    context = {
        "post": post,
        "weeks": weeks,
        "first": first,
        "previous": f"{(first - datetime.timedelta(days=1)):%Y-%m}",
        "next": f"{(last + datetime.timedelta(days=1)):%Y-%m}",
        "met": sum(1 for s in shifts if s.met),
        "unmet": sum(1 for s in shifts if not s.met and not s.shift.cancelled),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    }
    return render(request, "duty/coverage.html", context)


# --- The calendar -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("duty_calendar", 30)
def calendar(request: HttpRequest, compound: int) -> HttpResponse:
    place = selectors.compound_get(user=request.user, pk=compound)
    manage = may_manage(request.user, place)
    form = CalendarDayForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not manage:
            raise NotAllowed(_("You may not manage the duty posts of this compound."))
        ok, _day = run_service(form, lambda d: services.calendar_day_add(actor=request.user, compound=place, **d))
        if ok:
            messages.success(request, _("Added to the calendar. Generate the shifts again to apply it."))
            return redirect("duty:calendar", place.pk)
        status = 400
    days = list(selectors.calendar_days(compound=place))
    return render(
        request, "duty/calendar.html", {"compound": place, "days": days, "form": form, "manage": manage}, status=status
    )


@post_view("calendar_remove")
def calendar_remove(request: HttpRequest, compound: int, day: int) -> HttpResponse:
    place = selectors.compound_get(user=request.user, pk=compound, manage=True)
    found = DutyCalendarDay.objects.filter(community_id=place.community_id, pk=day).first()
    if found is None:
        raise NotFound(_("No such calendar entry."))
    return act(
        request,
        lambda: services.calendar_day_remove(actor=request.user, compound=place, day=found),
        _("Removed from the calendar."),
        "duty:calendar",
        place.pk,
    )


# --- My shifts, open places, swaps ------------------------------------------------------------------------------


@page_view
def mine(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = selectors.my_assignments(user=request.user, since=now - datetime.timedelta(hours=2))
    context = {
        "rows": rows,
        "now": now,
        "incoming": selectors.swaps_incoming(user=request.user),
        "outgoing": selectors.swaps_outgoing(user=request.user),
        "volunteers": list(
            Volunteer.objects.filter(user_id=int(request.user.pk or 0)).select_related("compound").order_by("pk")
        ),
        "may_apply": houses_of_resident(request.user).exists(),
        "kinds": dict(ServeKind.choices),
    }
    return render(request, "duty/mine.html", context)


@page_view
def open_places(request: HttpRequest) -> HttpResponse:
    rows = selectors.open_shifts(user=request.user)
    return render(
        request,
        "duty/open.html",
        {"rows": rows, "volunteering": bool(selectors.volunteer_compounds(request.user))},
    )


@post_view("take", 30)
def take(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift_of(request, pk)
    return act(
        request,
        lambda: services.place_take(user=request.user, shift=shift),
        _("You took the place. Thank you!"),
        "duty:mine",
    )


def _own(request: HttpRequest, pk: int) -> Assignment:
    return selectors.assignment_of(user=request.user, pk=pk)


@post_view("check_in", 20)
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    row = _own(request, pk)
    return act(request, lambda: services.check_in(user=request.user, assignment=row), _("Checked in."), "duty:mine")


@post_view("check_out", 20)
def check_out(request: HttpRequest, pk: int) -> HttpResponse:
    row = _own(request, pk)
    return act(request, lambda: services.check_out(user=request.user, assignment=row), _("Checked out."), "duty:mine")


@post_view("leave", 20)
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    row = _own(request, pk)
    return act(
        request,
        lambda: services.place_leave(user=request.user, assignment=row),
        _("You gave the place back."),
        "duty:mine",
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("duty_swap", 20)
def swap(request: HttpRequest, pk: int) -> HttpResponse:
    row = _own(request, pk)
    targets = selectors.swap_targets(user=request.user, assignment=row)
    form = SwapForm(request.POST or None, targets=targets)
    status = 200
    if request.method == "POST":
        ok, _swap = run_service(
            form, lambda d: services.swap_propose(user=request.user, offered=row, wanted=d["wanted"])
        )
        if ok:
            messages.success(request, _("Swap proposed. You will be told when it is answered."))
            return redirect("duty:mine")
        status = 400
    return render(
        request,
        "duty/swap.html",
        {"row": row, "targets": targets, "form": form, "kinds": dict(ServeKind.choices)},
        status=status,
    )


def _swap_of(pk: int) -> SwapRequest:
    found = SwapRequest.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such swap request."))
    return found


@post_view("swap_answer", 20)
def swap_accept(request: HttpRequest, pk: int) -> HttpResponse:
    found = _swap_of(pk)
    return act(request, lambda: services.swap_accept(user=request.user, swap=found), _("Swap accepted."), "duty:mine")


@post_view("swap_answer", 20)
def swap_decline(request: HttpRequest, pk: int) -> HttpResponse:
    found = _swap_of(pk)
    return act(request, lambda: services.swap_decline(user=request.user, swap=found), _("Swap declined."), "duty:mine")


@post_view("swap_answer", 20)
def swap_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = _swap_of(pk)
    return act(
        request, lambda: services.swap_withdraw(user=request.user, swap=found), _("Swap withdrawn."), "duty:mine"
    )


# --- Volunteers -------------------------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    year = _int(request.GET.get("year"), timezone.localdate().year)
    return year if 2000 <= year <= 2100 else timezone.localdate().year


STATUS_ACTIONS = {
    VolunteerStatus.ACTIVE: gettext_lazy("Approve / reinstate"),
    VolunteerStatus.REFUSED: gettext_lazy("Refuse"),
    VolunteerStatus.SUSPENDED: gettext_lazy("Suspend"),
    VolunteerStatus.RETIRED: gettext_lazy("Retire"),
}


def _status_actions(status: str) -> list[tuple[str, str]]:
    allowed = Volunteer.TRANSITIONS.get(status, frozenset())
    return [(to, str(label)) for to, label in STATUS_ACTIONS.items() if to in allowed]


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("duty_volunteer_add", 30)
def register(request: HttpRequest, compound: int) -> HttpResponse:
    place = Compound.objects.select_related("community").filter(pk=compound).first()
    if place is None:
        raise NotFound(_("No such compound."))
    if not may_view_register(request.user, place):
        raise NotAllowed(_("You do not have access to this compound's volunteer register."))
    manage = may_manage(request.user, place)
    form = VolunteerAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not manage:
            raise NotAllowed(_("You may not manage this compound's volunteers."))

        def add(d: dict[str, Any]) -> Volunteer:
            person = user_by_phone(d["phone"])
            if person is None:
                raise DomainError(_("No user has this mobile number."), field="phone")
            return services.volunteer_add(
                actor=request.user,
                compound=place,
                user=person,
                skills=d["skills"],
                availability=d["availability"],
                name_display=d["name_display"],
            )

        ok, row = run_service(form, add)
        if ok:
            messages.success(request, _("%(name)s is on the register.") % {"name": row.user.name})
            return redirect("duty:register", place.pk)
        status = 400
    year = _year(request)
    rows = selectors.volunteer_register(user=request.user, compound=place, year=year)
    return render(
        request,
        "duty/register.html",
        {
            "compound": place,
            "rows": [(r, _status_actions(r.volunteer.status)) for r in rows],
            "year": year,
            "form": form,
            "manage": manage,
        },
        status=status,
    )


@post_view("volunteer_status", 60)
def volunteer_status(request: HttpRequest, pk: int) -> HttpResponse:
    row = Volunteer.objects.select_related("compound").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such volunteer."))
    if not may_view_register(request.user, row.compound):
        raise NotAllowed(_("You do not have access to this compound's volunteer register."))
    to = request.POST.get("to", "")
    return act(
        request,
        lambda: services.volunteer_set_status(actor=request.user, volunteer=row, to=to),
        _("The volunteer's status is changed."),
        "duty:register",
        row.compound_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("duty_apply", 10)
def apply(request: HttpRequest) -> HttpResponse:
    compounds = sorted({h.compound for h in houses_of_resident(request.user)}, key=lambda c: c.name)
    form = VolunteerApplyForm(request.POST or None, compounds=compounds)
    if request.method == "POST":
        ok, _row = run_service(
            form,
            lambda d: services.volunteer_apply(
                user=request.user,
                compound=d["compound"],
                skills=d["skills"],
                availability=d["availability"],
                name_display=d["name_display"],
            ),
        )
        if ok:
            messages.success(request, _("Thank you! The community will look at your application."))
            return redirect("duty:mine")
        return render(request, "duty/apply.html", {"form": form, "compounds": compounds}, status=400)
    return render(request, "duty/apply.html", {"form": form, "compounds": compounds})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("duty_volunteer_edit", 20)
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = Volunteer.objects.select_related("compound").filter(pk=pk, user_id=int(request.user.pk or 0)).first()
    if row is None:
        raise NotFound(_("No such volunteer."))
    initial = {"skills": row.skills, "availability": row.availability, "name_display": row.name_display}
    form = VolunteerDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        ok, _row = run_service(form, lambda d: services.volunteer_update(user=request.user, volunteer=row, **d))
        if ok:
            messages.success(request, _("Your details are saved."))
            return redirect("duty:mine")
        return render(request, "duty/volunteer_edit.html", {"form": form, "row": row}, status=400)
    return render(request, "duty/volunteer_edit.html", {"form": form, "row": row})


@page_view
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    row = Volunteer.objects.select_related("compound", "compound__community", "user").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such volunteer."))
    if not may_view_certificate(request.user, row):
        raise NotAllowed(_("You may not see this certificate."))
    year = _year(request)
    since, until = datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), timezone.localdate())
    hours = selectors.volunteer_hours(compound_ids=[row.compound_id], since=since, until=until)
    duty, acts = hours.get(row.user_id, (selectors.Decimal("0.00"), selectors.Decimal("0.00")))
    data = CertificateData(
        name=row.user.name,
        compound=row.compound.name,
        community=row.compound.community.name,
        since=since,
        until=until,
        duty_hours=duty,
        activity_hours=acts,
        posts=selectors.posts_served(user_id=row.user_id, compound=row.compound, since=since, until=until),
        issued_on=timezone.localdate(),
    )
    response = HttpResponse(certificate_pdf_bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="volunteer-{row.pk}-{year}.pdf"'
    return response


@page_view
def honour(request: HttpRequest, compound: int) -> HttpResponse:
    place = Compound.objects.select_related("community").filter(pk=compound).first()
    if place is None:
        raise NotFound(_("No such compound."))
    year = _year(request)
    rows = selectors.honour_board(user=request.user, compound=place, year=year)
    return render(
        request,
        "duty/honour.html",
        {"compound": place, "rows": rows, "year": year, "previous": year - 1, "next": year + 1},
    )
