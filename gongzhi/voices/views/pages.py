"""Voice pages: residents raise and follow voices, the public wall; staff work the queue.

Views are thin: they parse input with a form, call one selector or service and render; every POST redirects
(POST → redirect → GET) unless a form error is shown. NotAllowed → the 403 page (audited), NotFound → 404,
an illegal transition → a message naming the state, nothing changed.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.roles import OrgKind
from gongzhi.accounts.selectors import memberships_of
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited, rate_limit_hit
from gongzhi.estates.models import Building, Compound
from gongzhi.estates.scope import compound_filter, roles_in_compound
from gongzhi.estates.selectors import houses_of_resident
from gongzhi.estates.services import access_denied_record

from .. import photos as photo_limits
from .. import selectors, services
from ..forms import (
    AcceptForm,
    DispatchForm,
    NoteForm,
    PraisedPersonForm,
    QueueFilterForm,
    RateForm,
    RejectForm,
    ReopenForm,
    ResolveForm,
    VoiceForm,
    WithdrawForm,
)
from ..models import OPEN_STATUSES, TEXT_MAX, PhotoStage, Score, Status, Voice, VoicePhoto
from ..photos import photos_by_stage
from ..rules import VOICE_VIEWERS, is_resident_of
from ..services.photos import voice_resolve_with_photos
from ..services.residents import REOPEN_WINDOW, latest_rating
from ..services.submit import praise_targets
from ..text import duplicate_candidates

PER_PAGE = 30
# Live hints while a resident types (debounced by the page): at most this many requests a minute each.
HINTS_PER_MINUTE = 120
HINTS_MIN_CHARS = 4
View = Callable[..., HttpResponse]
# Members of these organizations receive dispatched voices, so they have a queue too.
RECEIVING_KINDS = frozenset({OrgKind.DEPARTMENT, OrgKind.POLICE})


def handles_voices(user: Any) -> bool:
    """Staff who have a voice queue: voice roles over some compound, or a receiving organization."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or compound_filter(user, VOICE_VIEWERS) is not None:
        return True
    return any(m.organization.kind in RECEIVING_KINDS for m in memberships_of(user))


def domain_errors(view: View) -> View:
    """NotAllowed → the 403 page (and an audit event), NotFound → 404."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed:
            match = request.resolver_match
            access_denied_record(
                actor=request.user,
                object_type=f"page:{match.view_name if match else request.path}",
                object_id=next(iter(kwargs.values()), ""),
            )
            return render(request, "403.html", status=403)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapped


# --- Deadlines ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    due: datetime.datetime
    text: str
    overdue: bool


def _hours_text(delta: datetime.timedelta, *, overdue: bool) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours >= 48:
        days = hours // 24
        return (_("Overdue by %(n)d days") if overdue else _("%(n)d days left")) % {"n": days}
    if hours < 1:
        return _("Overdue by less than an hour") if overdue else _("Less than an hour left")
    return (_("Overdue by %(n)d hours") if overdue else _("%(n)d hours left")) % {"n": hours}


def deadline_of(voice: Voice, now: datetime.datetime) -> Deadline | None:
    """The deadline that runs now: the response deadline before acceptance, then the resolution deadline."""
    if voice.status not in OPEN_STATUSES:
        return None
    due = voice.response_due_at if voice.accepted_at is None else voice.resolution_due_at
    if due is None:
        return None
    overdue = due < now
    return Deadline(due=due, text=_hours_text(abs(due - now), overdue=overdue), overdue=overdue)


def _rows(voices: Any) -> list[tuple[Voice, Deadline | None]]:
    now = timezone.now()
    return [(v, deadline_of(v, now)) for v in voices]


# --- Residents ---------------------------------------------------------------------------------------------------


def _resident_compounds(user: Any) -> Any:
    houses = houses_of_resident(user)
    return Compound.objects.filter(pk__in=houses.values("compound_id")).order_by("name")


def _with_raised_photos(voices: Any) -> list[Voice]:
    """The page's voices with ``raised_photos`` (photos raised with them), in one query for the whole page."""
    rows = list(voices)
    prefetch_related_objects(
        rows,
        Prefetch(
            "photos",
            queryset=VoicePhoto.objects.filter(stage=PhotoStage.RAISED).order_by("created_at", "pk"),
            to_attr="raised_photos",
        ),
    )
    return rows


