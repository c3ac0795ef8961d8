"""One-shot ledger services: import a file directly (the command line), export, the template."""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction

from gongzhi.core.audit import audit_record
from gongzhi.estates.models import Compound

from . import spec_get
from .access import ledger_access_check, ledger_export_check
from .check import ReadResult, ledger_read
from .errors import LedgerRejected
from .locks import import_lock
from .memory import fewer_collections
from .report import errors_merge
from .spec import LedgerSpec, Plan
from .writing import ledger_workbook_write


def ledger_file_import(
    *,
    actor: Any,
    compound: Compound,
    ledger: str,
    fileobj: IO[bytes],
    name: str,
    dry_run: bool = False,
) -> tuple[Plan, ReadResult[Any]]:
    """Check the file and, unless ``dry_run``, apply it in one transaction under the compound's lock.

    Raises ``LedgerFileError`` for an unusable file and ``LedgerRejected`` (with every bad row) when any
    row is bad; nothing is changed then. Not atomic itself: the lock is committed before the writes.
    """
    spec = spec_get(ledger)
    ledger_access_check(actor, compound, spec)
    with fewer_collections():
        return _file_import(actor=actor, compound=compound, spec=spec, fileobj=fileobj, name=name, dry_run=dry_run)


def _file_import(
    *, actor: Any, compound: Compound, spec: LedgerSpec[Any], fileobj: IO[bytes], name: str, dry_run: bool
) -> tuple[Plan, ReadResult[Any]]:
    result = ledger_read(spec, fileobj, name)
    plan = None if result.errors else spec.plan(compound=compound, rows=result.rows, present=result.present)
    errors, count = errors_merge(result.errors, plan.errors if plan else [])
    if count or plan is None:
        raise LedgerRejected(errors, count)
    if dry_run:
        return plan, result
    with import_lock(compound, holder=f"file:{name}"[:100]), transaction.atomic():
        plan = spec.apply(actor=actor, compound=compound, rows=result.rows, present=result.present, progress=_quiet)
        audit_record(
            actor=actor,
            verb="ledger.import",
            obj=compound,
            community_id=compound.community_id,
            after={"ledger": spec.name, "file": name[:200], "rows": result.row_count, **plan.counts()},
        )
    return plan, result


def _quiet(done: int) -> None:
    """No progress bar on the command line."""


@transaction.atomic
def ledger_export(*, actor: Any, compound: Compound, ledger: str, out: IO[bytes]) -> int:
    """Write the compound's ledger as .xlsx; the export of personal data is audited. Returns the rows."""
    spec = spec_get(ledger)
    ledger_export_check(actor, compound, has_phones=spec.export_has_phones, spec=spec)
    count = ledger_workbook_write(out, spec=spec, rows=spec.export_rows(compound=compound))
    audit_record(
        actor=actor,
        verb="ledger.export",
        obj=compound,
        community_id=compound.community_id,
        after={"ledger": spec.name, "rows": count},
    )
    return count


def ledger_template(*, ledger: str, out: IO[bytes]) -> None:
    """An empty ledger with one example row and a second sheet explaining every column."""
    spec = spec_get(ledger)
    ledger_workbook_write(out, spec=spec, rows=[spec.example_row()], with_guide=True)
