"""Activities: create, edit, publish, hold, cancel; sign-ups with capacity and waitlist; check-in; feedback;
photos.

Capacity is decided under a row lock on the activity (``select_for_update``): every sign-up, cancellation and
capacity change of one activity runs one at a time, so when two people take the last place at once, one gets
it and the other joins the waitlist. The waitlist is served in order of sign-up; a party that does not fit the
freed places is passed over (it keeps its position) and the next one that fits is promoted, and told.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.estates.models import BindingStatus, Building, Compound, House
from gongzhi.voices.photos import photos_prepare

from ..checkin import EARLY, checkin_token_read
from ..models import (
    CAPACITY_MAX,
    OPEN_SIGNUP,
    PARTY_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Activity,
    ActivityCategory,
    ActivityPhoto,
    ActivityStatus,
    Audience,
    CheckinMethod,
    Feedback,
    Signup,
    SignupMode,
    SignupStatus,
)
from ..rules import is_audience, may_manage, may_view
from ._common import clean_text, notify_later, now_or, photos_store, require, transition, user_or_none

FIELDS = [
    "title",
    "description",
    "category",
    "by_community",
    "by_property",
    "other_organizers",
    "starts_at",
    "ends_at",
    "place",
    "capacity",
    "signup_mode",
    "audience",
]
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "place")


def activity_link(activity: Activity) -> str:
    return f"/activities/{activity.pk}/"


def _lock(activity: Activity | int) -> Activity:
    pk = activity.pk if isinstance(activity, Activity) else activity
    found = Activity.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such activity."))
    return found


def _may_manage(actor: Any, activity_or_compound: Any) -> None:
    require(may_manage(actor, activity_or_compound), _("You may not run activities of this compound."))


def _clean(
    *,
    compound: Compound,
    title: Any,
    description: Any,
    category: Any,
    by_community: Any,
    by_property: Any,
    other_organizers: Any,
    starts_at: Any,
    ends_at: Any,
    place: Any,
    capacity: Any,
    signup_mode: Any,
    audience: Any,
    buildings: Iterable[Building | int],
) -> tuple[dict[str, Any], list[Building]]:
    data: dict[str, Any] = {
        "title": clean_text(title, field="title", max_length=TITLE_MAX),
        "description": clean_text(description, field="description", max_length=TEXT_MAX, required=False),
        "place": clean_text(place, field="place", max_length=200),
        "other_organizers": clean_text(other_organizers, field="other_organizers", required=False),
        "by_community": bool(by_community),
        "by_property": bool(by_property),
    }
    if category not in ActivityCategory.values:
        raise DomainError(_("Choose a category."), field="category")
    data["category"] = category
    if not (data["by_community"] or data["by_property"] or data["other_organizers"]):
        raise DomainError(_("Name at least one organizer."), field="by_community")
    if not isinstance(starts_at, datetime.datetime) or not isinstance(ends_at, datetime.datetime):
        raise DomainError(_("Give the start and end times."), field="starts_at")
    if ends_at <= starts_at:
        raise DomainError(_("The activity must end after it starts."), field="ends_at")
    if ends_at - starts_at > datetime.timedelta(days=7):
        raise DomainError(_("An activity lasts at most 7 days."), field="ends_at")
    data["starts_at"], data["ends_at"] = starts_at, ends_at
    try:
        places = int(capacity)
    except (TypeError, ValueError):
        raise DomainError(_("Give the number of places."), field="capacity") from None
    if not 1 <= places <= CAPACITY_MAX:
        raise DomainError(_("Places must be between 1 and %(max)d.") % {"max": CAPACITY_MAX}, field="capacity")
    data["capacity"] = places
    if signup_mode not in SignupMode.values:
        raise DomainError(_("Choose how people sign up."), field="signup_mode")
    data["signup_mode"] = signup_mode
    if audience not in Audience.values:
        raise DomainError(_("Choose who the activity is for."), field="audience")
    data["audience"] = audience
    chosen: list[Building] = []
    if audience == Audience.BUILDINGS:
        ids = [b.pk if isinstance(b, Building) else int(b) for b in buildings]
        chosen = list(Building.objects.filter(compound=compound, pk__in=ids))
        if not chosen or len(chosen) != len(set(ids)):
            raise DomainError(_("Choose the buildings of this compound the activity is for."), field="buildings")
    return data, chosen


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    compound: Compound,
    title: str,
    category: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    capacity: int,
    description: str = "",
    by_community: bool = True,
    by_property: bool = False,
    other_organizers: str = "",
    signup_mode: str = SignupMode.PERSON,
    audience: str = Audience.COMPOUND,
    buildings: Iterable[Building | int] = (),
    publish: bool = False,
    now: datetime.datetime | None = None,
) -> Activity:
    """A new activity of the compound (a draft, or published at once); it may not start in the past."""
    _may_manage(actor, compound)
    at = now_or(now)
    data, chosen = _clean(
        compound=compound,
        title=title,
        description=description,
        category=category,
        by_community=by_community,
        by_property=by_property,
        other_organizers=other_organizers,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        capacity=capacity,
        signup_mode=signup_mode,
        audience=audience,
        buildings=buildings,
    )
    if data["starts_at"] <= at:
        raise DomainError(_("The activity must start in the future."), field="starts_at")
    activity = Activity.objects.create(
        community_id=compound.community_id,
        compound=compound,
        created_by=user_or_none(actor),
        checkin_nonce=secrets.token_hex(8),
        **data,
    )
    if chosen:
        activity.buildings.set(chosen)
    audit_record(
        actor=actor,
        verb="activity.create",
        obj=activity,
        community_id=activity.community_id,
        after={**snapshot(activity, FIELDS), "buildings": [b.pk for b in chosen]},
    )
    if publish:
        activity_publish(actor=actor, activity=activity, now=at)
        activity.refresh_from_db()
    return activity


@transaction.atomic
def activity_update(
    *,
    actor: Any,
    activity: Activity | int,
    now: datetime.datetime | None = None,
    buildings: Iterable[Building | int] = (),
    **fields: Any,
) -> Activity:
    """Change a draft or published activity. Fewer places than are taken is refused; more places promote the
    waitlist; a new time or place goes to everyone signed up."""
    locked = _lock(activity)
    _may_manage(actor, locked)
    if locked.status not in (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED):
        raise Conflict(_("A held or cancelled activity cannot be changed."), code="bad_transition")
    at = now_or(now)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise DomainError(_("Unknown field: %(name)s.") % {"name": ", ".join(sorted(unknown))})
    before = snapshot(locked, FIELDS)
    merged = {name: fields.get(name, getattr(locked, name)) for name in FIELDS}
    if "buildings" not in fields and not buildings:
        buildings = list(locked.buildings.values_list("pk", flat=True))
    data, chosen = _clean(compound=locked.compound, buildings=buildings, **merged)
    if data["starts_at"] != locked.starts_at and data["starts_at"] <= at:
        raise DomainError(_("The activity must start in the future."), field="starts_at")
    taken = _taken(locked)
    if data["capacity"] < taken:
        raise DomainError(
            _("%(n)d places are taken already: give at least that many.") % {"n": taken}, field="capacity"
        )
    moved = any(data[k] != getattr(locked, k) for k in CALENDAR_FIELDS)
    for name, value in data.items():
        setattr(locked, name, value)
    if moved:
        locked.sequence += 1
    locked.save()
    locked.buildings.set(chosen)
    audit_record(
        actor=actor,
        verb="activity.update",
        obj=locked,
        community_id=locked.community_id,
        before=before,
        after=snapshot(locked, FIELDS),
    )
    if locked.status == ActivityStatus.PUBLISHED:
        _promote(locked, at=at)
        if moved:
            start = timezone.localtime(locked.starts_at)
            notify_later(
                recipients=_open_users(locked),
                verb="activity.changed",
                title=_("Changed: %(title)s") % {"title": locked.title},
                body=f"{start:%Y-%m-%d %H:%M} {locked.place}",
                link=activity_link(locked),
                key=f"activity:{locked.pk}:changed:{locked.sequence}",
                community_id=locked.community_id,
            )
    return locked


@transaction.atomic
def activity_publish(*, actor: Any, activity: Activity | int, now: datetime.datetime | None = None) -> Activity:
    locked = _lock(activity)
    _may_manage(actor, locked)
    transition(locked, ActivityStatus.PUBLISHED)
    at = now_or(now)
    if locked.ends_at <= at:
        raise DomainError(_("This activity is over: it cannot be published."), field="starts_at")
    locked.status = ActivityStatus.PUBLISHED
    locked.published_at = at
    locked.sequence += 1
    locked.save(update_fields=["status", "published_at", "sequence", "updated_at"])
    audit_record(actor=actor, verb="activity.publish", obj=locked, community_id=locked.community_id)
    return locked


@transaction.atomic
def activity_hold(*, actor: Any, activity: Activity | int, now: datetime.datetime | None = None) -> Activity:
    """Mark a published activity as held, once it has started."""
    locked = _lock(activity)
    _may_manage(actor, locked)
    transition(locked, ActivityStatus.HELD)
    at = now_or(now)
    if at < locked.starts_at:
        raise DomainError(_("The activity has not started yet."))
    locked.status = ActivityStatus.HELD
    locked.held_at = at
    locked.save(update_fields=["status", "held_at", "updated_at"])
    audit_record(actor=actor, verb="activity.hold", obj=locked, community_id=locked.community_id)
    return locked


@transaction.atomic
def activity_cancel(
    *, actor: Any, activity: Activity | int, reason: str, now: datetime.datetime | None = None
) -> Activity:
    """Cancel a draft or published activity, with a reason; everyone signed up is told."""
    locked = _lock(activity)
    _may_manage(actor, locked)
    transition(locked, ActivityStatus.CANCELLED)
    text = clean_text(reason, field="reason")
    at = now_or(now)
    users = _open_users(locked)
    locked.status = ActivityStatus.CANCELLED
    locked.cancelled_at = at
    locked.cancel_reason = text
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "sequence", "updated_at"])
    audit_record(
        actor=actor, verb="activity.cancel", obj=locked, community_id=locked.community_id, after={"reason": text}
    )
    if locked.published_at is not None:
        notify_later(
            recipients=users,
            verb="activity.cancelled",
            title=_("Cancelled: %(title)s") % {"title": locked.title},
            body=text,
            link=activity_link(locked),
            key=f"activity:{locked.pk}:cancelled",
            community_id=locked.community_id,
        )
    return locked


@transaction.atomic
def checkin_rotate(*, actor: Any, activity: Activity | int) -> Activity:
    """A new check-in code: earlier codes (a photo of the screen in a chat group) no longer work."""
    locked = _lock(activity)
    _may_manage(actor, locked)
    locked.checkin_nonce = secrets.token_hex(8)
    locked.save(update_fields=["checkin_nonce", "updated_at"])
    audit_record(actor=actor, verb="activity.checkin_rotate", obj=locked, community_id=locked.community_id)
    return locked


# --- sign-ups -------------------------------------------------------------------------------------------------------


def _taken(activity: Activity) -> int:
    return int(
        Signup.objects.filter(
            community_id=activity.community_id, activity=activity, status=SignupStatus.CONFIRMED
        ).aggregate(n=Sum("party_size", default=0))["n"]
    )


def _open_users(activity: Activity) -> list[Any]:
    return [
        s.user
        for s in Signup.objects.filter(
            community_id=activity.community_id, activity=activity, status__in=OPEN_SIGNUP
        ).select_related("user")
    ]


def _party(activity: Activity, party_size: Any) -> int:
    try:
        size = int(party_size)
    except (TypeError, ValueError):
        raise DomainError(_("Give how many people come."), field="party_size") from None
    if activity.signup_mode == SignupMode.PERSON:
        if size != 1:
            raise DomainError(_("This activity takes sign-ups one person at a time."), field="party_size")
        return 1
    if not 1 <= size <= PARTY_MAX:
        raise DomainError(
            _("A household signs up between 1 and %(max)d people.") % {"max": PARTY_MAX}, field="party_size"
        )
    return size


@transaction.atomic
def signup_create(
    *,
    actor: Any,
    activity: Activity | int,
    party_size: Any = 1,
    is_elderly: bool = False,
    now: datetime.datetime | None = None,
) -> Signup:
    """Sign the actor (and their household) up: a place while places last, else the waitlist."""
    locked = _lock(activity)
    if not may_view(actor, locked):
        raise NotFound(_("No such activity."))
    if not is_audience(actor, locked):
        raise NotAllowed(_("Only residents this activity is for may sign up."))
    if locked.status != ActivityStatus.PUBLISHED:
        raise Conflict(_("Sign-up for this activity is closed."), code="signup_closed")
    at = now_or(now)
    if at >= locked.starts_at:
        raise DomainError(_("This activity has started: sign-up is closed."), code="signup_closed")
    size = _party(locked, party_size)
    if locked.audience == Audience.ELDERLY and not is_elderly:
        raise DomainError(
            _("This activity is for residents aged 60 or over: confirm that you (or someone coming) are."),
            field="is_elderly",
        )
    existing = Signup.objects.filter(
        community_id=locked.community_id, activity=locked, user=actor, status__in=OPEN_SIGNUP
    ).first()
    if existing is not None:
        raise Conflict(
            _("You have signed up already (%(status)s).") % {"status": existing.get_status_display()},
            code="signup_twice",
        )
    house = (
        House.objects.filter(
            compound_id=locked.compound_id, bindings__user=actor, bindings__status=BindingStatus.APPROVED
        )
        .order_by("pk")
        .first()
    )
    status = SignupStatus.CONFIRMED if _taken(locked) + size <= locked.capacity else SignupStatus.WAITLISTED
    try:
        with transaction.atomic():
            signup = Signup.objects.create(
                community_id=locked.community_id,
                activity=locked,
                user=actor,
                house=house,
                party_size=size,
                is_elderly=bool(is_elderly),
                status=status,
            )
    except IntegrityError:
        raise Conflict(_("You have signed up already."), code="signup_twice") from None
    audit_record(
        actor=actor,
        verb="activity.signup",
        obj=signup,
        community_id=locked.community_id,
        after={"activity": locked.pk, "status": status, "party_size": size},
    )
    return signup


def _promote(activity: Activity, *, at: datetime.datetime) -> list[Signup]:
    """Confirm waiting sign-ups in order while they fit (the activity's row is locked by the caller)."""
    if activity.status != ActivityStatus.PUBLISHED or at >= activity.ends_at:
        return []
    free = activity.capacity - _taken(activity)
    promoted: list[Signup] = []
    if free <= 0:
        return promoted
    waiting = Signup.objects.filter(
        community_id=activity.community_id, activity=activity, status=SignupStatus.WAITLISTED
    ).order_by("created_at", "id")
    for signup in waiting.select_related("user"):
        if signup.party_size > free:
            continue
        signup.status = SignupStatus.CONFIRMED
        signup.promoted_at = at
        signup.save(update_fields=["status", "promoted_at", "updated_at"])
        free -= signup.party_size
        promoted.append(signup)
        audit_record(
            actor=None,
            verb="activity.signup_promote",
            obj=signup,
            community_id=activity.community_id,
            after={"activity": activity.pk},
        )
        start = timezone.localtime(activity.starts_at)
        notify_later(
            recipients=[signup.user],
            verb="activity.promoted",
            title=_("A place is yours: %(title)s") % {"title": activity.title},
            body=f"{start:%Y-%m-%d %H:%M} {activity.place}",
            link=activity_link(activity),
            key=f"activity:{activity.pk}:promoted:{signup.pk}",
            community_id=activity.community_id,
        )
        if free <= 0:
            break
    return promoted


@transaction.atomic
def signup_cancel(*, actor: Any, signup: Signup | int, now: datetime.datetime | None = None) -> Signup:
    """Cancel one's own sign-up (or staff cancel anyone's); a freed place goes to the waitlist."""
    pk = signup.pk if isinstance(signup, Signup) else signup
    found = Signup.objects.filter(pk=pk).only("activity_id").first()
    if found is None:
        raise NotFound(_("No such sign-up."))
    locked = _lock(found.activity_id)
    row = Signup.objects.select_for_update().get(pk=pk)
    if row.user_id != getattr(actor, "pk", None) and not may_manage(actor, locked):
        raise NotAllowed(_("You may cancel only your own sign-up."))
    transition(row, SignupStatus.CANCELLED)
    at = now_or(now)
    if locked.status != ActivityStatus.PUBLISHED or at >= locked.starts_at:
        raise Conflict(_("This activity has started or is over: the sign-up stays."), code="signup_closed")
    was = row.status
    row.status = SignupStatus.CANCELLED
    row.cancelled_at = at
    row.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="activity.signup_cancel",
        obj=row,
        community_id=row.community_id,
        before={"status": was},
        after={"status": row.status},
    )
    if was == SignupStatus.CONFIRMED:
        _promote(locked, at=at)
    return row


