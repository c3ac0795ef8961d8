"""Rebuild the KPI rollups from the events: every compound, or one (``--compound CODE``), from ``--since``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.errors import DomainError
from gongzhi.estates.models import Compound
from gongzhi.insights.periods import parse_date
from gongzhi.insights.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild the KPI rollups (per compound per day, month, quarter and year) from the recorded events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--compound", help="the compound's code (default: every compound)")
        parser.add_argument("--since", help="from this date, e.g. 2025-01-01 (default: all its history)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            since = parse_date(options["since"], field="since") if options["since"] else None
        except DomainError as e:
            raise CommandError(e.message) from None
        compounds = Compound.objects.order_by("pk")
        if options["compound"]:
            compounds = compounds.filter(code=options["compound"])
            if not compounds:
                raise CommandError(f"No compound with the code {options['compound']!r}.")
        written = rollups_rebuild(compounds=list(compounds), since=since)
        self.stdout.write(f"{written} rollup rows written")
