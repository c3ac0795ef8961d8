"""``python manage.py import_ledger houses|workorders PATH --compound CODE [--dry-run]``.

Exit 0 when the file was applied (or, with --dry-run, would apply cleanly); otherwise every bad row is
printed, nothing is changed, and the exit status is 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.core.errors import DomainError
from gongzhi.estates.ledger import SPECS
from gongzhi.estates.ledger.errors import LedgerRejected, RowError
from gongzhi.estates.ledger.services import ledger_file_import
from gongzhi.estates.models import Compound


def error_line(error: RowError) -> str:
    if error.row is None:
        return error.message
    if error.column:
        return _("row %(row)s, %(column)s: %(message)s") % {
            "row": error.row,
            "column": error.column,
            "message": error.message,
        }
    return _("row %(row)s: %(message)s") % {"row": error.row, "message": error.message}


class Command(BaseCommand):
    help = "Import a ledger (.xlsx or .csv) into a compound: all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ledger", choices=sorted(SPECS), help="which ledger the file holds")
        parser.add_argument("path", type=Path, help="the .xlsx or .csv file")
        parser.add_argument("--compound", required=True, help="the compound's code")
        parser.add_argument("--dry-run", action="store_true", help="check and report, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        compound = Compound.objects.filter(code=options["compound"]).first()
        if compound is None:
            raise CommandError(_("No compound with code %(code)s.") % {"code": options["compound"]})
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            with path.open("rb") as fileobj:
                plan, result = ledger_file_import(
                    actor=None,
                    compound=compound,
                    ledger=options["ledger"],
                    fileobj=fileobj,
                    name=path.name,
                    dry_run=options["dry_run"],
                )
        except LedgerRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(error_line(error))
            hidden = rejected.error_count - len(rejected.errors)
            if hidden > 0:
                more = ngettext("%(n)s more error is not shown.", "%(n)s more errors are not shown.", hidden)
                self.stderr.write(more % {"n": hidden})
            n = rejected.error_count
            summary = ngettext("%(n)s error; nothing was imported.", "%(n)s errors; nothing was imported.", n)
            raise CommandError(summary % {"n": n}) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for name in result.unknown_columns:
            self.stdout.write(_("Column ignored: %(name)s") % {"name": name})
        counts = {"created": plan.created, "updated": plan.updated, "unchanged": plan.unchanged}
        if options["dry_run"]:
            message = _(
                "Dry run, nothing changed: %(created)s would be created, %(updated)s updated, %(unchanged)s unchanged."
            )
        else:
            message = _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        self.stdout.write(self.style.SUCCESS(message % counts))
