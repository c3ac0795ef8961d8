"""Reads of activities and of the care of vacant homes, scoped by the user's roles (estates/scope.py).

The two functions at the top are the app's contract with other apps:

- ``activity_hours`` — the volunteer hours the duty app counts from activity check-ins;
- ``upcoming_activities`` — what the lobby screen shows (no personal data).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from gongzhi.estates.models import BindingStatus, Compound, House, HouseBinding, HouseStatus, Relation
from gongzhi.estates.scope import compound_filter

from .models import (
    OPEN_SIGNUP,
    Activity,
    ActivityStatus,
    Audience,
    CarePlan,
    CareStatus,
    CareVisit,
    Signup,
    SignupStatus,
)
from .roles import ACTIVITY_MANAGERS, ACTIVITY_VIEWERS, CARE_STAFF

HOUR = Decimal(3600)


def _local_day_bounds(since: datetime.date, until: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def activity_hours(*, compound_ids: Iterable[int], since: datetime.date, until: datetime.date) -> dict[int, Decimal]:
    """Volunteer hours per user id from activity check-ins, for activities that start in [since, until].

    Definition: a person who checked in (by QR or marked by staff) at an activity of one of the compounds that
    was not cancelled is credited with the activity's *scheduled* duration (``ends_at − starts_at``), once per
    activity, whatever the party size of their sign-up and whenever they arrived. The day is the activity's
    start in Asia/Shanghai; both ends of the window are included. Hours are rounded to two decimals. Users with
    no check-in are absent from the result. One query.
    """
    ids = list(compound_ids)
    if not ids or until < since:
        return {}
    start, end = _local_day_bounds(since, until)
    rows = (
        Signup.objects.filter(
            activity__compound_id__in=ids,
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
            checked_in_at__isnull=False,
        )
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .values_list("user_id", "activity__starts_at", "activity__ends_at")
    )
    seconds: dict[int, int] = {}
    for user_id, starts_at, ends_at in rows:
        seconds[user_id] = seconds.get(user_id, 0) + int((ends_at - starts_at).total_seconds())
    return {uid: (Decimal(s) / HOUR).quantize(Decimal("0.01")) for uid, s in seconds.items()}


def upcoming_activities(*, compound: Compound, now: datetime.datetime, limit: int) -> list[Activity]:
    """Published activities of the compound that have not ended yet, soonest first (for the lobby screen).

    Only the activity's own fields are loaded (title, category, time, place, capacity…); nothing about who
    signed up. One query.
    """
    if limit <= 0:
        return []
    return list(
        Activity.objects.filter(
            community_id=compound.community_id,
            compound=compound,
            status=ActivityStatus.PUBLISHED,
            ends_at__gt=now,
        )
        .only(
            "id",
            "community_id",
            "compound_id",
            "title",
            "category",
            "starts_at",
            "ends_at",
            "place",
            "capacity",
            "audience",
            "status",
            "by_community",
            "by_property",
            "other_organizers",
        )
        .order_by("starts_at", "id")[:limit]
    )


# --- scope --------------------------------------------------------------------------------------------------------


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def staff_compounds(user: Any, roles: Iterable[str]) -> QuerySet[Compound]:
    if not _authenticated(user):
        return Compound.objects.none()
    if user.is_superuser:
        return Compound.objects.all()
    q = compound_filter(user, roles)
    if q is None:
        return Compound.objects.none()
    return Compound.objects.filter(q)


def resident_houses(user: Any) -> QuerySet[House]:
    """The houses the user is bound to (approved binding)."""
    if not _authenticated(user):
        return House.objects.none()
    return House.objects.filter(bindings__user=user, bindings__status=BindingStatus.APPROVED).select_related(
        "compound", "building", "unit"
    )


def resident_compound_ids(user: Any) -> set[int]:
    if not _authenticated(user):
        return set()
    return set(
        HouseBinding.objects.filter(user=user, status=BindingStatus.APPROVED).values_list("compound_id", flat=True)
    )


def audience_q(user: Any) -> Q:
    """Published-or-held activities a resident may see: of their compounds, for their buildings when limited."""
    bindings = list(
        HouseBinding.objects.filter(user=user, status=BindingStatus.APPROVED).values_list(
            "compound_id", "house__building_id"
        )
    )
    compound_ids = {c for c, _b in bindings}
    building_ids = {b for _c, b in bindings}
    if not compound_ids:
        return Q(pk__in=[])
    # a subquery, not a join: a join on the buildings would repeat rows and inflate the places summed over them
    for_buildings = Activity.buildings.through.objects.filter(building_id__in=building_ids).values("activity_id")
    return (
        Q(compound_id__in=compound_ids)
        & (~Q(audience=Audience.BUILDINGS) | Q(pk__in=for_buildings))
        & Q(status__in=[ActivityStatus.PUBLISHED, ActivityStatus.HELD, ActivityStatus.CANCELLED])
        & Q(published_at__isnull=False)
    )


def activities_visible(user: Any) -> QuerySet[Activity]:
    """Every activity the user may see: staff of the compound see all (drafts only for managers), residents
    see published ones of their compounds meant for them."""
    if not _authenticated(user):
        return Activity.objects.none()
    if user.is_superuser:
        return Activity.objects.all()
    q = Q(pk__in=[])
    managed = compound_filter(user, ACTIVITY_MANAGERS)
    if managed is not None:
        q |= Q(compound__in=Compound.objects.filter(managed))
    viewed = compound_filter(user, ACTIVITY_VIEWERS)
    if viewed is not None:
        q |= Q(compound__in=Compound.objects.filter(viewed)) & ~Q(status=ActivityStatus.DRAFT)
    q |= audience_q(user)
    return Activity.objects.filter(q)


def activities_in_month(user: Any, *, year: int, month: int, compound_id: int | None = None) -> list[Activity]:
    """The activities the user sees that start in the month (Asia/Shanghai), with taken places, of one compound
    when given; 2 queries."""
    first = datetime.date(year, month, 1)
    last = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    start, end = _local_day_bounds(first, last)
    qs = activities_visible(user).filter(starts_at__gte=start, starts_at__lt=end)
    if compound_id is not None:
        qs = qs.filter(compound_id=compound_id)
    return list(with_places(qs).select_related("compound").order_by("starts_at", "id"))


def upcoming_for(user: Any, *, now: datetime.datetime, limit: int, compound_id: int | None = None) -> list[Activity]:
    """The next published activities the user sees that have not ended yet, soonest first, with taken places
    (the calendar's "Upcoming" list); of one compound when given. One query."""
    if limit <= 0:
        return []
    qs = activities_visible(user).filter(status=ActivityStatus.PUBLISHED, ends_at__gt=now)
    if compound_id is not None:
        qs = qs.filter(compound_id=compound_id)
    return list(with_places(qs).select_related("compound").order_by("starts_at", "id")[:limit])


def with_places(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    return qs.annotate(
        taken=Sum("signups__party_size", filter=Q(signups__status=SignupStatus.CONFIRMED), default=0),
        waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)),
    )


