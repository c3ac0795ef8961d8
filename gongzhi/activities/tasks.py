"""The activity reminder sweep, a periodic job in the background worker.

Each run reminds everyone with a place at a published activity that starts within a day — once per activity,
person and start time (the notification's dedup key carries the start, so an activity moved to another day is
reminded of again).
Every reminder batch is an audit event.

The task schedules its own next run (``run_after``); a ``PeriodicJob`` row (the voices' guard table) keeps a
double from running. Start the chain once with ``python manage.py activities_sweep --schedule`` (or from cron:
``*/15 * * * * manage.py activities_sweep``).
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

from .models import Activity, ActivityStatus, Signup, SignupStatus
from .services._common import notify_later
from .services.activities import activity_link

JOB_NAME = "activities.reminder_sweep"
INTERVAL = datetime.timedelta(minutes=15)
REMIND_BEFORE = datetime.timedelta(hours=24)
BATCH = 2000


def _remind(activity_id: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        activity = Activity.objects.select_for_update().filter(pk=activity_id).first()
        if (
            activity is None
            or activity.status != ActivityStatus.PUBLISHED
            or not now < activity.starts_at <= now + REMIND_BEFORE
            or activity.reminded_for == activity.starts_at
        ):
            return False
        activity.reminded_for = activity.starts_at
        activity.save(update_fields=["reminded_for"])
        recipients = [
            s.user
            for s in Signup.objects.filter(
                community_id=activity.community_id, activity=activity, status=SignupStatus.CONFIRMED
            ).select_related("user")
            if s.user.is_active
        ]
        audit_record(
            actor=None,
            verb="activity.remind",
            obj=activity,
            community_id=activity.community_id,
            after={"starts_at": activity.starts_at, "recipients": len(recipients)},
        )
        start = timezone.localtime(activity.starts_at)
        notify_later(
            recipients=recipients,
            verb="activity.reminder",
            title=_("Tomorrow: %(title)s") % {"title": activity.title},
            body=f"{start:%Y-%m-%d %H:%M} {activity.place}",
            link=activity_link(activity),
            key=f"activity:{activity.pk}:reminder:{activity.starts_at.isoformat()}",
            community_id=activity.community_id,
        )
        return True


def reminder_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """One pass over every community's activities; safe to repeat (each reminder happens once)."""
    now = now or timezone.now()
    counts = {"reminded": 0}
    upcoming = Activity.objects.filter(
        status=ActivityStatus.PUBLISHED, starts_at__gt=now, starts_at__lte=now + REMIND_BEFORE
    ).filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("starts_at")))
    for activity_id in upcoming.order_by("starts_at", "pk").values_list("pk", flat=True)[:BATCH]:
        counts["reminded"] += _remind(activity_id, now)
    return counts


def schedule(run_after: datetime.datetime) -> bool:
    return periodic_schedule(activities_reminder_sweep_task, run_after=run_after)


def reminder_sweep_run(*, now: datetime.datetime | None = None, reschedule: bool = True) -> dict[str, int] | None:
    """The periodic job: claim the period, sweep, schedule the next run. None when this run is a double."""
    return periodic_run(
        JOB_NAME,
        task=activities_reminder_sweep_task,
        sweep=reminder_sweep,
        interval=INTERVAL,
        now=now,
        reschedule=reschedule,
    )


@task()
def activities_reminder_sweep_task() -> dict[str, int] | None:
    return reminder_sweep_run()


__all__ = ["activities_reminder_sweep_task", "reminder_sweep", "reminder_sweep_run", "schedule"]