# --- check-in and attendance ------------------------------------------------------------------------------------------


def _window(activity: Activity, at: datetime.datetime) -> None:
    if activity.status not in (ActivityStatus.PUBLISHED, ActivityStatus.HELD):
        raise DomainError(
            _("Check-in is closed: this activity is %(state)s.") % {"state": activity.get_status_display()},
            code="checkin_closed",
        )
    if at < activity.starts_at - EARLY:
        opens = timezone.localtime(activity.starts_at - EARLY)
        raise DomainError(
            _("Check-in opens at %(time)s, half an hour before the start.") % {"time": f"{opens:%Y-%m-%d %H:%M}"},
            code="checkin_early",
        )
    if at > activity.ends_at:
        raise DomainError(_("Check-in closed when the activity ended."), code="checkin_late")


@transaction.atomic
def checkin_scan(*, actor: Any, activity: Activity | int, token: str, now: datetime.datetime | None = None) -> Signup:
    """Check the actor in with the code scanned at the activity: signed up (with a place), in the window, once."""
    at = now_or(now)
    code = checkin_token_read(token, now=at)
    pk = activity.pk if isinstance(activity, Activity) else activity
    if code.activity_id != pk:
        raise DomainError(
            _("This check-in code is not valid: scan the code shown at the activity."),
            field="token",
            code="checkin_invalid",
        )
    locked = _lock(pk)
    if code.nonce != locked.checkin_nonce:
        raise DomainError(
            _("This check-in code was replaced: scan the code shown at the activity now."),
            field="token",
            code="checkin_replaced",
        )
    _window(locked, at)
    row = (
        Signup.objects.select_for_update()
        .filter(community_id=locked.community_id, activity=locked, user=actor, status__in=OPEN_SIGNUP)
        .first()
    )
    if row is None:
        raise DomainError(_("You have not signed up for this activity."), code="checkin_no_signup")
    if row.status == SignupStatus.WAITLISTED:
        raise DomainError(
            _("You are on the waitlist: ask the staff at the activity whether a place is free."),
            code="checkin_waitlisted",
        )
    if row.checked_in_at is not None:
        raise Conflict(
            _("You checked in already at %(time)s.") % {"time": f"{timezone.localtime(row.checked_in_at):%H:%M}"},
            code="checkin_twice",
        )
    row.checked_in_at = at
    row.checkin_method = CheckinMethod.QR
    row.save(update_fields=["checked_in_at", "checkin_method", "updated_at"])
    audit_record(actor=actor, verb="activity.checkin", obj=row, community_id=row.community_id, after={"method": "qr"})
    return row