def activity_for(user: Any, pk: int) -> Activity | None:
    return with_places(activities_visible(user).filter(pk=pk)).select_related("compound").first()


def taken_places(activity: Activity) -> int:
    return int(
        Signup.objects.filter(
            community_id=activity.community_id, activity=activity, status=SignupStatus.CONFIRMED
        ).aggregate(n=Sum("party_size", default=0))["n"]
    )


def my_signup(user: Any, activity: Activity) -> Signup | None:
    if not _authenticated(user):
        return None
    return Signup.objects.filter(
        community_id=activity.community_id, activity=activity, user=user, status__in=OPEN_SIGNUP
    ).first()


def my_attended_signup(user: Any, activity: Activity) -> Signup | None:
    if not _authenticated(user):
        return None
    return Signup.objects.filter(
        community_id=activity.community_id, activity=activity, user=user, checked_in_at__isnull=False
    ).first()


def signups_of(activity: Activity) -> list[Signup]:
    return list(
        Signup.objects.filter(community_id=activity.community_id, activity=activity, status__in=OPEN_SIGNUP)
        .select_related("user", "house", "house__building")
        .order_by("status", "created_at", "id")
    )


def waitlist_position(signup: Signup) -> int:
    if signup.status != SignupStatus.WAITLISTED:
        return 0
    return (
        Signup.objects.filter(
            community_id=signup.community_id, activity_id=signup.activity_id, status=SignupStatus.WAITLISTED
        )
        .filter(Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, id__lt=signup.id))
        .count()
        + 1
    )


