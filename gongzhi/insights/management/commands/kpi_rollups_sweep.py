"""Run the rollup sweep once now, or (``--schedule``) start its self-scheduling chain in the worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from gongzhi.insights.tasks import rollup_sweep_run, schedule


class Command(BaseCommand):
    help = "Recompute the KPI rollups touched since the last run (the periodic job)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true", help="enqueue the periodic job in the worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            ok = schedule(timezone.now())
            self.stdout.write("scheduled" if ok else "the task back-end cannot defer; use cron instead")
            return
        counts = rollup_sweep_run(reschedule=False)
        self.stdout.write("skipped: another run is scheduled" if counts is None else str(counts))
