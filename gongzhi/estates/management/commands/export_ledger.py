"""``python manage.py export_ledger houses|workorders --compound CODE PATH``: a file that imports back unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.estates.ledger import SPECS
from gongzhi.estates.ledger.services import ledger_export
from gongzhi.estates.models import Compound


class Command(BaseCommand):
    help = "Export a compound's ledger as .xlsx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ledger", choices=sorted(SPECS), help="which ledger to export")
        parser.add_argument("--compound", required=True, help="the compound's code")
        parser.add_argument("path", type=Path, help="the .xlsx file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        compound = Compound.objects.filter(code=options["compound"]).first()
        if compound is None:
            raise CommandError(_("No compound with code %(code)s.") % {"code": options["compound"]})
        if not path.parent.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": path.parent})
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("wb") as out:
                count = ledger_export(actor=None, compound=compound, ledger=options["ledger"], out=out)
            partial.replace(path)
        except DomainError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(_("Exported %(n)s rows to %(path)s.") % {"n": count, "path": path}))