def figures(user: Any, *, compound_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Counts of held and published activities by year and category, with attendance (staff's figures page)."""
    qs = activities_visible(user).exclude(status__in=[ActivityStatus.DRAFT, ActivityStatus.CANCELLED])
    if compound_ids is not None:
        qs = qs.filter(compound_id__in=list(compound_ids))
    tz = timezone.get_default_timezone()
    return list(
        Activity.objects.filter(pk__in=qs.values("pk"))
        .annotate(year=ExtractYear("starts_at", tzinfo=tz))
        .values("year", "category")
        .annotate(
            n=Count("id", distinct=True),
            attended=Count("signups", filter=Q(signups__checked_in_at__isnull=False)),
        )
        .order_by("-year", "category")
    )


# --- care of vacant homes ------------------------------------------------------------------------------------------


def care_plans_of_owner(user: Any) -> list[CarePlan]:
    if not _authenticated(user):
        return []
    return list(
        CarePlan.objects.filter(owner=user)
        .select_related("house", "house__building", "house__unit", "compound")
        .prefetch_related("tasks")
        .order_by("status", "-created_at")
    )


def care_plans_due(user: Any, *, today: datetime.date) -> list[CarePlan]:
    """Active plans of the staff's compounds, those due first."""
    compounds = staff_compounds(user, CARE_STAFF)
    return list(
        CarePlan.objects.filter(compound__in=compounds, status__in=[CareStatus.ACTIVE, CareStatus.PAUSED])
        .select_related("house", "house__building", "house__unit", "compound")
        .annotate(visit_count=Count("visits"))
        .order_by("status", "next_due_on", "id")
    )


def visits_of(plan: CarePlan) -> list[CareVisit]:
    return list(
        CareVisit.objects.filter(community_id=plan.community_id, plan=plan)
        .select_related("visited_by", "voice")
        .prefetch_related("items", "photos")
        .order_by("-visited_on", "-id")
    )


def due_count(plans: Iterable[CarePlan], today: datetime.date) -> int:
    return sum(1 for p in plans if p.status == CareStatus.ACTIVE and p.next_due_on <= today)


def figures_visible(user: Any) -> bool:
    """Staff who run or follow activities (any compound in their scope) see the figures."""
    if not _authenticated(user):
        return False
    return user.is_superuser or staff_compounds(user, ACTIVITY_MANAGERS | ACTIVITY_VIEWERS).exists()


def vacant_houses_owned(user: Any) -> list[House]:
    """Houses the user owns (approved binding as owner) that nobody lives in: those care may be asked for."""
    if not _authenticated(user):
        return []
    return list(
        House.objects.filter(
            bindings__user=user,
            bindings__status=BindingStatus.APPROVED,
            bindings__relation=Relation.OWNER,
            status__in=[HouseStatus.VACANT, HouseStatus.UNDELIVERED, HouseStatus.RENOVATING],
        )
        .select_related("compound", "building", "unit")
        .order_by("compound_id", "building__sort_key", "room")
    )


def care_plan_for(user: Any, pk: int) -> CarePlan | None:
    """A plan the user may see: their own, or of a compound where they are care staff."""
    if not _authenticated(user):
        return None
    qs = CarePlan.objects.select_related("house", "house__building", "house__unit", "compound", "owner")
    if user.is_superuser:
        return qs.filter(pk=pk).first()
    return qs.filter(Q(owner=user) | Q(compound__in=staff_compounds(user, CARE_STAFF)), pk=pk).first()


def calendar_compounds(user: Any) -> list[Compound]:
    """The compounds whose activities the user sees (for the calendar's compound filter); one query."""
    if not _authenticated(user):
        return []
    if user.is_superuser:
        return list(Compound.objects.order_by("name"))
    q = compound_filter(user, ACTIVITY_MANAGERS | ACTIVITY_VIEWERS)
    staff = Compound.objects.filter(q) if q is not None else Compound.objects.none()
    homes = Compound.objects.filter(
        pk__in=HouseBinding.objects.filter(user=user, status=BindingStatus.APPROVED).values("compound_id")
    )
    return list((staff | homes).distinct().order_by("name"))
