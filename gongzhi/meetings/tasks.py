"""The meeting reminder sweep, a periodic job in the background worker.

Each run: remind every invitee (less those who said they will not come) of a published meeting that starts
within a day — once per meeting, invitee and start time (the notification's dedup key carries the start, so a
meeting moved to another day is reminded of again); remind the convener of a meeting that ended more than
``CLOSE_REMINDER_AFTER`` ago but is not closed — once per meeting. Every reminder is an audit event.

The task schedules its own next run (``run_after``); a ``PeriodicJob`` row (the voices' guard table) keeps a
double from running. Start the chain once with ``python manage.py meetings_sweep --schedule`` (or from cron:
``*/15 * * * * manage.py meetings_sweep``).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from gongzhi.core.audit import audit_record
from gongzhi.voices.periodic import periodic_run, periodic_schedule

from .models import Meeting, MeetingStatus
from .services._common import invitee_users, meeting_link, notify_later

JOB_NAME = "meetings.reminder_sweep"
INTERVAL = datetime.timedelta(minutes=15)
REMIND_BEFORE = datetime.timedelta(hours=24)
CLOSE_REMINDER_AFTER = datetime.timedelta(hours=24)
BATCH = 2000


def _when(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    return f"{start:%Y-%m-%d %H:%M} {meeting.place or meeting.online_url}".strip()


def _remind_invitees(meeting_id: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if (
            meeting is None
            or meeting.status != MeetingStatus.PUBLISHED
            or not now < meeting.starts_at <= now + REMIND_BEFORE
            or meeting.reminded_for == meeting.starts_at
        ):
            return False
        meeting.reminded_for = meeting.starts_at
        meeting.save(update_fields=["reminded_for"])
        recipients = invitee_users(meeting, without_declined=True)
        audit_record(
            actor=None,
            verb="meeting.remind",
            obj=meeting,
            community_id=meeting.community_id,
            after={"starts_at": meeting.starts_at, "recipients": len(recipients)},
        )
        notify_later(
            recipients=recipients,
            verb="meeting.reminder",
            title=_("Tomorrow: %(title)s") % {"title": meeting.title},
            body=_when(meeting),
            link=meeting_link(meeting),
            key=f"meeting:{meeting.pk}:reminder:{meeting.starts_at.isoformat()}",
            community_id=meeting.community_id,
        )
        return True


def _remind_convener(meeting_id: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("convener").filter(pk=meeting_id).first()
        if (
            meeting is None
            or meeting.status not in (MeetingStatus.PUBLISHED, MeetingStatus.HELD)
            or meeting.ends_at > now - CLOSE_REMINDER_AFTER
            or meeting.close_reminded_at is not None
        ):
            return False
        meeting.close_reminded_at = now
        meeting.save(update_fields=["close_reminded_at"])
        audit_record(
            actor=None,
            verb="meeting.remind_close",
            obj=meeting,
            community_id=meeting.community_id,
            after={"ended_at": meeting.ends_at},
        )
        notify_later(
            recipients=[meeting.convener] if meeting.convener.is_active else [],
            verb="meeting.not_closed",
            title=_("The meeting “%(title)s” is over but not closed: record its minutes and close it")
            % {"title": meeting.title},
            body=_when(meeting),
            link=meeting_link(meeting),
            key=f"meeting:{meeting.pk}:not_closed",
            community_id=meeting.community_id,
        )
        return True


def reminder_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """One pass over every community's meetings; safe to repeat (each reminder happens once)."""
    now = now or timezone.now()
    counts = {"reminded": 0, "convener_reminded": 0}
    upcoming = Meeting.objects.filter(
        status=MeetingStatus.PUBLISHED, starts_at__gt=now, starts_at__lte=now + REMIND_BEFORE
    ).filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("starts_at")))
    for meeting_id in upcoming.order_by("starts_at", "pk").values_list("pk", flat=True)[:BATCH]:
        counts["reminded"] += _remind_invitees(meeting_id, now)
    unclosed = Meeting.objects.filter(
        status__in=[MeetingStatus.PUBLISHED, MeetingStatus.HELD],
        ends_at__lte=now - CLOSE_REMINDER_AFTER,
        close_reminded_at__isnull=True,
    )
    for meeting_id in unclosed.order_by("ends_at", "pk").values_list("pk", flat=True)[:BATCH]:
        counts["convener_reminded"] += _remind_convener(meeting_id, now)
    return counts


def schedule(run_after: datetime.datetime) -> bool:
    """Enqueue the next run (``manage.py … --schedule`` starts the chain)."""
    return periodic_schedule(meetings_reminder_sweep_task, run_after=run_after)


def reminder_sweep_run(*, now: datetime.datetime | None = None, reschedule: bool = True) -> dict[str, int] | None:
    """The periodic job: claim the period, sweep, schedule the next run. None when this run is a double."""
    return periodic_run(
        JOB_NAME,
        task=meetings_reminder_sweep_task,
        sweep=reminder_sweep,
        interval=INTERVAL,
        now=now,
        reschedule=reschedule,
    )


@task()
def meetings_reminder_sweep_task() -> dict[str, int] | None:
    return reminder_sweep_run()


__all__ = ["meetings_reminder_sweep_task", "reminder_sweep", "reminder_sweep_run", "schedule"]
