"""A web import's life: upload → check (worker) → preview → confirm → apply (worker), or cancel.

Checking and applying run as background tasks (``estates.tasks``) and report progress on the
``LedgerImport`` row. Apply takes the compound's import lock in its own committed transaction, then
writes every row in one transaction: all rows or none.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict
from gongzhi.estates.models import Compound, ImportLock, ImportStatus, LedgerImport

from . import spec_get
from .access import ledger_access_check
from .check import ledger_read
from .checked import checked_delete, checked_load, checked_save
from .errors import ImportLocked, LedgerFileError, LedgerRejected, RowError
from .locks import LOCKED_MSGID, import_lock, import_lock_held, import_locked_error
from .memory import fewer_collections
from .progress import ImportProgress
from .reading import check_upload_size
from .report import errors_merge, report_build
from .spec import LedgerSpec

logger = logging.getLogger(__name__)
SUFFIXES = (".xlsx", ".csv")


def _transition_check(ledger_import: LedgerImport, to: str) -> None:
    if to not in LedgerImport.TRANSITIONS[ledger_import.status]:
        raise Conflict(
            _("This import is already %(status)s.") % {"status": ledger_import.get_status_display()},
            code="illegal_transition",
        )


def _finish(ledger_import: LedgerImport, *, expect: str, status: str, report: dict[str, Any], **fields: Any) -> None:
    """Record the outcome, unless someone moved the import on meanwhile (the status guards the update)."""
    LedgerImport.objects.filter(pk=ledger_import.pk, status=expect).update(
        status=status, report=report, updated_at=timezone.now(), **fields
    )
    ledger_import.refresh_from_db()


def _failure_report(msgid: str, **params: Any) -> dict[str, Any]:
    error = RowError(None, "", msgid, params)
    return report_build(errors=[error], error_count=1, unknown_columns=[], rows=0)


@transaction.atomic
def ledger_import_create(*, actor: Any, compound: Compound, ledger: str, upload: UploadedFile) -> LedgerImport:
    """Keep the upload and queue its check; the preview appears when the worker is done."""
    spec = spec_get(ledger)
    ledger_access_check(actor, compound, spec)
    check_upload_size(upload.size or 0)
    original = PurePath(upload.name or "").name[:200]
    suffix = PurePath(original).suffix.lower()
    if suffix not in SUFFIXES:
        raise LedgerFileError(gettext_noop("Upload the ledger as an .xlsx or .csv file."))
    ledger_import = LedgerImport(
        community_id=compound.community_id,
        compound=compound,
        ledger=spec.name,
        original_name=original,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    ledger_import.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
    ledger_import.save()
    audit_record(
        actor=actor,
        verb="ledger.upload",
        obj=ledger_import,
        community_id=compound.community_id,
        after={"ledger": spec.name, "file": original, "bytes": upload.size},
    )
    from gongzhi.estates.tasks import ledger_import_check_task

    pk = ledger_import.pk
    transaction.on_commit(lambda: ledger_import_check_task.enqueue(pk))
    return ledger_import


def ledger_import_check(*, ledger_import_id: int) -> LedgerImport:
    """Worker: read and check every row, compare with the compound, store the preview.

    Not atomic: it only reads (for many seconds on big files) and reports progress as it goes; its one
    write is the outcome, guarded by the status.
    """
    ledger_import = LedgerImport.objects.select_related("compound").get(pk=ledger_import_id)
    if ledger_import.status != ImportStatus.CHECKING:
        return ledger_import
    spec = spec_get(ledger_import.ledger)
    progress = ImportProgress(ledger_import)
    try:
        with fewer_collections():
            report, status, row_count = _check(ledger_import, spec, progress)
        _finish(
            ledger_import,
            expect=ImportStatus.CHECKING,
            status=status,
            report=report,
            rows_total=row_count,
            rows_done=row_count,
        )
    except LedgerFileError as exc:
        report = report_build(errors=[exc.error], error_count=1, unknown_columns=[], rows=0)
        _finish(ledger_import, expect=ImportStatus.CHECKING, status=ImportStatus.INVALID, report=report)
    except Exception:
        logger.exception("ledger import %s: check failed", ledger_import.pk)
        report = _failure_report(gettext_noop("The file could not be checked because of an internal error."))
        _finish(ledger_import, expect=ImportStatus.CHECKING, status=ImportStatus.FAILED, report=report)
        raise
    finally:
        progress.close()
    return ledger_import


def _check(
    ledger_import: LedgerImport, spec: LedgerSpec[Any], progress: ImportProgress
) -> tuple[dict[str, Any], str, int]:
    """The preview report, the resulting status and the number of rows; keeps the checked rows if good."""
    with ledger_import.file.open("rb") as fileobj:
        result = ledger_read(spec, fileobj, ledger_import.original_name, on_total=progress.total, progress=progress)
    plan = (
        None if result.errors else spec.plan(compound=ledger_import.compound, rows=result.rows, present=result.present)
    )
    errors, error_count = errors_merge(result.errors, plan.errors if plan else [])
    report = report_build(
        errors=errors, error_count=error_count, unknown_columns=result.unknown_columns, rows=result.row_count, plan=plan
    )
    if error_count:
        return report, ImportStatus.INVALID, result.row_count
    ledger_import.report = report
    report["checked_file"] = checked_save(ledger_import, spec, result.rows, result.present)
    return report, ImportStatus.READY, result.row_count


def _checked_rows(ledger_import: LedgerImport, spec: LedgerSpec[Any]) -> tuple[list[Any], frozenset[str]]:
    """The rows kept by the check; read again from the upload if they were lost."""
    loaded = checked_load(ledger_import, spec)
    if loaded is not None:
        return loaded
    with ledger_import.file.open("rb") as fileobj:
        result = ledger_read(spec, fileobj, ledger_import.original_name)
    if result.errors:
        raise LedgerRejected(result.errors.items, result.errors.count)
    return result.rows, result.present


@transaction.atomic
def ledger_import_confirm(*, actor: Any, ledger_import: LedgerImport) -> LedgerImport:
    """Queue the apply of a previewed import."""
    ledger_import = LedgerImport.objects.select_for_update().select_related("compound").get(pk=ledger_import.pk)
    ledger_access_check(actor, ledger_import.compound, spec_get(ledger_import.ledger))
    _transition_check(ledger_import, ImportStatus.APPLYING)
    if import_lock_held(ledger_import.compound):
        raise import_locked_error()
    ledger_import.status = ImportStatus.APPLYING
    ledger_import.rows_done = 0
    ledger_import.save(update_fields=["status", "rows_done", "updated_at"])
    audit_record(actor=actor, verb="ledger.confirm", obj=ledger_import, community_id=ledger_import.community_id)
    from gongzhi.estates.tasks import ledger_import_apply_task

    pk, actor_id = ledger_import.pk, getattr(actor, "pk", None)
    transaction.on_commit(lambda: ledger_import_apply_task.enqueue(pk, actor_id))
    return ledger_import


def ledger_import_apply(*, ledger_import_id: int, actor: Any = None) -> LedgerImport:
    """Worker: apply the previewed rows, all in one transaction, under the compound's import lock.

    Not atomic itself: the lock must be committed before the writing transaction starts, and the outcome
    (applied, invalid, failed) must be recorded even when that transaction rolls back.
    """
    ledger_import = LedgerImport.objects.select_related("compound", "created_by").get(pk=ledger_import_id)
    if ledger_import.status != ImportStatus.APPLYING:
        return ledger_import
    actor = actor if actor is not None else ledger_import.created_by
    spec = spec_get(ledger_import.ledger)
    compound = ledger_import.compound
    progress = ImportProgress(ledger_import)
    report = dict(ledger_import.report or {})
    holder = f"import:{ledger_import.pk}"
    try:
        with fewer_collections():
            rows, present = _checked_rows(ledger_import, spec)
            progress.total(len(rows))
            with import_lock(compound, holder=holder), transaction.atomic():
                plan = spec.apply(actor=actor, compound=compound, rows=rows, present=present, progress=progress)
                progress.close()
                report["result"] = plan.counts()
                audit_record(
                    actor=actor,
                    verb="ledger.import",
                    obj=ledger_import,
                    community_id=compound.community_id,
                    after={
                        "ledger": spec.name,
                        "file": ledger_import.original_name,
                        "rows": len(rows),
                        **plan.counts(),
                    },
                )
                _finish(
                    ledger_import,
                    expect=ImportStatus.APPLYING,
                    status=ImportStatus.APPLIED,
                    report=report,
                    rows_done=len(rows),
                )
        checked_delete(ledger_import)
    except LedgerRejected as rejected:
        report.update(errors=[e.as_json() for e in rejected.errors], error_count=rejected.error_count)
        _finish(ledger_import, expect=ImportStatus.APPLYING, status=ImportStatus.INVALID, report=report)
    except (ImportLocked, LedgerFileError) as exc:
        if isinstance(exc, ImportLocked) and ImportLock.objects.filter(holder=holder).exists():
            return ledger_import  # this very import is being applied by another worker: leave it be
        error = exc.error if isinstance(exc, LedgerFileError) else RowError(None, "", LOCKED_MSGID)
        report.update(errors=[error.as_json()], error_count=1)
        _finish(ledger_import, expect=ImportStatus.APPLYING, status=ImportStatus.FAILED, report=report)
    except Exception:
        logger.exception("ledger import %s: apply failed", ledger_import.pk)
        report.update(
            _failure_report(gettext_noop("The import failed because of an internal error; nothing was changed."))
        )
        _finish(ledger_import, expect=ImportStatus.APPLYING, status=ImportStatus.FAILED, report=report)
        raise
    finally:
        progress.close()
    return ledger_import


@transaction.atomic
def ledger_import_cancel(*, actor: Any, ledger_import: LedgerImport) -> LedgerImport:
    ledger_import = LedgerImport.objects.select_for_update().select_related("compound").get(pk=ledger_import.pk)
    ledger_access_check(actor, ledger_import.compound, spec_get(ledger_import.ledger))
    _transition_check(ledger_import, ImportStatus.CANCELLED)
    ledger_import.status = ImportStatus.CANCELLED
    ledger_import.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, verb="ledger.cancel", obj=ledger_import, community_id=ledger_import.community_id)
    transaction.on_commit(lambda: checked_delete(ledger_import))
    return ledger_import