@transaction.atomic
def attendance_mark(*, actor: Any, signup: Signup | int, present: bool, now: datetime.datetime | None = None) -> Signup:
    """Staff mark someone with a place present (or take it back)."""
    pk = signup.pk if isinstance(signup, Signup) else signup
    found = Signup.objects.filter(pk=pk).only("activity_id").first()
    if found is None:
        raise NotFound(_("No such sign-up."))
    locked = _lock(found.activity_id)
    _may_manage(actor, locked)
    row = Signup.objects.select_for_update().get(pk=pk)
    at = now_or(now)
    if locked.status not in (ActivityStatus.PUBLISHED, ActivityStatus.HELD):
        raise Conflict(_("Attendance is not taken for this activity."), code="checkin_closed")
    if row.status != SignupStatus.CONFIRMED:
        raise DomainError(_("Only someone with a place can be marked present."), code="checkin_no_signup")
    before = {"checked_in_at": row.checked_in_at}
    if present:
        if row.checked_in_at is not None:
            raise Conflict(_("Already marked present."), code="checkin_twice")
        if at < locked.starts_at - EARLY:
            raise DomainError(_("The activity has not started yet."), code="checkin_early")
        row.checked_in_at = at
        row.checkin_method = CheckinMethod.STAFF
        row.checked_in_by = user_or_none(actor)
    else:
        if row.checked_in_at is None:
            raise Conflict(_("Not marked present."), code="checkin_absent")
        row.checked_in_at = None
        row.checkin_method = ""
        row.checked_in_by = None
    row.save(update_fields=["checked_in_at", "checkin_method", "checked_in_by", "updated_at"])
    audit_record(
        actor=actor,
        verb="activity.attendance_mark",
        obj=row,
        community_id=row.community_id,
        before=before,
        after={"checked_in_at": row.checked_in_at},
    )
    return row


