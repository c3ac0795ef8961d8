"""Reminders the day before: once per activity, person and start time; only people with a place."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from gongzhi.activities import services as s
from gongzhi.activities.models import Activity
from gongzhi.activities.tasks import reminder_sweep, reminder_sweep_run
from gongzhi.notifications.models import Notification
from gongzhi.testing.activities_factories import bind_owner
from gongzhi.testing.factories import HouseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_people_with_a_place_are_reminded_once_the_day_before(
    world: Any, organise: Callable[..., Activity], django_capture_on_commit_callbacks: Any
) -> None:
    # given an activity with one place, taken; someone else waiting
    activity = organise(capacity=1)
    s.signup_create(actor=world.users["resident"], activity=activity)
    waiting = UserFactory.create()
    bind_owner(HouseFactory.create(unit=world.house_a.unit, room="401"), waiting)
    s.signup_create(actor=waiting, activity=activity)
    # when the sweep runs two days before, then 23 hours before, twice
    with django_capture_on_commit_callbacks(execute=True):
        assert reminder_sweep(now=activity.starts_at - datetime.timedelta(days=2)) == {"reminded": 0}
        assert reminder_sweep(now=activity.starts_at - datetime.timedelta(hours=23)) == {"reminded": 1}
        assert reminder_sweep(now=activity.starts_at - datetime.timedelta(hours=22)) == {"reminded": 0}
    # then only the person with a place got one reminder
    notes = Notification.objects.filter(verb="activity.reminder")
    assert [n.recipient for n in notes] == [world.users["resident"]]


def test_a_moved_activity_is_reminded_of_again(
    world: Any, organise: Callable[..., Activity], django_capture_on_commit_callbacks: Any
) -> None:
    activity = organise()
    s.signup_create(actor=world.users["resident"], activity=activity)
    with django_capture_on_commit_callbacks(execute=True):
        reminder_sweep(now=activity.starts_at - datetime.timedelta(hours=20))
        moved = s.activity_update(
            actor=world.users["secretary"],
            activity=activity,
            starts_at=activity.starts_at + datetime.timedelta(days=1),
            ends_at=activity.ends_at + datetime.timedelta(days=1),
            now=activity.starts_at - datetime.timedelta(hours=20),
        )
        reminder_sweep(now=moved.starts_at - datetime.timedelta(hours=20))
    assert Notification.objects.filter(verb="activity.reminder").count() == 2


def test_the_periodic_job_runs_once_a_period_and_the_command_runs_it(organise: Callable[..., Activity]) -> None:
    activity = organise()
    now = activity.starts_at - datetime.timedelta(hours=10)
    assert reminder_sweep_run(now=now, reschedule=False) == {"reminded": 1}
    assert reminder_sweep_run(now=now + datetime.timedelta(minutes=1), reschedule=False) is None
    call_command("activities_sweep")
