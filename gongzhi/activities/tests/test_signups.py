"""Sign-ups: places, the waitlist and its promotion, cancellation; the bad input of issue 6."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from gongzhi.activities import services as s
from gongzhi.activities.models import Activity, Audience, SignupMode, SignupStatus
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.notifications.models import Notification
from gongzhi.testing.activities_factories import bind_owner
from gongzhi.testing.factories import HouseFactory, UserFactory

from .helpers import state

pytestmark = pytest.mark.django_db
ROOMS = itertools.count(1)


def neighbour(world: Any, **house: Any) -> Any:
    """Another resident of compound A (their own house in A's first unit unless told otherwise)."""
    user = UserFactory.create()
    room = f"{200 + next(ROOMS)}"
    bind_owner(HouseFactory.create(unit=house.pop("unit", world.house_a.unit), room=room, **house), user)
    return user


def test_signups_take_places_until_full_then_join_the_waitlist(world: Any, organise: Callable[..., Activity]) -> None:
    # given an activity with two places
    activity = organise(capacity=2)
    a, b, c = world.users["resident"], neighbour(world), neighbour(world)
    # when three people sign up
    first, second, third = (s.signup_create(actor=u, activity=activity) for u in (a, b, c))
    # then two have places, the third waits
    assert [x.status for x in (first, second, third)] == [SignupStatus.CONFIRMED] * 2 + [SignupStatus.WAITLISTED]


def test_a_household_party_counts_against_the_places(world: Any, organise: Callable[..., Activity]) -> None:
    # given a household activity with 4 places, a family of 3 signed up
    activity = organise(capacity=4, signup_mode=SignupMode.HOUSEHOLD)
    s.signup_create(actor=world.users["resident"], activity=activity, party_size=3)
    # when a family of two signs up, then a single person
    two = s.signup_create(actor=neighbour(world), activity=activity, party_size=2)
    one = s.signup_create(actor=neighbour(world), activity=activity, party_size=1)
    # then the two wait, the one fits
    assert two.status == SignupStatus.WAITLISTED
    assert one.status == SignupStatus.CONFIRMED


def test_cancelling_a_place_promotes_the_waitlist_in_order_and_tells_them(
    world: Any, organise: Callable[..., Activity]
) -> None:
    # given one place taken, two people waiting
    activity = organise(capacity=1)
    holder = s.signup_create(actor=world.users["resident"], activity=activity)
    first_waiting, second_waiting = neighbour(world), neighbour(world)
    s.signup_create(actor=first_waiting, activity=activity)
    s.signup_create(actor=second_waiting, activity=activity)
    # when the holder cancels
    s.signup_cancel(actor=world.users["resident"], signup=holder)
    # then the first one waiting has the place and is told; the second still waits
    statuses = dict(activity.signups.values_list("user_id", "status"))
    assert statuses[first_waiting.pk] == SignupStatus.CONFIRMED
    assert statuses[second_waiting.pk] == SignupStatus.WAITLISTED


def test_the_promoted_person_gets_a_notification(
    world: Any, organise: Callable[..., Activity], django_capture_on_commit_callbacks: Any
) -> None:
    # given a full activity with one person waiting
    activity = organise(capacity=1)
    holder = s.signup_create(actor=world.users["resident"], activity=activity)
    waiting = neighbour(world)
    s.signup_create(actor=waiting, activity=activity)
    # when the place is freed
    with django_capture_on_commit_callbacks(execute=True):
        s.signup_cancel(actor=world.users["resident"], signup=holder)
    # then the waiting person is told the place is theirs
    note = Notification.objects.get(recipient=waiting)
    assert note.verb == "activity.promoted"
    assert activity.title in note.title


def test_signing_up_twice_is_refused_and_changes_nothing(world: Any, organise: Callable[..., Activity]) -> None:
    # given a resident with a place
    activity = organise()
    s.signup_create(actor=world.users["resident"], activity=activity)
    before = state()
    # when they sign up again
    with pytest.raises(Conflict) as refused:
        s.signup_create(actor=world.users["resident"], activity=activity)
    # then a clear refusal, nothing changed
    assert refused.value.code == "signup_twice"
    assert state() == before


@pytest.mark.parametrize(
    ("fields", "party", "field"),
    [
        ({}, 2, "party_size"),  # a person activity takes one at a time
        ({"signup_mode": SignupMode.HOUSEHOLD}, 0, "party_size"),
        ({"signup_mode": SignupMode.HOUSEHOLD}, 11, "party_size"),
        ({"signup_mode": SignupMode.HOUSEHOLD}, "三", "party_size"),
        ({"audience": Audience.ELDERLY}, 1, "is_elderly"),  # not declared 60 or over
    ],
)
def test_bad_signups_are_refused_and_change_nothing(
    world: Any, organise: Callable[..., Activity], fields: dict[str, Any], party: Any, field: str
) -> None:
    activity = organise(**fields)
    before = state()
    with pytest.raises(DomainError) as refused:
        s.signup_create(actor=world.users["resident"], activity=activity, party_size=party)
    assert refused.value.field == field
    assert state() == before


def test_the_elderly_sign_up_to_an_elderly_activity_by_saying_so(world: Any, organise: Callable[..., Activity]) -> None:
    activity = organise(audience=Audience.ELDERLY)
    signup = s.signup_create(actor=world.users["resident"], activity=activity, is_elderly=True)
    assert signup.is_elderly and signup.status == SignupStatus.CONFIRMED


def test_residents_of_other_buildings_cannot_sign_up_to_a_building_activity(
    world: Any, organise: Callable[..., Activity]
) -> None:
    # given an activity for the resident's building only, and a resident of another building of the compound
    activity = organise(audience=Audience.BUILDINGS, buildings=[world.house_a.building])
    other = UserFactory.create()
    bind_owner(HouseFactory.create(unit__building__compound=world.compound_a), other)
    # then the resident of the building signs up; the other does not even see it
    assert s.signup_create(actor=world.users["resident"], activity=activity).status == SignupStatus.CONFIRMED
    with pytest.raises(NotFound):
        s.signup_create(actor=other, activity=activity)


@pytest.mark.parametrize("role", ["secretary", "technician", "applicant", "stranger"])
def test_people_who_are_not_the_audience_cannot_sign_up(
    world: Any, organise: Callable[..., Activity], role: str
) -> None:
    activity = organise()
    before = state()
    with pytest.raises((NotAllowed, NotFound)):
        s.signup_create(actor=world.users[role], activity=activity)
    assert state() == before


def test_sign_up_is_closed_for_drafts_and_started_activities(world: Any, organise: Callable[..., Activity]) -> None:
    draft = organise(publish=False)
    with pytest.raises(NotFound):  # a draft is not seen by residents at all
        s.signup_create(actor=world.users["resident"], activity=draft)
    running = organise()
    with pytest.raises(DomainError) as refused:
        s.signup_create(
            actor=world.users["resident"], activity=running, now=running.starts_at + datetime.timedelta(minutes=1)
        )
    assert refused.value.code == "signup_closed"


def test_a_resident_cannot_cancel_someone_elses_signup(world: Any, organise: Callable[..., Activity]) -> None:
    activity = organise()
    signup = s.signup_create(actor=neighbour(world), activity=activity)
    before = state()
    with pytest.raises(NotAllowed):
        s.signup_cancel(actor=world.users["resident"], signup=signup)
    assert state() == before


def test_raising_the_capacity_promotes_and_lowering_below_taken_is_refused(
    world: Any, organise: Callable[..., Activity]
) -> None:
    activity = organise(capacity=1)
    s.signup_create(actor=world.users["resident"], activity=activity)
    waiting = s.signup_create(actor=neighbour(world), activity=activity)
    s.activity_update(actor=world.users["secretary"], activity=activity, capacity=2)
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.CONFIRMED
    before = state()
    with pytest.raises(DomainError) as refused:
        s.activity_update(actor=world.users["secretary"], activity=activity, capacity=1)
    assert refused.value.field == "capacity"
    assert state() == before
