"""Activity pages: the month calendar (phone friendly), an activity's page (sign-up, cancel, feedback, gallery;
for staff: publish, hold, cancel, sign-ups and attendance, photos), the form, the QR check-in screen and the
phone page it opens, the figures, and the .ics files."""

from __future__ import annotations

import calendar as pycalendar
import datetime
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited

from .. import calendar as ics
from .. import selectors, services
from ..checkin import checkin_token, qr_svg
from ..forms import ActivityForm, CancelForm, FeedbackForm, SignupForm
from ..models import Activity, ActivityCategory, ActivityPhoto, ActivityStatus, Feedback, Signup, SignupMode
from ..roles import ACTIVITY_MANAGERS
from ..rules import may_manage, may_sign_up
from .common import act, domain_errors, photo_response, post_view, run_service

UPCOMING = 5  # activities in the "Upcoming" list above the month


def _activity(user: Any, pk: int) -> Activity:
    found = selectors.activity_for(user, pk)
    if found is None:
        raise NotFound(_("No such activity."))
    return found


def _managed(user: Any, pk: int) -> Activity:
    found = _activity(user, pk)
    if not may_manage(user, found):
        raise NotAllowed(_("You may not run activities of this compound."))
    return found


def _month(request: HttpRequest) -> tuple[int, int]:
    today = timezone.localdate()
    raw = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-", 1))
        datetime.date(year, month, 1)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        return today.year, today.month
    return year, month


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The month calendar: a grid on wide screens, a list of days on phones (CSS)."""
    user = request.user
    year, month = _month(request)
    compounds = selectors.calendar_compounds(user)
    chosen = next((c for c in compounds if c.code == request.GET.get("compound")), None)
    rows = selectors.activities_in_month(
        user, year=year, month=month, compound_id=chosen.pk if chosen is not None else None
    )
    by_day: dict[datetime.date, list[Activity]] = {}
    for a in rows:
        by_day.setdefault(timezone.localdate(a.starts_at), []).append(a)
    weeks = [
        [(day, by_day.get(day, [])) for day in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    first = datetime.date(year, month, 1)
    prev = (first - datetime.timedelta(days=1)).replace(day=1)
    nxt = (first + datetime.timedelta(days=32)).replace(day=1)
    managed = selectors.staff_compounds(user, ACTIVITY_MANAGERS).exists()
    upcoming = selectors.upcoming_for(
        user, now=timezone.now(), limit=UPCOMING, compound_id=chosen.pk if chosen is not None else None
    )
    for a in upcoming:
        a.left = max(a.capacity - (a.taken or 0), 0)  # type: ignore[attr-defined]
    context = {
        "upcoming": upcoming,
        "show_compound": len(compounds) > 1 and chosen is None,
        "year": year,
        "month": month,
        "first": first,
        "weeks": weeks,
        "days": sorted(by_day.items()),
        "prev": f"{prev:%Y-%m}",
        "next": f"{nxt:%Y-%m}",
        "compounds": compounds if len(compounds) > 1 else [],
        "chosen": chosen,
        "keep": f"&compound={chosen.code}" if chosen is not None else "",
        "today": timezone.localdate(),
        "may_create": managed,
        "may_figures": managed or user.is_superuser or selectors.figures_visible(user),
        "feed_url": request.build_absolute_uri(reverse("activities:feed", args=[ics.feed_token(user)])),  # type: ignore[arg-type]
    }
    return render(request, "activities/index.html", context)


@login_required
@require_GET
@domain_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = _activity(user, pk)
    manage = may_manage(user, activity)
    mine = selectors.my_signup(user, activity)
    attended = selectors.my_attended_signup(user, activity)
    given = attended is not None and Feedback.objects.filter(activity=activity, user_id=attended.user_id).exists()
    context = {
        "activity": activity,
        "manage": manage,
        "mine": mine,
        "position": selectors.waitlist_position(mine) if mine else 0,
        "may_sign_up": mine is None and may_sign_up(user, activity) and activity.starts_at > timezone.now(),
        "signup_form": SignupForm(),
        "household": activity.signup_mode == SignupMode.HOUSEHOLD,
        "feedback_form": FeedbackForm() if attended is not None and not given else None,
        "given": given,
        "photos": list(ActivityPhoto.objects.filter(community_id=activity.community_id, activity=activity)),
        "signups": selectors.signups_of(activity) if manage else [],
        "feedback": list(Feedback.objects.filter(activity=activity).select_related("user")) if manage else [],
        "cancel_form": CancelForm(),
        "free": max(activity.capacity - (activity.taken or 0), 0),  # type: ignore[attr-defined]
    }
    return render(request, "activities/detail.html", context)


def _form_page(request: HttpRequest, form: ActivityForm, activity: Activity | None, status: int = 200) -> HttpResponse:
    return render(request, "activities/form.html", {"form": form, "activity": activity}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("activities_create", 20)
def create(request: HttpRequest) -> HttpResponse:
    compounds = selectors.staff_compounds(request.user, ACTIVITY_MANAGERS).order_by("name")
    if not compounds.exists():
        raise NotAllowed(_("You may not run activities."))
    if request.method == "GET":
        return _form_page(request, ActivityForm(compounds=compounds), None)
    form = ActivityForm(request.POST, compounds=compounds)
    ok, activity = run_service(
        form,
        lambda d: services.activity_create(
            actor=request.user,
            compound=d["compound"],
            title=d["title"],
            category=d["category"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            place=d["place"],
            capacity=d["capacity"],
            description=d["description"],
            by_community=d["by_community"],
            by_property=d["by_property"],
            other_organizers=d["other_organizers"],
            signup_mode=d["signup_mode"],
            audience=d["audience"],
            buildings=list(d["buildings"]),
            publish="publish" in request.POST,
        ),
    )
    if ok:
        messages.success(request, _("The activity is saved."))
        return redirect("activities:detail", pk=activity.pk)
    return _form_page(request, form, None, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("activities_edit", 20)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _managed(request.user, pk)
    if request.method == "GET":
        initial = {name: getattr(activity, name) for name in services.activities.FIELDS}
        initial["starts_at"] = timezone.localtime(activity.starts_at)
        initial["ends_at"] = timezone.localtime(activity.ends_at)
        initial["buildings"] = list(activity.buildings.all())
        form = ActivityForm(initial=initial)
        form.set_buildings(activity.compound)
        return _form_page(request, form, activity)
    form = ActivityForm(request.POST)
    form.set_buildings(activity.compound)
    ok, _row = run_service(
        form,
        lambda d: services.activity_update(
            actor=request.user,
            activity=activity,
            buildings=list(d.pop("buildings")),
            **{k: v for k, v in d.items() if k in services.activities.FIELDS},
        ),
    )
    if ok:
        messages.success(request, _("The activity is saved."))
        return redirect("activities:detail", pk=activity.pk)
    return _form_page(request, form, activity, status=400)


@post_view("publish")
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _managed(request.user, pk)
    return act(
        request,
        lambda: services.activity_publish(actor=request.user, activity=activity),
        _("The activity is published."),
        "activities:detail",
        pk=pk,
    )


@post_view("hold")
def hold(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _managed(request.user, pk)
    return act(
        request,
        lambda: services.activity_hold(actor=request.user, activity=activity),
        _("The activity is marked as held."),
        "activities:detail",
        pk=pk,
    )


@post_view("cancel")
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _managed(request.user, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for cancelling."))
        return redirect("activities:detail", pk=pk)
    return act(
        request,
        lambda: services.activity_cancel(actor=request.user, activity=activity, reason=form.cleaned_data["reason"]),
        _("The activity is cancelled; everyone signed up is told."),
        "activities:detail",
        pk=pk,
    )


@post_view("signup", per_minute=20)
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request.user, pk)
    form = SignupForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give how many people come."))
        return redirect("activities:detail", pk=pk)
    try:
        row = services.signup_create(
            actor=request.user,
            activity=activity,
            party_size=form.cleaned_data["party_size"] or 1,
            is_elderly=form.cleaned_data["is_elderly"],
        )
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if row.status == "confirmed":
            messages.success(request, _("You have a place."))
        else:
            messages.warning(
                request, _("The places are taken: you are on the waitlist, and will be told if a place frees up.")
            )
    return redirect("activities:detail", pk=pk)


@post_view("signup_cancel", per_minute=20)
def signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    row = Signup.objects.filter(pk=pk).select_related("activity").first()
    if row is None or selectors.activity_for(request.user, row.activity_id) is None:
        raise NotFound(_("No such sign-up."))
    return act(
        request,
        lambda: services.signup_cancel(actor=request.user, signup=row),
        _("The sign-up is cancelled."),
        "activities:detail",
        pk=row.activity_id,
    )


@post_view("attendance", per_minute=120)
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    row = Signup.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such sign-up."))
    _managed(request.user, row.activity_id)
    present = request.POST.get("present") == "1"
    return act(
        request,
        lambda: services.attendance_mark(actor=request.user, signup=row, present=present),
        _("Marked present.") if present else _("No longer marked present."),
        "activities:detail",
        pk=row.activity_id,
    )


@post_view("feedback", per_minute=10)
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request.user, pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a rating from 1 to 5."))
        return redirect("activities:detail", pk=pk)
    return act(
        request,
        lambda: services.feedback_give(
            actor=request.user,
            activity=activity,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        ),
        _("Thank you for your feedback."),
        "activities:detail",
        pk=pk,
    )


@post_view("photos", per_minute=10)
def photos_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _managed(request.user, pk)
    return act(
        request,
        lambda: services.activity_photos_add(
            actor=request.user, activity=activity, photos=request.FILES.getlist("photos")
        ),
        _("The photos are added."),
        "activities:detail",
        pk=pk,
    )


@login_required
@require_GET
@domain_errors
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    row = ActivityPhoto.objects.filter(pk=pk).first()
    if row is None or selectors.activity_for(request.user, row.activity_id) is None:
        raise NotFound(_("No such photo."))
    return cast(HttpResponse, photo_response(request, row, f"activity-{row.activity_id}-{row.pk}"))


# --- check-in -------------------------------------------------------------------------------------------------------


def scan_url(request: HttpRequest, activity: Activity, token: str) -> str:
    path = reverse("activities:scan", kwargs={"pk": activity.pk})
    return request.build_absolute_uri(f"{path}?{urlencode({'t': token})}")


@login_required
@require_GET
@domain_errors
def checkin_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The code shown at the activity (on a staff phone or a screen); it is renewed each time the page loads."""
    activity = _managed(request.user, pk)
    open_ = activity.status in (ActivityStatus.PUBLISHED, ActivityStatus.HELD)
    link = svg = ""
    if open_:
        token = checkin_token(activity_id=activity.pk, nonce=activity.checkin_nonce, now=timezone.now())
        link = scan_url(request, activity, token)
        svg = qr_svg(link, scale=8)
    signups = selectors.signups_of(activity)
    context = {
        "activity": activity,
        "open": open_,
        "link": link,
        "svg": svg,
        "present": sum(1 for s in signups if s.checked_in_at),
        "confirmed": sum(1 for s in signups if s.status == "confirmed"),
    }
    return render(request, "activities/checkin.html", context)