# --- feedback and photos ----------------------------------------------------------------------------------------------


@transaction.atomic
def feedback_give(*, actor: Any, activity: Activity | int, rating: Any, comment: str = "") -> Feedback:
    """An attendee rates the activity (1–5) with an optional comment, once."""
    pk = activity.pk if isinstance(activity, Activity) else activity
    found = Activity.objects.filter(pk=pk).first()
    if found is None or not may_view(actor, found):
        raise NotFound(_("No such activity."))
    attended = Signup.objects.filter(
        community_id=found.community_id, activity=found, user=actor, checked_in_at__isnull=False
    ).exists()
    if not attended:
        raise NotAllowed(_("Only those who attended may give feedback."))
    try:
        score = int(rating)
    except (TypeError, ValueError):
        raise DomainError(_("Choose a rating from 1 to 5."), field="rating") from None
    if not 1 <= score <= 5:
        raise DomainError(_("Choose a rating from 1 to 5."), field="rating")
    text = clean_text(comment, field="comment", max_length=TEXT_MAX, required=False)
    if Feedback.objects.filter(community_id=found.community_id, activity=found, user=actor).exists():
        raise Conflict(_("You have given feedback on this activity already."), code="feedback_twice")
    try:
        with transaction.atomic():
            row = Feedback.objects.create(
                community_id=found.community_id, activity=found, user=actor, rating=score, comment=text
            )
    except IntegrityError:
        raise Conflict(_("You have given feedback on this activity already."), code="feedback_twice") from None
    audit_record(actor=actor, verb="activity.feedback", obj=row, community_id=row.community_id, after={"rating": score})
    return row


