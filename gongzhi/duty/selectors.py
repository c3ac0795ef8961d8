"""Reads of duty posts, shifts and volunteers, scoped by the user's roles (estates/scope.py).

The roster and coverage pages read a fixed number of queries whatever the number of shifts (a test asserts
it): the shifts of the range with their counts per kind annotated, and the people on them prefetched.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.estates.models import BindingStatus, Compound, HouseBinding
from gongzhi.estates.scope import compound_filter

from .models import (
    Assignment,
    DutyCalendarDay,
    DutyPost,
    NameDisplay,
    ServeKind,
    Shift,
    SwapRequest,
    SwapStatus,
    Volunteer,
    VolunteerStatus,
)
from .rules import MANAGERS, REGISTER_READERS, VIEWERS, may_manage, may_view_honour, may_view_roster

HOUR = Decimal(3600)
TWO_PLACES = Decimal("0.01")
OPEN_DAYS = 21
SWAP_DAYS = 60
KINDS = (ServeKind.OFFICER, ServeKind.PROPERTY, ServeKind.VOLUNTEER)


def compounds_for(user: Any, roles: Iterable[str] = VIEWERS) -> QuerySet[Compound]:
    """The compounds where the user holds one of ``roles`` (every compound for superusers)."""
    qs = Compound.objects.select_related("community").order_by("name", "pk")
    if getattr(user, "is_superuser", False):
        return qs
    q = compound_filter(user, roles)
    return qs.filter(q) if q is not None else qs.none()


def managed_compounds(user: Any) -> QuerySet[Compound]:
    return compounds_for(user, MANAGERS)


def register_compounds(user: Any) -> QuerySet[Compound]:
    return compounds_for(user, REGISTER_READERS)


def compound_get(*, user: Any, pk: int, manage: bool = False) -> Compound:
    compound = Compound.objects.select_related("community", "community__parent").filter(pk=pk).first()
    if compound is None:
        raise NotFound(_("No such compound."))
    allowed = may_manage(user, compound) if manage else may_view_roster(user, compound)
    if not allowed:
        raise NotAllowed(_("You do not have access to this compound's duty posts."))
    return compound


def posts_visible(user: Any) -> QuerySet[DutyPost]:
    compounds = compounds_for(user).values("pk")
    return (
        DutyPost.objects.filter(compound_id__in=compounds).select_related("compound").order_by("compound__name", "name")
    )


def post_get(*, user: Any, pk: int) -> DutyPost:
    post = (
        DutyPost.objects.select_related("compound", "compound__community", "compound__community__parent")
        .prefetch_related("patterns")
        .filter(pk=pk)
        .first()
    )
    if post is None:
        raise NotFound(_("No such duty post."))
    if not may_view_roster(user, post.compound):
        raise NotAllowed(_("You do not have access to this compound's duty posts."))
    return post


def _with_counts(qs: QuerySet[Shift]) -> QuerySet[Shift]:
    return qs.annotate(
        n_officer=Count("assignments", filter=Q(assignments__kind=ServeKind.OFFICER)),
        n_property=Count("assignments", filter=Q(assignments__kind=ServeKind.PROPERTY)),
        n_volunteer=Count("assignments", filter=Q(assignments__kind=ServeKind.VOLUNTEER)),
        n_total=Count("assignments"),
    )


@dataclass
class ShiftRow:
    shift: Shift
    counts: dict[str, int]
    met: bool
    people: list[Assignment] = field(default_factory=list)
    short: list[tuple[str, int]] = field(default_factory=list)

    @property
    def open_places(self) -> int:
        return max(0, self.shift.post.places - sum(self.counts.values()))


def _row(shift: Shift, post: DutyPost) -> ShiftRow:
    counts: dict[str, int] = {
        ServeKind.OFFICER: getattr(shift, "n_officer", 0),
        ServeKind.PROPERTY: getattr(shift, "n_property", 0),
        ServeKind.VOLUNTEER: getattr(shift, "n_volunteer", 0),
    }
    short = [(str(ServeKind(k).label), post.minimum(k) - counts[k]) for k in KINDS if counts[k] < post.minimum(k)]
    shift.post = post
    return ShiftRow(shift=shift, counts=counts, met=not short and not shift.cancelled, short=short)


def _range(post: DutyPost, first: datetime.date, last: datetime.date) -> QuerySet[Shift]:
    return Shift.objects.filter(community_id=post.community_id, post=post, date__gte=first, date__lte=last).order_by(
        "starts_at"
    )


def roster(*, user: Any, post: DutyPost, first: datetime.date, last: datetime.date) -> list[ShiftRow]:
    """The shifts of ``first``…``last`` with the people on them and whether each meets the rule (2 queries)."""
    if not may_view_roster(user, post.compound):
        raise NotAllowed(_("You do not have access to this compound's duty posts."))
    people = Assignment.objects.select_related("user").order_by("kind", "user__name", "pk")
    rows = []
    for shift in _with_counts(_range(post, first, last)).prefetch_related(Prefetch("assignments", queryset=people)):
        row = _row(shift, post)
        row.people = list(shift.assignments.all())
        rows.append(row)
    return rows


@dataclass
class CoverageDay:
    date: datetime.date
    in_range: bool
    shifts: list[ShiftRow]


def coverage(*, user: Any, post: DutyPost, first: datetime.date, last: datetime.date) -> list[list[CoverageDay]]:
    """Weeks (Monday first) of days from ``first`` to ``last``, each with its shifts and their rule (1 query)."""
    if not may_view_roster(user, post.compound):
        raise NotAllowed(_("You do not have access to this compound's duty posts."))
    by_day: dict[datetime.date, list[ShiftRow]] = {}
    for shift in _with_counts(_range(post, first, last)):
        by_day.setdefault(shift.date, []).append(_row(shift, post))
    start = first - datetime.timedelta(days=first.weekday())
    weeks: list[list[CoverageDay]] = []
    day = start
    while day <= last:
        week = []
        for _i in range(7):
            week.append(CoverageDay(day, first <= day <= last, by_day.get(day, [])))
            day += datetime.timedelta(days=1)
        weeks.append(week)
    return weeks


def calendar_days(*, compound: Compound) -> QuerySet[DutyCalendarDay]:
    return DutyCalendarDay.objects.filter(community_id=compound.community_id).order_by("first_day", "pk")


# --- A person's own shifts, open places, swaps -------------------------------------------------------------------


def my_assignments(*, user: Any, since: datetime.datetime) -> list[Assignment]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Assignment.objects.filter(user_id=user.pk, ends_at__gte=since)
        .select_related("shift", "shift__post", "shift__post__compound")
        .order_by("starts_at")[:60]
    )


def volunteer_compounds(user: Any) -> list[Compound]:
    """The compounds where the user is an active volunteer and lives."""
    if not getattr(user, "is_authenticated", False):
        return []
    lives = HouseBinding.objects.filter(user_id=user.pk, status=BindingStatus.APPROVED).values("compound_id")
    ids = Volunteer.objects.filter(user_id=user.pk, status=VolunteerStatus.ACTIVE, compound_id__in=lives).values(
        "compound_id"
    )
    return list(Compound.objects.filter(pk__in=ids).order_by("name"))


def open_shifts(*, user: Any, now: datetime.datetime | None = None) -> list[ShiftRow]:
    """Shifts of the next three weeks with a free place, on the posts of the compounds where the user volunteers."""
    at = now or timezone.now()
    compounds = volunteer_compounds(user)
    if not compounds:
        return []
    mine = Assignment.objects.filter(user_id=user.pk).values("shift_id")
    qs = (
        _with_counts(
            Shift.objects.filter(
                community_id__in={c.community_id for c in compounds},
                post__compound__in=compounds,
                post__is_active=True,
                cancelled=False,
                starts_at__gt=at,
                starts_at__lte=at + datetime.timedelta(days=OPEN_DAYS),
            ).exclude(pk__in=mine)
        )
        .select_related("post", "post__compound")
        .order_by("starts_at")
    )
    rows = [_row(s, s.post) for s in qs[:200] if s.n_total < s.post.places]  # type: ignore[attr-defined]
    return rows[:60]


def swaps_incoming(*, user: Any) -> list[SwapRequest]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        SwapRequest.objects.filter(counterpart_id=user.pk, status=SwapStatus.PROPOSED)
        .select_related("proposer", "offered__shift__post", "wanted__shift__post")
        .order_by("created_at")
    )


def swaps_outgoing(*, user: Any) -> list[SwapRequest]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        SwapRequest.objects.filter(proposer_id=user.pk, status=SwapStatus.PROPOSED)
        .select_related("counterpart", "offered__shift__post", "wanted__shift__post")
        .order_by("created_at")
    )


def swap_targets(*, user: Any, assignment: Assignment, now: datetime.datetime | None = None) -> list[Assignment]:
    """Other people's shifts on the same post in the next two months that one could ask to swap with."""
    at = now or timezone.now()
    if assignment.user_id != getattr(user, "pk", None):
        raise NotAllowed(_("This is not your shift."))
    return list(
        Assignment.objects.filter(
            community_id=assignment.community_id,
            shift__post_id=assignment.shift.post_id,
            shift__cancelled=False,
            starts_at__gt=at,
            starts_at__lte=at + datetime.timedelta(days=SWAP_DAYS),
            checked_in_at__isnull=True,
        )
        .exclude(user_id=user.pk)
        .exclude(shift_id=assignment.shift_id)
        .select_related("user", "shift")
        .order_by("starts_at", "pk")[:100]
    )