@login_required
@require_GET
def my_voices(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.voices_of_author(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    voices = _with_raised_photos(page.object_list)
    context = {"page": page, "rows": _rows(voices), "compounds": _resident_compounds(request.user)}
    return render(request, "voices/my_voices.html", context)


def _voice_form(request: HttpRequest, data: Any = None, files: Any = None) -> VoiceForm:
    """The raise-a-voice form with sensible defaults: the resident's only house, the building they live in."""
    compounds = list(_resident_compounds(request.user).select_related("community"))
    houses = houses_of_resident(request.user).order_by("building__name", "unit__name", "room")
    buildings = Building.objects.filter(compound__in=compounds).select_related("compound").order_by("sort_key", "name")
    mine = list(houses[:2])
    initial: dict[str, Any] = {"idempotency_key": uuid.uuid4().hex}
    if mine:
        initial["building"] = mine[0].building_id
    if len(mine) == 1:
        initial["house"] = mine[0].pk
    return VoiceForm(
        data,
        files,
        compounds=_resident_compounds(request.user),
        houses=houses,
        buildings=buildings,
        praise_organizations=praise_targets(compounds),
        initial=initial,
    )


def _id(raw: Any) -> int | None:
    text = str(raw or "")
    return int(text) if text.isdigit() and len(text) < 19 else None


def _hints(user: Any, compound: Compound | None, text: str) -> dict[str, Any]:
    """What the page offers while the resident types: a category and likely duplicates they may see — open
    public voices of the compound ("me too"), and their own open voices (open it instead)."""
    text = text.strip()
    if compound is None or len(text) < HINTS_MIN_CHARS:
        return {"suggestion": None, "duplicates": []}
    duplicates = selectors.duplicates_for(user=user, compound=compound, text=text, limit=3)
    own = selectors.voices_of_author(user=user).filter(compound=compound, status__in=OPEN_STATUSES, is_public=False)
    duplicates += [s.item for s in duplicate_candidates(text, ((v, v.text) for v in own[:200]), limit=2)]
    return {"suggestion": selectors.category_for_text(text), "duplicates": duplicates}


@login_required
@require_POST
def compose_hints(request: HttpRequest) -> HttpResponse:
    """htmx, while a resident types: the suggested category and likely duplicates (a fragment)."""
    if rate_limit_hit(scope="voice_hints", key=str(request.user.pk), limit=HINTS_PER_MINUTE):
        return HttpResponse(status=204)  # htmx leaves the page as it is
    compound_id = _id(request.POST.get("compound"))
    compound = _resident_compounds(request.user).filter(pk=compound_id).first() if compound_id else None
    context = {**_hints(request.user, compound, str(request.POST.get("text", ""))[:TEXT_MAX]), "live": True}
    return render(request, "voices/_compose_hints.html", context)


@login_required
@require_GET
def praise_person_options(request: HttpRequest) -> HttpResponse:
    """htmx, when a resident picks whom they praise: the people of that organization (names only)."""
    organizations = praise_targets(_resident_compounds(request.user).select_related("community"))
    organization_id = _id(request.GET.get("praised_organization"))
    organization = organizations.filter(pk=organization_id).first() if organization_id else None
    form = PraisedPersonForm(organization=organization)
    return render(request, "voices/_praise_person.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("voice_submit", per_minute=10)
def voice_new(request: HttpRequest) -> HttpResponse:
    """Raise a voice. "Suggest a category" (or any error) re-shows the form with the suggestion and look-alikes."""
    hints: dict[str, Any] = {"suggestion": None, "duplicates": []}
    photos_lost = False
    if request.method != "POST":
        form = _voice_form(request)
    else:
        text = str(request.POST.get("text", ""))[:TEXT_MAX]
        suggestion = selectors.category_for_text(text) if text.strip() else None
        previewing = "suggest" in request.POST  # without JavaScript: suggest a category, list the praised's people
        data = request.POST.copy()
        if previewing and suggestion is not None and not data.get("category"):
            data["category"] = str(suggestion.pk)  # the suggestion is preselected; the resident may change it
        form = _voice_form(request, data, request.FILES)
        if form.is_valid() and not previewing:
            cleaned: dict[str, Any] = form.cleaned_data
            try:
                voice = services.voice_submit(
                    author=request.user,
                    compound=cleaned["compound"],
                    kind=cleaned["kind"],
                    text=cleaned["text"],
                    location_kind=cleaned["location_kind"],
                    category=cleaned["category"],
                    house=cleaned["house"],
                    building=cleaned["building"],
                    is_public=cleaned["is_public"],
                    praised_organization=cleaned["praised_organization"],
                    praised_user=cleaned["praised_user"],
                    photos=cleaned["photos"],
                    idempotency_key=cleaned["idempotency_key"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Your voice is sent. You can follow it here."))
                return redirect("voices:detail", pk=voice.pk)
        compound = form.cleaned_data.get("compound") if hasattr(form, "cleaned_data") else None
        hints = _hints(request.user, compound, text)
        hints["suggestion"] = suggestion
        photos_lost = bool(request.FILES.getlist("photos"))  # a browser cannot keep chosen files across pages
    context = {
        **hints,
        "form": form,
        "photos_lost": photos_lost,
        "max_photos": VoicePhoto.MAX_PER_VOICE,
        "max_photo_bytes": photo_limits.max_bytes(),
        "max_photo_mb": photo_limits.max_bytes() // (1024 * 1024),
    }
    return render(request, "voices/voice_new.html", context)


@login_required
@require_GET
@domain_errors
def wall(request: HttpRequest, code: str) -> HttpResponse:
    """The compound's public wall: public voices, no names, status, the official reply and "me too"."""
    compound = Compound.objects.select_related("community").filter(code=code).first()
    if compound is None:
        raise Http404(_("No such compound."))
    user = request.user
    resident = is_resident_of(user, compound)
    if not (user.is_superuser or resident or roles_in_compound(user, compound) & VOICE_VIEWERS):
        raise NotAllowed(_("Only residents and staff of this compound see its wall."))
    page = Paginator(selectors.voice_wall(user=user, compound=compound), PER_PAGE).get_page(request.GET.get("page"))
    can_join = OPEN_STATUSES | {Status.RESOLVED}
    context = {
        "compound": compound,
        "page": page,
        "rows": [
            (v, resident and v.author_id != user.pk and v.status in can_join)
            for v in _with_raised_photos(page.object_list)
        ],
    }
    return render(request, "voices/wall.html", context)


# --- One voice ---------------------------------------------------------------------------------------------------


def _detail(request: HttpRequest, voice: Voice, **bound: Any) -> HttpResponse:
    """The voice page: what the user may see of it, and the forms of what they may do."""
    user = request.user
    status = voice.status
    is_author = voice.author_id == user.pk
    rating = latest_rating(voice) if status == Status.RESOLVED else None
    rated = rating is not None and voice.resolved_at is not None and rating.at >= voice.resolved_at
    can_triage = user.has_perm("voices.triage_voice", voice)
    can_handle = user.has_perm("voices.handle_voice", voice)
    can_transfer = user.has_perm("voices.transfer_voice", voice)
    can_dispatch = (can_triage and status in {Status.SUBMITTED, Status.ACCEPTED, Status.REOPENED}) or (
        can_transfer and status == Status.DISPATCHED
    )
    may_reopen = (
        is_author
        and rated
        and rating is not None
        and rating.score == Score.DISSATISFIED
        and voice.resolved_at is not None
        and timezone.now() <= voice.resolved_at + REOPEN_WINDOW
    )

    def form(name: str, cls: Any, show: bool, **kwargs: Any) -> Any:
        if not show:
            return None
        return bound.get(name) or cls(**kwargs)

    photos = photos_by_stage(voice)
    context = {
        "voice": voice,
        "raised_photos": photos[PhotoStage.RAISED],
        "resolved_photos": photos[PhotoStage.RESOLVED],
        "max_photos": VoicePhoto.MAX_PER_VOICE,
        "deadline": deadline_of(voice, timezone.now()),
        "author": selectors.author_label(user=user, voice=voice),
        "timeline": selectors.voice_timeline(user=user, voice=voice).select_related("organization"),
        "replies": selectors.voice_replies(user=user, voice=voice).select_related("organization"),
        "is_author": is_author,
        "is_staff_view": not is_author and user.has_perm("voices.see_author", voice),
        "withdraw_form": form(
            "withdraw_form", WithdrawForm, is_author and Status.WITHDRAWN in Voice.TRANSITIONS.get(status, ())
        ),
        "rate_form": form("rate_form", RateForm, is_author and status == Status.RESOLVED and not rated),
        "reopen_form": form("reopen_form", ReopenForm, may_reopen),
        "accept_form": form("accept_form", AcceptForm, can_triage and status in {Status.SUBMITTED, Status.REOPENED}),
        "reject_form": form("reject_form", RejectForm, can_triage and status == Status.SUBMITTED),
        "dispatch_form": form("dispatch_form", DispatchForm, can_dispatch, compound=voice.compound),
        "resolve_form": form(
            "resolve_form",
            ResolveForm,
            can_handle and status in {Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.REOPENED},
        ),
        "note_form": form("note_form", NoteForm, can_handle),
    }
    return render(request, "voices/voice_detail.html", context)


@login_required
@require_GET
@domain_errors
def voice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    voice = selectors.voice_get(user=request.user, pk=pk)
    services.voice_view_record(actor=request.user, voice=voice)
    return _detail(request, voice)


def _act(
    request: HttpRequest,
    pk: int,
    *,
    form_name: str,
    form: Any,
    call: Callable[[Voice, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Run one service on a valid form: success → message and redirect; a conflict → message and redirect;
    a bad field → the page again with the form and the reason; NotAllowed → 403 (by ``domain_errors``)."""
    voice = selectors.voice_get(user=request.user, pk=pk)
    if form.is_valid():
        try:
            call(voice, form.cleaned_data)
        except NotAllowed:
            raise
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("voices:detail", pk=voice.pk)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, done)
            return redirect("voices:detail", pk=voice.pk)
    messages.error(request, _("Please correct the form below."))
    return _detail(request, voice, **{form_name: form})


def _post_view(scope: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        return login_required(require_POST(domain_errors(posts_limited(scope)(view))))

    return decorate


@_post_view("voice_withdraw")
def voice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        form_name="withdraw_form",
        form=WithdrawForm(request.POST),
        call=lambda v, d: services.voice_withdraw(actor=request.user, voice=v, reason=d["reason"]),
        done=_("Your voice is withdrawn."),
    )


@_post_view("voice_rate")
def voice_rate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        form_name="rate_form",
        form=RateForm(request.POST),
        call=lambda v, d: services.voice_rate(actor=request.user, voice=v, score=d["score"], comment=d["comment"]),
        done=_("Thank you for rating the answer."),
    )


@_post_view("voice_reopen")
def voice_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        form_name="reopen_form",
        form=ReopenForm(request.POST),
        call=lambda v, d: services.voice_reopen(actor=request.user, voice=v, reason=d["reason"]),
        done=_("Your voice is open again."),
    )


@login_required
@require_POST
@domain_errors
@posts_limited("voice_me_too")
def voice_me_too(request: HttpRequest, pk: int) -> HttpResponse:
    voice = selectors.voice_get(user=request.user, pk=pk)
    try:
        services.me_too_add(actor=request.user, voice=voice)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You have joined this voice."))
    if request.headers.get("HX-Request") == "true":  # "me too" while raising a voice: go to the voice joined
        return HttpResponse(status=204, headers={"HX-Redirect": reverse("voices:detail", args=[voice.pk])})
    if request.POST.get("next") == "detail":
        return redirect("voices:detail", pk=voice.pk)
    return redirect("voices:wall", code=voice.compound.code)


@_post_view("voice_accept")
def voice_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        form_name="accept_form",
        form=AcceptForm(request.POST),
        call=lambda v, d: services.voice_accept(actor=request.user, voice=v, note=d["note"]),
        done=_("The voice is accepted."),
    )


@_post_view("voice_reject")
def voice_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        form_name="reject_form",
        form=RejectForm(request.POST),
        call=lambda v, d: services.voice_reject(actor=request.user, voice=v, reason=d["reason"]),
        done=_("The voice is rejected."),
    )


@_post_view("voice_dispatch")
def voice_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    voice = selectors.voice_get(user=request.user, pk=pk)
    return _act(
        request,
        pk,
        form_name="dispatch_form",
        form=DispatchForm(request.POST, compound=voice.compound),
        call=lambda v, d: services.voice_dispatch(
            actor=request.user, voice=v, organization=d["organization"], note=d["note"]
        ),
        done=_("The voice is sent on."),
    )


@_post_view("voice_resolve")
def voice_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        form_name="resolve_form",
        form=ResolveForm(request.POST, request.FILES),
        call=lambda v, d: voice_resolve_with_photos(actor=request.user, voice=v, reply=d["reply"], photos=d["photos"]),
        done=_("The voice is resolved; the resident is asked to rate the answer."),
    )


@_post_view("voice_note")
def voice_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        form_name="note_form",
        form=NoteForm(request.POST),
        call=lambda v, d: services.voice_note_add(actor=request.user, voice=v, text=d["text"]),
        done=_("The note is added."),
    )


# --- Staff: the queue --------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def queue(request: HttpRequest) -> HttpResponse:
    """Open voices in the user's scope (or of one of their organizations), earliest deadline first."""
    if not handles_voices(request.user):
        raise NotAllowed(_("You do not handle residents' voices."))
    organizations = [m.organization for m in memberships_of(request.user)]
    params = request.GET.copy()
    params.pop("page", None)
    form = QueueFilterForm(params or None, organizations=organizations)
    data = form.valid_data() if form.is_bound else {}
    org = data.get("org") or ""
    voices = selectors.voice_queue_list(
        user=request.user,
        organization_id=int(org) if org else None,
        statuses=frozenset({data["status"]}) if data.get("status") else None,
        overdue_only=bool(data.get("overdue")),
        kind=data.get("kind") or "",
        text=data.get("q") or "",
    )
    page = Paginator(voices, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page.object_list),
        "query": urlencode({k: v for k, v in params.items() if v}),
    }
    return render(request, "voices/queue.html", context)
