"""Rebuild the KPI rollups from the events: every compound, or one (``--compound CODE``), from ``--since``.

``--grains month,quarter,year`` builds only those grains (what the dashboards, the area pages and the report
read; ``--grains month,year`` is what the area dashboard reads); days are built only for the last ``--days``
(default: ``DAILY_DAYS``), older days being computed directly when asked for.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.errors import DomainError
from gongzhi.estates.models import Compound
from gongzhi.insights.periods import GRAINS, parse_date
from gongzhi.insights.rollups import DAILY_DAYS, rollups_rebuild

MAX_DAYS = 5000


class Command(BaseCommand):
    help = "Rebuild the KPI rollups (per compound per day, month, quarter and year) from the recorded events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--compound", help="the compound's code (default: every compound)")
        parser.add_argument("--since", help="from this date, e.g. 2025-01-01 (default: all its history)")
        parser.add_argument(
            "--grains",
            default=",".join(GRAINS),
            help=f"comma-separated grains to build, of {', '.join(GRAINS)} (default: all)",
        )
        parser.add_argument(
            "--days",
            default=str(DAILY_DAYS.days),
            help=f"build daily rollups for the last DAYS days only (default {DAILY_DAYS.days})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            since = parse_date(options["since"], field="since") if options["since"] else None
        except DomainError as e:
            raise CommandError(e.message) from None
        grains = [g.strip() for g in (options["grains"] or "").split(",") if g.strip()]
        unknown = [g for g in grains if g not in GRAINS]
        if not grains or unknown:
            raise CommandError(f"--grains: choose among {', '.join(GRAINS)} (got {options['grains']!r}).")
        text = str(options["days"]).strip()
        if not text.isdigit() or int(text) > MAX_DAYS:
            raise CommandError(f"--days: a whole number of days from 0 to {MAX_DAYS} (got {options['days']!r}).")
        compounds = Compound.objects.order_by("pk")
        if options["compound"]:
            compounds = compounds.filter(code=options["compound"])
            if not compounds:
                raise CommandError(f"No compound with the code {options['compound']!r}.")
        began = time.monotonic()
        written = rollups_rebuild(
            compounds=list(compounds),
            since=since,
            grains=[g for g in GRAINS if g in grains],
            days=datetime.timedelta(days=int(text)),
        )
        self.stdout.write(f"{written} rollup rows written in {time.monotonic() - began:.1f} s")
