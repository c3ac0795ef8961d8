"""Posts, their weekly pattern and staffing rule; the community's duty calendar; generating shifts."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_build, audit_record
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import Compound

from ..models import DayKind, DutyCalendarDay, DutyPost, PostKind, Shift, ShiftPattern
from ..rules import may_manage
from ..schedule import CalendarRange, Slot, day_plan, shift_times
from ._common import NAME_MAX, clean_text, require

MAX_PER_KIND = 20
MAX_PLACES = 50
MAX_SLOTS = 6
# A roster is generated for at most this many days at once (a school year and a bit).
MAX_DAYS = 400
BATCH = 2000


def _not_manager() -> str:
    return _("You may not manage the duty posts of this compound.")


def _clean_rule(*, min_officers: int, min_property: int, min_volunteers: int, places: int) -> None:
    for field, value in (
        ("min_officers", min_officers),
        ("min_property", min_property),
        ("min_volunteers", min_volunteers),
    ):
        if not 0 <= value <= MAX_PER_KIND:
            raise DomainError(_("Between 0 and %(max)d.") % {"max": MAX_PER_KIND}, field=field, code="out_of_range")
    if not 1 <= places <= MAX_PLACES:
        raise DomainError(_("Between 1 and %(max)d.") % {"max": MAX_PLACES}, field="places", code="out_of_range")
    if places < min_officers + min_property + min_volunteers:
        raise DomainError(
            _("A shift must have room for the people its rule requires."), field="places", code="rule_exceeds_places"
        )


def _clean_slots(weekdays: Iterable[int], times: Sequence[tuple[datetime.time, datetime.time]]) -> list[Slot]:
    days = sorted(set(weekdays))
    if not days or any(not 0 <= d <= 6 for d in days):
        raise DomainError(_("Choose at least one weekday."), field="weekdays", code="required")
    if not times:
        raise DomainError(_("Give at least one time, such as 07:20-08:00."), field="times", code="required")
    if len(times) > MAX_SLOTS:
        raise DomainError(_("At most %(max)d times a day.") % {"max": MAX_SLOTS}, field="times", code="too_many")
    ordered = sorted(times)
    for starts, ends in ordered:
        if ends <= starts:
            raise DomainError(_("A shift must end after it starts."), field="times", code="ends_before_start")
    for (_s1, e1), (s2, _e2) in itertools.pairwise(ordered):
        if s2 < e1:
            raise DomainError(_("The times of a day must not overlap."), field="times", code="overlap")
    return [Slot(d, s, e) for d in days for s, e in ordered]


def _post_fields(post: DutyPost) -> dict[str, Any]:
    return {
        "name": post.name,
        "kind": post.kind,
        "place": post.place,
        "min_officers": post.min_officers,
        "min_property": post.min_property,
        "min_volunteers": post.min_volunteers,
        "places": post.places,
        "follows_calendar": post.follows_calendar,
        "is_active": post.is_active,
    }


@transaction.atomic
def post_create(
    *,
    actor: Any,
    compound: Compound,
    name: str,
    kind: str = PostKind.SCHOOL_SAFETY,
    place: str = "",
    follows_calendar: bool = True,
    min_officers: int = 0,
    min_property: int = 0,
    min_volunteers: int = 0,
    places: int = 4,
    weekdays: Iterable[int],
    times: Sequence[tuple[datetime.time, datetime.time]],
) -> DutyPost:
    """A new duty post of the compound with its weekly pattern and staffing rule."""
    require(may_manage(actor, compound), _not_manager())
    if kind not in PostKind.values:
        raise DomainError(_("Choose a kind of post."), field="kind", code="invalid")
    _clean_rule(min_officers=min_officers, min_property=min_property, min_volunteers=min_volunteers, places=places)
    slots = _clean_slots(weekdays, times)
    post = DutyPost.objects.create(
        community_id=compound.community_id,
        compound=compound,
        name=clean_text(name, field="name", max_length=NAME_MAX),
        kind=kind,
        place=clean_text(place, field="place", max_length=NAME_MAX, required=False),
        follows_calendar=follows_calendar,
        min_officers=min_officers,
        min_property=min_property,
        min_volunteers=min_volunteers,
        places=places,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    ShiftPattern.objects.bulk_create(
        [ShiftPattern(post=post, weekday=s.weekday, starts=s.starts, ends=s.ends) for s in slots]
    )
    audit_record(
        actor=actor,
        verb="duty.post_create",
        obj=post,
        community_id=post.community_id,
        after={**_post_fields(post), "slots": [f"{s.weekday} {s.starts}-{s.ends}" for s in slots]},
    )
    return post


@transaction.atomic
def post_update(
    *,
    actor: Any,
    post: DutyPost,
    name: str,
    place: str = "",
    min_officers: int,
    min_property: int,
    min_volunteers: int,
    places: int,
    is_active: bool = True,
) -> DutyPost:
    """Change a post's name, place and staffing rule (the pattern stays; shifts already made keep their times)."""
    locked = DutyPost.objects.select_for_update().select_related("compound").filter(pk=post.pk).first()
    if locked is None:
        raise NotFound(_("No such duty post."))
    require(may_manage(actor, locked.compound), _not_manager())
    _clean_rule(min_officers=min_officers, min_property=min_property, min_volunteers=min_volunteers, places=places)
    before = _post_fields(locked)
    locked.name = clean_text(name, field="name", max_length=NAME_MAX)
    locked.place = clean_text(place, field="place", max_length=NAME_MAX, required=False)
    locked.min_officers, locked.min_property, locked.min_volunteers = min_officers, min_property, min_volunteers
    locked.places = places
    locked.is_active = is_active
    locked.save()
    audit_record(
        actor=actor,
        verb="duty.post_update",
        obj=locked,
        community_id=locked.community_id,
        before=before,
        after=_post_fields(locked),
    )
    return locked