@post_view("checkin_rotate")
def checkin_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _managed(request.user, pk)
    return act(
        request,
        lambda: services.checkin_rotate(actor=request.user, activity=activity),
        _("A new check-in code is shown; earlier codes no longer work."),
        "activities:checkin",
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("activities_scan", 20)
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The page the QR code opens (log-in first if needed): one button checks the user in. A refused code or a
    second check-in is said plainly; nothing is written."""
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    context: dict[str, Any] = {"pk": pk, "token": token, "error": ""}
    if request.method == "POST":
        try:
            row = services.checkin_scan(actor=request.user, activity=pk, token=token)
        except NotAllowed:
            raise
        except Conflict as exc:
            return render(request, "activities/scan.html", {**context, "error": exc.message}, status=409)
        except DomainError as exc:
            return render(request, "activities/scan.html", {**context, "error": exc.message}, status=400)
        return render(request, "activities/scan.html", {**context, "done": row, "activity": row.activity})
    return render(request, "activities/scan.html", context)


# --- figures and calendars ---------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def figures(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_superuser or selectors.figures_visible(user)):
        raise NotAllowed(_("You may not see the activity figures."))
    rows = selectors.figures(user)
    years = sorted({r["year"] for r in rows}, reverse=True)
    labels = dict(ActivityCategory.choices)
    table = []
    for year in years:
        cells = {r["category"]: r for r in rows if r["year"] == year}
        table.append(
            {
                "year": year,
                "cells": [(cells.get(c, {}).get("n", 0), cells.get(c, {}).get("attended", 0)) for c in labels],
                "total": sum(r["n"] for r in cells.values()),
                "attended": sum(r["attended"] for r in cells.values()),
            }
        )
    return render(request, "activities/figures.html", {"labels": list(labels.values()), "table": table})


@login_required
@require_GET
@domain_errors
def activity_ics(request: HttpRequest, pk: int) -> HttpResponse:
    body = ics.activity_ics(user=request.user, pk=pk, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="activity-{pk}.ics"'
    return response


@require_GET
@domain_errors
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's activity calendar, opened by calendar apps without a session: the signed token is the key."""
    user = ics.feed_user(token)
    body = ics.feed_ics(user=user, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
