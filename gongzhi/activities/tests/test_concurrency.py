"""Two people taking the last place at once: one gets it, the other the waitlist (a row lock on the activity).

Runs on both back-ends: PostgreSQL locks the activity's row (``select_for_update``); SQLite serialises the
writers (``transaction_mode = IMMEDIATE``). The tests' in-memory SQLite (shared cache) answers a second writer
with "table is locked" at once instead of waiting as a file database's busy timeout does; the helper waits and
retries the whole call then, as the timeout would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, connections

from gongzhi.activities import services as s
from gongzhi.activities.models import Activity, ActivityCategory, Signup, SignupStatus
from gongzhi.core.errors import DomainError
from gongzhi.testing.activities_factories import bind_owner
from gongzhi.testing.factories import HouseFactory, UserFactory

from .conftest import in_days


def _at_once(jobs: list[Callable[[], Any]]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def attempt(job: Callable[[], Any]) -> Any:
        for _ in range(200):
            try:
                return job()
            except OperationalError as exc:  # SQLite in memory: another writer holds the database
                if connection.vendor != "sqlite" or "locked" not in str(exc):
                    raise
                time.sleep(0.02)
        raise AssertionError("the database stayed locked")

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(str(attempt(job)))
        except DomainError as refused:
            outcomes.append(refused.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_place_at_once_one_gets_it_the_other_waits(world: Any) -> None:
    # given an activity with one place left
    activity: Activity = s.activity_create(
        actor=world.users["secretary"],
        compound=world.compound_a,
        title="包饺子",
        category=ActivityCategory.FESTIVAL,
        starts_at=in_days(3),
        ends_at=in_days(3, 11),
        place="活动室",
        capacity=2,
        publish=True,
    )
    s.signup_create(actor=world.users["resident"], activity=activity)
    a, b = UserFactory.create(), UserFactory.create()
    bind_owner(HouseFactory.create(unit=world.house_a.unit, room="301"), a)
    bind_owner(HouseFactory.create(unit=world.house_a.unit, room="302"), b)

    def take(user: Any) -> Callable[[], str]:
        return lambda: s.signup_create(actor=user, activity=activity.pk).status

    # when both sign up at the same moment
    outcomes = _at_once([take(a), take(b)])
    # then one has the place and the other waits; the places are never overbooked
    assert sorted(outcomes) == [SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]
    assert Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_one_person_signing_up_twice_at_once_gets_one_signup(world: Any) -> None:
    activity: Activity = s.activity_create(
        actor=world.users["secretary"],
        compound=world.compound_a,
        title="包饺子",
        category=ActivityCategory.FESTIVAL,
        starts_at=in_days(3),
        ends_at=in_days(3, 11),
        place="活动室",
        capacity=5,
        publish=True,
    )
    resident = world.users["resident"]
    outcomes = _at_once([lambda: s.signup_create(actor=resident, activity=activity.pk).status for _ in range(3)])
    assert sorted(outcomes) == [SignupStatus.CONFIRMED, "signup_twice", "signup_twice"]
    assert Signup.objects.filter(activity=activity).count() == 1