# --- The duty calendar -------------------------------------------------------------------------------------------


@transaction.atomic
def calendar_day_add(
    *,
    actor: Any,
    compound: Compound,
    kind: str,
    name: str,
    first_day: datetime.date,
    last_day: datetime.date,
    as_weekday: int = 0,
) -> DutyCalendarDay:
    """Mark a range of days of the compound's community as a holiday, a vacation or a make-up workday."""
    require(may_manage(actor, compound), _not_manager())
    if kind not in DayKind.values:
        raise DomainError(_("Choose holiday, vacation or make-up workday."), field="kind", code="invalid")
    if last_day < first_day:
        raise DomainError(_("The last day must not be before the first."), field="last_day", code="range")
    if (last_day - first_day).days > 120:
        raise DomainError(_("At most 120 days at once."), field="last_day", code="range")
    if not 0 <= as_weekday <= 6:
        raise DomainError(_("Choose a weekday."), field="as_weekday", code="invalid")
    day = DutyCalendarDay.objects.create(
        community_id=compound.community_id,
        kind=kind,
        name=clean_text(name, field="name", max_length=NAME_MAX),
        first_day=first_day,
        last_day=last_day,
        as_weekday=as_weekday,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        verb="duty.calendar_add",
        obj=day,
        community_id=day.community_id,
        after={"kind": kind, "name": day.name, "first_day": first_day, "last_day": last_day},
    )
    return day


@transaction.atomic
def calendar_day_remove(*, actor: Any, compound: Compound, day: DutyCalendarDay | int) -> None:
    require(may_manage(actor, compound), _not_manager())
    pk = day if isinstance(day, int) else day.pk
    found = DutyCalendarDay.objects.filter(community_id=compound.community_id, pk=pk).first()
    if found is None:
        raise NotFound(_("No such calendar entry."))
    audit_record(
        actor=actor,
        verb="duty.calendar_remove",
        obj=found,
        community_id=found.community_id,
        before={"kind": found.kind, "name": found.name, "first_day": found.first_day, "last_day": found.last_day},
    )
    found.delete()


# --- Generating shifts ---------------------------------------------------------------------------------------------