def activity_photos_add(*, actor: Any, activity: Activity | int, photos: Sequence[Any]) -> list[ActivityPhoto]:
    """Add photos to the gallery; each is checked and re-encoded first (outside the transaction)."""
    if not photos:
        raise DomainError(_("Choose at least one photo."), field="photos")
    prepared = photos_prepare(photos)
    return _photos_add(actor=actor, activity=activity, prepared=prepared)


@transaction.atomic
def _photos_add(*, actor: Any, activity: Activity | int, prepared: Sequence[Any]) -> list[ActivityPhoto]:
    locked = _lock(activity)
    _may_manage(actor, locked)
    if locked.status not in (ActivityStatus.PUBLISHED, ActivityStatus.HELD):
        raise Conflict(_("Photos are added to published or held activities."), code="bad_transition")
    already = ActivityPhoto.objects.filter(community_id=locked.community_id, activity=locked).count()
    if already + len(prepared) > ActivityPhoto.MAX_PER_ACTIVITY:
        raise DomainError(
            _("An activity has at most %(max)d photos (it has %(n)d).")
            % {"max": ActivityPhoto.MAX_PER_ACTIVITY, "n": already},
            field="photos",
        )
    rows = photos_store(
        model=ActivityPhoto,
        prepared=prepared,
        fields={"community_id": locked.community_id, "activity": locked, "uploaded_by": user_or_none(actor)},
    )
    audit_record(
        actor=actor,
        verb="activity.photos_add",
        obj=locked,
        community_id=locked.community_id,
        after={"photos": [r.pk for r in rows]},
    )
    return rows  # type: ignore[return-value]
