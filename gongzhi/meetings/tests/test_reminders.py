"""The reminder sweep: invitees a day before (once each), the convener of a meeting past but not closed (once)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from gongzhi.meetings import services as s
from gongzhi.meetings.models import Meeting, Rsvp
from gongzhi.meetings.tasks import JOB_NAME, reminder_sweep, reminder_sweep_run
from gongzhi.notifications.models import Notification
from gongzhi.voices.models import PeriodicJob

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def _reminded(meeting: Meeting) -> list[str]:
    return sorted(
        Notification.objects.filter(verb="meeting.reminder", link=f"/meetings/{meeting.pk}/").values_list(
            "recipient__name", flat=True
        )
    )


def test_invitees_are_reminded_once_a_day_before_and_not_those_who_declined(
    world: Any, convene: Callable[..., Meeting], django_capture_on_commit_callbacks: Any
) -> None:
    # given a published meeting, and the finance staff saying they will not come
    meeting = convene()
    s.invitation_respond(actor=world.users["finance"], meeting=meeting, answer=Rsvp.NO)
    # two days before: nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        assert reminder_sweep(now=meeting.starts_at - 48 * HOUR)["reminded"] == 0
    # a day before: every invitee but the finance staff, once
    with (
        time_machine.travel(meeting.starts_at - 23 * HOUR, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reminder_sweep()["reminded"] == 1
        assert reminder_sweep()["reminded"] == 0  # the next run does nothing again
    assert _reminded(meeting) == ["customer_service", "property_manager", "representative", "technician"]
    with django_capture_on_commit_callbacks(execute=True):
        reminder_sweep(now=meeting.starts_at - 2 * HOUR)
    assert len(_reminded(meeting)) == 4


def test_a_meeting_moved_to_another_day_is_reminded_of_again(
    world: Any, convene: Callable[..., Meeting], secretary: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = convene()
    with django_capture_on_commit_callbacks(execute=True):
        reminder_sweep(now=meeting.starts_at - 20 * HOUR)
    later = s.meeting_update(
        actor=secretary,
        meeting=meeting,
        kind=meeting.kind,
        title=meeting.title,
        starts_at=meeting.starts_at + 48 * HOUR,
        ends_at=meeting.ends_at + 48 * HOUR,
        place=meeting.place,
        now=meeting.starts_at - 20 * HOUR,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reminder_sweep(now=later.starts_at - 20 * HOUR)["reminded"] == 1
    assert Notification.objects.filter(verb="meeting.reminder", recipient=world.users["representative"]).count() == 2


def test_cancelled_and_draft_meetings_are_not_reminded_of(
    world: Any, convene: Callable[..., Meeting], secretary: Any
) -> None:
    cancelled = s.meeting_cancel(actor=secretary, meeting=convene(), reason="取消")
    draft = convene(publish=False)
    assert reminder_sweep(now=cancelled.starts_at - 20 * HOUR)["reminded"] == 0
    assert reminder_sweep(now=draft.starts_at - 20 * HOUR)["reminded"] == 0


def test_the_convener_is_reminded_once_of_a_meeting_past_but_not_closed(
    world: Any, held: Callable[..., Meeting], secretary: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = held()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminder_sweep(now=meeting.ends_at + 2 * HOUR)["convener_reminded"] == 0  # the same day: not yet
        assert reminder_sweep(now=meeting.ends_at + 25 * HOUR)["convener_reminded"] == 1
        assert reminder_sweep(now=meeting.ends_at + 50 * HOUR)["convener_reminded"] == 0
    told = Notification.objects.filter(verb="meeting.not_closed")
    assert list(told.values_list("recipient", flat=True)) == [secretary.pk]


def test_the_periodic_job_does_not_run_twice_in_one_period(world: Any, convene: Callable[..., Meeting]) -> None:
    meeting = convene()
    at = meeting.starts_at - 20 * HOUR
    assert reminder_sweep_run(now=at, reschedule=False) == {"reminded": 1, "convener_reminded": 0}
    assert reminder_sweep_run(now=at + datetime.timedelta(minutes=5), reschedule=False) is None
    job = PeriodicJob.objects.get(name=JOB_NAME)
    assert job.next_run_at == at + datetime.timedelta(minutes=15)
    assert reminder_sweep_run(now=at + datetime.timedelta(minutes=15), reschedule=False) is not None


def test_the_command_runs_the_sweep(world: Any, convene: Callable[..., Meeting], capsys: Any) -> None:
    convene()
    call_command("meetings_sweep")
    assert "reminded" in capsys.readouterr().out