def _check_range(first_day: datetime.date, last_day: datetime.date) -> None:
    if last_day < first_day:
        raise DomainError(_("The last day must not be before the first."), field="last_day", code="range")
    if (last_day - first_day).days >= MAX_DAYS:
        raise DomainError(_("At most %(days)d days at once.") % {"days": MAX_DAYS}, field="last_day", code="range")


@transaction.atomic
def rosters_generate(
    *, actor: Any, posts: Sequence[DutyPost], first_day: datetime.date, last_day: datetime.date
) -> dict[str, int]:
    """Make the shifts of ``posts`` from ``first_day`` to ``last_day`` (a term, a school year) from their weekly
    patterns and their communities' calendars, in bulk; run again after the calendar changes, it adds what is
    missing, removes empty shifts that no longer fit (a new holiday), cancels those with people on them (the
    roster page shows them) and restores cancelled ones that fit again. Returns counts."""
    _check_range(first_day, last_day)
    posts = list(posts)
    compounds = {p.compound_id: p.compound for p in posts}
    for compound in compounds.values():
        require(may_manage(actor, compound), _not_manager())
    post_ids = [p.pk for p in posts]
    slots: dict[int, list[Slot]] = {}
    for row in ShiftPattern.objects.filter(post_id__in=post_ids):
        slots.setdefault(row.post_id, []).append(Slot(row.weekday, row.starts, row.ends))
    community_ids = {p.community_id for p in posts}
    calendars: dict[int, list[CalendarRange]] = {}
    for cal in DutyCalendarDay.objects.filter(
        community_id__in=community_ids, first_day__lte=last_day, last_day__gte=first_day
    ):
        calendars.setdefault(cal.community_id, []).append(
            CalendarRange(cal.kind, cal.first_day, cal.last_day, cal.as_weekday)
        )
    plans = {c: day_plan(ranges, first_day, last_day) for c, ranges in calendars.items()}
    existing: dict[tuple[int, datetime.datetime], tuple[int, bool, bool]] = {}
    for pk, post_id, starts_at, cancelled, taken in (
        Shift.objects.filter(community_id__in=community_ids, post_id__in=post_ids, date__gte=first_day)
        .filter(date__lte=last_day)
        .values_list("pk", "post_id", "starts_at", "cancelled", "assignments")
    ):
        key = (post_id, starts_at)
        prior = existing.get(key)
        existing[key] = (pk, cancelled, taken is not None or (prior is not None and prior[2]))
    new: list[Shift] = []
    wanted: set[tuple[int, datetime.datetime]] = set()
    for post in posts:
        plan = plans.get(post.community_id, {}) if post.follows_calendar else {}
        for day, starts_at, ends_at in shift_times(slots.get(post.pk, []), first_day, last_day, plan=plan):
            key = (post.pk, starts_at)
            wanted.add(key)
            if key not in existing:
                new.append(
                    Shift(community_id=post.community_id, post=post, date=day, starts_at=starts_at, ends_at=ends_at)
                )
    Shift.objects.bulk_create(new, batch_size=BATCH)
    stale = [(pk, taken) for key, (pk, cancelled, taken) in existing.items() if key not in wanted and not cancelled]
    removed = [pk for pk, taken in stale if not taken]
    cancelled_ids = [pk for pk, taken in stale if taken]
    restored = [pk for key, (pk, cancelled, _t) in existing.items() if key in wanted and cancelled]
    for chunk in range(0, len(removed), BATCH):
        Shift.objects.filter(pk__in=removed[chunk : chunk + BATCH]).delete()
    for ids, value in ((cancelled_ids, True), (restored, False)):
        for chunk in range(0, len(ids), BATCH):
            Shift.objects.filter(pk__in=ids[chunk : chunk + BATCH]).update(cancelled=value)
    counts = {"created": len(new), "removed": len(removed), "cancelled": len(cancelled_ids), "restored": len(restored)}
    AuditEvent.objects.bulk_create(
        [
            audit_build(
                actor=actor,
                verb="duty.roster_generate",
                obj=post,
                community_id=post.community_id,
                after={"first_day": first_day, "last_day": last_day, **counts},
            )
            for post in posts
        ],
        batch_size=BATCH,
    )
    return counts
