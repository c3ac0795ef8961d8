"""The duty reminder sweep, a periodic job in the background worker.

Each run reminds everyone on a shift that starts within ``REMIND_BEFORE`` — once per assignment and start (a
swap clears ``reminded_at``, so the new holder is reminded). One notification and one audit event per person
reminded; a run is a few queries per batch, whatever the number of posts.

The task schedules its own next run (``run_after``); the voices' ``PeriodicJob`` row keeps a double from
running. Start the chain once with ``python manage.py duty_sweep --schedule`` (or from cron: ``*/15 * * * *
manage.py duty_sweep``).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from gongzhi.core.audit import audit_build
from gongzhi.core.models import AuditEvent
from gongzhi.notifications.services import notify
from gongzhi.voices.periodic import periodic_run, periodic_schedule

from .models import Assignment
from .services._common import MINE_LINK, when

JOB_NAME = "duty.reminder_sweep"
INTERVAL = datetime.timedelta(minutes=15)
REMIND_BEFORE = datetime.timedelta(hours=12)
BATCH = 500


def reminder_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Remind the people on shifts starting within ``REMIND_BEFORE``; safe to repeat."""
    now = now or timezone.now()
    reminded = 0
    while True:
        with transaction.atomic():
            rows = list(
                Assignment.objects.select_for_update(of=("self",))
                .filter(
                    starts_at__gt=now,
                    starts_at__lte=now + REMIND_BEFORE,
                    reminded_at__isnull=True,
                    shift__cancelled=False,
                )
                .select_related("user", "shift", "shift__post")
                .order_by("starts_at", "pk")[:BATCH]
            )
            if not rows:
                break
            Assignment.objects.filter(pk__in=[r.pk for r in rows]).update(reminded_at=now)
            events = []
            for row in rows:
                notify(
                    recipients=[row.user],
                    verb="duty.reminder",
                    title=_("On duty soon: %(post)s") % {"post": row.shift.post.name},
                    body=f"{when(row.shift)} {row.shift.post.place}".strip(),
                    link=MINE_LINK,
                    dedup_key=f"duty:remind:{row.pk}:{row.starts_at.isoformat()}",
                    community_id=row.community_id,
                )
                events.append(
                    audit_build(
                        actor=None,
                        verb="duty.remind",
                        obj=row,
                        community_id=row.community_id,
                        after={"starts_at": row.starts_at},
                    )
                )
            AuditEvent.objects.bulk_create(events)
            reminded += len(rows)
        if len(rows) < BATCH:
            break
    return {"reminded": reminded}


def schedule(run_after: datetime.datetime) -> bool:
    return periodic_schedule(duty_reminder_sweep_task, run_after=run_after)


def reminder_sweep_run(*, now: datetime.datetime | None = None, reschedule: bool = True) -> dict[str, int] | None:
    """The periodic job: claim the period, sweep, schedule the next run. None when this run is a double."""
    return periodic_run(
        JOB_NAME,
        task=duty_reminder_sweep_task,
        sweep=reminder_sweep,
        interval=INTERVAL,
        now=now,
        reschedule=reschedule,
    )


@task()
def duty_reminder_sweep_task() -> dict[str, int] | None:
    return reminder_sweep_run()


__all__ = ["duty_reminder_sweep_task", "reminder_sweep", "reminder_sweep_run", "schedule"]
