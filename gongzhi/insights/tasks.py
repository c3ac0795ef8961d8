"""The rollup sweep, a periodic job in the background worker (see rollups.py).

The task schedules its own next run (``run_after``) through voices' ``periodic.py``; a ``PeriodicJob`` row keeps
a double from running. Start the chain once with ``python manage.py kpi_rollups_sweep --schedule`` (or from
cron: ``0 * * * * manage.py kpi_rollups_sweep``).
"""

from __future__ import annotations

import datetime

from django_tasks import task

from gongzhi.voices.periodic import periodic_run, periodic_schedule

from .rollups import rollups_sweep

JOB_NAME = "insights.rollup_sweep"
INTERVAL = datetime.timedelta(hours=1)


def schedule(run_after: datetime.datetime) -> bool:
    return periodic_schedule(insights_rollup_sweep_task, run_after=run_after)


def rollup_sweep_run(*, now: datetime.datetime | None = None, reschedule: bool = True) -> dict[str, int] | None:
    """Claim the period, sweep, schedule the next run. None when this run is a double."""
    return periodic_run(
        JOB_NAME,
        task=insights_rollup_sweep_task,
        sweep=rollups_sweep,
        interval=INTERVAL,
        now=now,
        reschedule=reschedule,
    )


@task()
def insights_rollup_sweep_task() -> dict[str, int] | None:
    return rollup_sweep_run()
