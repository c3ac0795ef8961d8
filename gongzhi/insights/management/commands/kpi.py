"""Print every KPI of a compound for a period (KPIS.md): numerator, denominator, value, the year before, change."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.errors import DomainError
from gongzhi.estates.models import Compound
from gongzhi.insights.engine import as_of_check, kpis_compute
from gongzhi.insights.periods import parse_date, parse_period
from gongzhi.insights.present import report_dict, report_table


class Command(BaseCommand):
    help = "Every KPI of a compound for a period (2025, 2025Q1, 2025-03) as of a date, computed from the events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--compound", required=True, help="the compound's code")
        parser.add_argument("--period", required=True, help="2025 (year), 2025Q1 (quarter) or 2025-03 (month)")
        parser.add_argument("--as-of", dest="as_of", help="a date, e.g. 2025-06-30 (default: the period's last day)")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        compound = Compound.objects.filter(code=options["compound"]).first()
        if compound is None:
            raise CommandError(f"No compound with the code {options['compound']!r}.")
        try:
            period = parse_period(options["period"])
            as_of = parse_date(options["as_of"]) if options["as_of"] else None
            as_of = as_of_check(compound, period, as_of)
        except DomainError as e:
            raise CommandError(e.message) from None
        report = kpis_compute([compound], period, as_of=as_of)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report_dict(report, compound), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report_table(report, compound))
