"""Raise the voices queued by the intake now; ``--schedule``: start the periodic drain in the worker;
``--follow``: keep draining (a dedicated drainer process; several may run at once on PostgreSQL)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from gongzhi.voices.services.intake import BATCH, intake_drain
from gongzhi.voices.tasks import INTAKE_INTERVAL, intake_schedule


class Command(BaseCommand):
    help = "Turn queued voice intakes into voices (POST /api/voices/intake/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true", help="enqueue the periodic drain in the worker")
        parser.add_argument(
            "--follow", action="store_true", help="keep draining, looking again every few seconds when empty"
        )
        parser.add_argument("--batch", type=int, default=BATCH, help=f"intakes per transaction (default {BATCH})")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            ok = intake_schedule(timezone.now())
            self.stdout.write("scheduled" if ok else "the task back-end cannot defer; use --follow instead")
            return
        size = max(1, int(options["batch"]))
        while True:
            counts = intake_drain(size=size)
            if not options["follow"]:
                self.stdout.write(str(counts))
                return
            if counts:
                self.stdout.write(str(counts))
            else:
                time.sleep(INTAKE_INTERVAL.total_seconds())