def assignment_of(*, user: Any, pk: int) -> Assignment:
    row = Assignment.objects.select_related("shift", "shift__post", "shift__post__compound").filter(pk=pk).first()
    if row is None or row.user_id != getattr(user, "pk", None):
        raise NotFound(_("No such shift assignment."))
    return row


# --- Hours, the register, the honour board ------------------------------------------------------------------------


def _bounds(since: datetime.date, until: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_default_timezone()
    return (
        datetime.datetime.combine(since, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )


def duty_hours(*, compound_ids: Iterable[int], since: datetime.date, until: datetime.date) -> dict[int, Decimal]:
    """Hours on duty per user id: from check-in to check-out, at most the shift's length, of the shifts of
    ``since``…``until`` on the posts of these compounds (one query)."""
    start, end = _bounds(since, until)
    seconds: dict[int, float] = {}
    rows = Assignment.objects.filter(
        shift__post__compound_id__in=list(compound_ids),
        starts_at__gte=start,
        starts_at__lt=end,
        checked_in_at__isnull=False,
        checked_out_at__isnull=False,
    ).values_list("user_id", "checked_in_at", "checked_out_at", "starts_at", "ends_at")
    for user_id, came, left, starts_at, ends_at in rows:
        if came is None or left is None:
            continue
        served = min((left - came).total_seconds(), (ends_at - starts_at).total_seconds())
        seconds[user_id] = seconds.get(user_id, 0.0) + max(0.0, served)
    return {u: (Decimal(round(s)) / HOUR).quantize(TWO_PLACES) for u, s in seconds.items()}


def activity_hours(*, compound_ids: Iterable[int], since: datetime.date, until: datetime.date) -> dict[int, Decimal]:
    """The activities app's hours (its contract), or none while it is not installed."""
    try:
        from gongzhi.activities.selectors import activity_hours as hours
    except ImportError:  # pragma: no cover - the activities app is part of the project
        return {}
    return dict(hours(compound_ids=list(compound_ids), since=since, until=until))


def volunteer_hours(
    *, compound_ids: Iterable[int], since: datetime.date, until: datetime.date
) -> dict[int, tuple[Decimal, Decimal]]:
    """(duty hours, activity hours) per user id."""
    ids = list(compound_ids)
    duty = duty_hours(compound_ids=ids, since=since, until=until)
    acts = activity_hours(compound_ids=ids, since=since, until=until)
    zero = Decimal("0.00")
    return {u: (duty.get(u, zero), acts.get(u, zero)) for u in set(duty) | set(acts)}


@dataclass
class RegisterRow:
    volunteer: Volunteer
    duty: Decimal
    activities: Decimal

    @property
    def total(self) -> Decimal:
        return self.duty + self.activities


def volunteer_register(*, user: Any, compound: Compound, year: int) -> list[RegisterRow]:
    from .rules import may_view_register

    if not may_view_register(user, compound):
        raise NotAllowed(_("You do not have access to this compound's volunteer register."))
    rows = list(
        Volunteer.objects.filter(community_id=compound.community_id, compound=compound)
        .select_related("user")
        .order_by("status", "user__name", "pk")
    )
    hours = volunteer_hours(
        compound_ids=[compound.pk], since=datetime.date(year, 1, 1), until=datetime.date(year, 12, 31)
    )
    zero = Decimal("0.00")
    return [RegisterRow(v, *hours.get(v.user_id, (zero, zero))) for v in rows]


def display_name(volunteer: Volunteer) -> str:
    name = volunteer.user.name or ""
    if volunteer.name_display == NameDisplay.FULL or not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


@dataclass
class HonourRow:
    rank: int
    name: str
    hours: Decimal


def honour_board(*, user: Any, compound: Compound, year: int, limit: int = 20) -> list[HonourRow]:
    """The compound's volunteers with the most hours in ``year`` (active and retired; names as they chose)."""
    if not may_view_honour(user, compound):
        raise NotAllowed(_("You do not have access to this compound's honour board."))
    hours = volunteer_hours(
        compound_ids=[compound.pk], since=datetime.date(year, 1, 1), until=datetime.date(year, 12, 31)
    )
    volunteers = Volunteer.objects.filter(
        community_id=compound.community_id,
        compound=compound,
        status__in=[VolunteerStatus.ACTIVE, VolunteerStatus.RETIRED, VolunteerStatus.SUSPENDED],
        user_id__in=list(hours),
    ).select_related("user")
    ranked = sorted(
        ((sum(hours[v.user_id], Decimal(0)), v) for v in volunteers if sum(hours[v.user_id], Decimal(0)) > 0),
        key=lambda p: (-p[0], p[1].user.name, p[1].pk),
    )[:limit]
    return [HonourRow(i, display_name(v), h) for i, (h, v) in enumerate(ranked, start=1)]


def posts_served(*, user_id: int, compound: Compound, since: datetime.date, until: datetime.date) -> list[str]:
    start, end = _bounds(since, until)
    return list(
        DutyPost.objects.filter(
            compound=compound,
            shifts__assignments__user_id=user_id,
            shifts__assignments__checked_in_at__isnull=False,
            shifts__starts_at__gte=start,
            shifts__starts_at__lt=end,
        )
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)
    )
