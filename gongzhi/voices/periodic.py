"""Self-scheduling periodic jobs on the task queue (the voices' deadline sweep, the meetings' reminders).

Each run claims its period on a ``PeriodicJob`` row under a lock, does its work, then enqueues the next run
with ``run_after``. A run that finds the next one already scheduled later than now is a double and does
nothing, so a job started twice (``--schedule`` again, a restarted worker) still runs once a period.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import PeriodicJob

logger = logging.getLogger("gongzhi.periodic")

SLACK = datetime.timedelta(minutes=1)


def periodic_claim(
    name: str, *, now: datetime.datetime, interval: datetime.timedelta, slack: datetime.timedelta = SLACK
) -> datetime.datetime | None:
    """Take this period's run of ``name``: its next run time, or None when another run holds a later one.

    ``slack`` must be shorter than ``interval`` for doubles to die out (a job every few seconds passes a
    smaller one than the default minute)."""
    with transaction.atomic():
        PeriodicJob.objects.get_or_create(name=name)
        job = PeriodicJob.objects.select_for_update().get(name=name)
        if job.next_run_at is not None and job.next_run_at > now + slack:
            return None
        job.last_run_at = now
        job.next_run_at = now + interval
        job.save(update_fields=["last_run_at", "next_run_at"])
        return job.next_run_at


def periodic_schedule(task: Any, *, run_after: datetime.datetime) -> bool:
    """Enqueue ``task`` to run after ``run_after``; a back-end without deferred tasks (tests') is skipped."""
    if not task.get_backend().supports_defer:
        logger.info("task back-end cannot defer; %s not scheduled", task.name)
        return False
    task.using(run_after=run_after).enqueue()
    return True


def periodic_run(
    name: str,
    *,
    task: Any,
    sweep: Callable[..., dict[str, int]],
    interval: datetime.timedelta,
    now: datetime.datetime | None = None,
    reschedule: bool = True,
    slack: datetime.timedelta = SLACK,
) -> dict[str, int] | None:
    """Claim the period, run ``sweep(now=…)``, schedule the next run. None when this run is a double."""
    now = now or timezone.now()
    next_run = periodic_claim(name, now=now, interval=interval, slack=slack)
    if next_run is None:
        return None
    counts = sweep(now=now)
    if reschedule:
        periodic_schedule(task, run_after=next_run)
    return counts
