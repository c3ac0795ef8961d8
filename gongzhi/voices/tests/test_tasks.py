from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import override_settings

from gongzhi.core.models import AuditEvent
from gongzhi.notifications.models import Notification
from gongzhi.voices import services as s
from gongzhi.voices.models import PeriodicJob, Score, Status, Voice
from gongzhi.voices.tasks import INTERVAL, deadline_sweep, deadline_sweep_run

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def h(n: float) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=n)


def told(verb: str) -> set[str]:
    return set(Notification.objects.filter(verb=verb).values_list("recipient__name", flat=True))


def test_response_reminder_then_escalation_each_once(
    world: Any, submit: Any, django_capture_on_commit_callbacks: Any
) -> None:
    voice = submit(now=h(0))  # repair: response due at h(24), resolution at h(72)
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_sweep(now=h(10)) == {}
        assert deadline_sweep(now=h(21)) == {"remind": 1}
        assert deadline_sweep(now=h(22)) == {}
        assert deadline_sweep(now=h(24)) == {"escalate1": 1}
        assert deadline_sweep(now=h(30)) == {}
        assert deadline_sweep(now=h(48)) == {"escalate2": 1}
        assert deadline_sweep(now=h(60)) == {}
    assert told("voice.remind") == {
        "secretary",
        "grid_worker",
        "community_staff",
        "property_manager",
        "customer_service",
    }
    assert told("voice.escalate1") == {"property_manager"}
    assert told("voice.escalate2") == {"secretary"}
    verbs = list(voice.events.filter(public=False).order_by("at", "pk").values_list("verb", flat=True))
    assert verbs == ["remind.response", "escalate1.response", "escalate2.response"]
    assert AuditEvent.objects.filter(verb__startswith="voice.escalate").count() == 2


def test_late_sweep_escalates_without_a_late_reminder(world: Any, submit: Any) -> None:
    submit(now=h(0))
    assert deadline_sweep(now=h(49)) == {"escalate1": 1, "escalate2": 1}


def test_resolution_deadline_and_accepted_voices(
    world: Any, submit: Any, django_capture_on_commit_callbacks: Any
) -> None:
    voice = submit(now=h(0))
    s.voice_dispatch(actor=world.users["secretary"], voice=voice, organization=world.orgs["police"], now=h(1))
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_sweep(now=h(30)) == {}  # responded in time
        assert deadline_sweep(now=h(69)) == {"remind": 1}
        assert deadline_sweep(now=h(73)) == {"escalate1": 1}
    assert told("voice.remind") == {"officer"}  # the lead organization is reminded


def test_resolved_voices_close_after_the_window(world: Any, submit: Any) -> None:
    voice = submit(now=h(0))
    s.voice_resolve(actor=world.users["secretary"], voice=voice, reply="好了", now=h(1))
    s.voice_rate(actor=world.users["resident"], voice=voice, score=Score.DISSATISFIED, now=h(2))
    assert deadline_sweep(now=h(1 + 24 * 7)) == {}
    assert deadline_sweep(now=h(2 + 24 * 7)) == {"closed": 1}
    assert Voice.objects.get(pk=voice.pk).status == Status.CLOSED


def test_periodic_run_guards_against_doubles(world: Any, submit: Any) -> None:
    submit(now=h(0))
    assert deadline_sweep_run(now=h(21)) == {"remind": 1}
    job = PeriodicJob.objects.get()
    assert job.next_run_at == h(21) + INTERVAL
    assert deadline_sweep_run(now=h(21)) is None  # a double of the same period does nothing
    assert deadline_sweep_run(now=h(21) + INTERVAL) == {}


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_run_schedules_its_next_run_in_the_worker(world: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    deadline_sweep_run(now=h(0))
    row = DBTaskResult.objects.get()
    assert row.run_after == h(0) + INTERVAL
    assert row.task_path.endswith("voices_deadline_sweep_task")


def test_command_runs_once_and_reports_doubles(world: Any, submit: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("voices_sweep", stdout=out)
    call_command("voices_sweep", stdout=out)
    call_command("voices_sweep", "--schedule", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == ["{}", "skipped: another run is scheduled", "the task back-end cannot defer; use cron instead"]


def test_overdue_queue_lists_agenda_candidates(world: Any, submit: Any) -> None:
    from gongzhi.voices.selectors import voice_queue

    late = submit(now=h(0))
    on_time = submit(now=h(0))
    s.voice_accept(actor=world.users["secretary"], voice=on_time, now=h(1))
    assert list(voice_queue(user=world.users["secretary"], overdue_only=True, now=h(25))) == [late]
    assert set(voice_queue(user=world.users["secretary"], overdue_only=True, now=h(73))) == {late, on_time}


def test_timeline_is_append_only(submit: Any) -> None:
    event = submit().events.get()
    with pytest.raises(TypeError):
        event.save()
