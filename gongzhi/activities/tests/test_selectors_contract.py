"""The two reads other apps depend on: volunteer hours from check-ins, and the lobby screen's activities."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.activities.models import ActivityStatus, SignupStatus
from gongzhi.activities.selectors import activity_hours, upcoming_activities
from gongzhi.testing.activities_factories import ActivityFactory, SignupFactory
from gongzhi.testing.factories import CompoundFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def test_activity_hours_counts_the_scheduled_duration_of_each_checked_in_activity() -> None:
    # given two activities of 2 h and 1.5 h on 3 and 4 March; Wang checked in at both, Li signed up but did not come
    compound = CompoundFactory.create()
    wang, li = UserFactory.create(), UserFactory.create()
    day = datetime.date(2026, 3, 3)
    a1 = ActivityFactory.create(compound=compound, starts_at=at(day, 9), ends_at=at(day, 11))
    a2 = ActivityFactory.create(
        compound=compound,
        starts_at=at(day + datetime.timedelta(days=1), 14),
        ends_at=at(day + datetime.timedelta(days=1), 14) + datetime.timedelta(minutes=90),
    )
    SignupFactory.create(activity=a1, user=wang, checked_in_at=a1.starts_at, party_size=3)
    SignupFactory.create(activity=a2, user=wang, checked_in_at=a2.starts_at + datetime.timedelta(minutes=40))
    SignupFactory.create(activity=a1, user=li)
    # when hours are counted for March
    hours = activity_hours(
        compound_ids=[compound.pk], since=datetime.date(2026, 3, 1), until=datetime.date(2026, 3, 31)
    )
    # then Wang has 3.5 hours whatever the party size or arrival time, Li none
    assert hours == {wang.pk: Decimal("3.50")}


def test_activity_hours_keeps_to_the_window_the_compounds_and_skips_cancelled_activities() -> None:
    # given check-ins on the window's last day, the day after, in another compound and at a cancelled activity
    compound, other = CompoundFactory.create(), CompoundFactory.create()
    user = UserFactory.create()
    last = datetime.date(2026, 3, 31)
    inside = ActivityFactory.create(
        compound=compound, starts_at=at(last, 23), ends_at=at(last, 23) + datetime.timedelta(hours=1)
    )
    after = ActivityFactory.create(
        compound=compound,
        starts_at=at(last + datetime.timedelta(days=1), 0),
        ends_at=at(last + datetime.timedelta(days=1), 2),
    )
    elsewhere = ActivityFactory.create(compound=other, starts_at=at(last, 9), ends_at=at(last, 12))
    cancelled = ActivityFactory.create(
        compound=compound, starts_at=at(last, 9), ends_at=at(last, 12), status=ActivityStatus.CANCELLED
    )
    for a in (inside, after, elsewhere, cancelled):
        SignupFactory.create(activity=a, user=user, checked_in_at=a.starts_at)
    # when
    hours = activity_hours(compound_ids=[compound.pk], since=datetime.date(2026, 3, 1), until=last)
    # then only the activity inside the window, of the compound, not cancelled, counts
    assert hours == {user.pk: Decimal("1.00")}
    assert activity_hours(compound_ids=[], since=datetime.date(2026, 3, 1), until=last) == {}


def test_upcoming_activities_lists_published_ones_not_yet_ended_soonest_first(django_assert_num_queries: Any) -> None:
    # given published ones (running, tomorrow, in a week), a draft, a cancelled, an ended and another compound's
    compound = CompoundFactory.create()
    now = timezone.now()
    week = ActivityFactory.create(
        compound=compound, starts_at=now + datetime.timedelta(days=7), ends_at=now + datetime.timedelta(days=7, hours=2)
    )
    soon = ActivityFactory.create(
        compound=compound, starts_at=now + datetime.timedelta(days=1), ends_at=now + datetime.timedelta(days=1, hours=2)
    )
    running = ActivityFactory.create(
        compound=compound, starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=1)
    )
    ActivityFactory.create(compound=compound, status=ActivityStatus.DRAFT, published_at=None)
    ActivityFactory.create(compound=compound, status=ActivityStatus.CANCELLED)
    ActivityFactory.create(
        compound=compound, starts_at=now - datetime.timedelta(hours=3), ends_at=now - datetime.timedelta(hours=1)
    )
    ActivityFactory.create()
    SignupFactory.create(activity=soon, status=SignupStatus.CONFIRMED)
    # when the lobby screen asks for three, in one query
    with django_assert_num_queries(1):
        got = upcoming_activities(compound=compound, now=now, limit=3)
    # then the running one and the next two, soonest first
    assert got == [running, soon, week]
    assert upcoming_activities(compound=compound, now=now, limit=0) == []


def test_places_are_counted_once_for_a_resident_of_two_of_the_activitys_buildings(world: Any) -> None:
    # given an activity for two buildings, a resident owning a house in each, and a household of 3 signed up
    from gongzhi.activities.models import Audience
    from gongzhi.activities.selectors import activity_for
    from gongzhi.testing.activities_factories import bind_owner
    from gongzhi.testing.factories import HouseFactory

    other = HouseFactory.create(unit__building__compound=world.compound_a)
    bind_owner(other, world.users["resident"])
    activity = ActivityFactory.create(compound=world.compound_a, audience=Audience.BUILDINGS)
    activity.buildings.set([world.house_a.building, other.building])
    SignupFactory.create(activity=activity, party_size=3)
    # when the resident reads it
    seen = activity_for(world.users["resident"], activity.pk)
    # then the taken places are 3, not 6
    assert seen is not None and seen.taken == 3  # type: ignore[attr-defined]
