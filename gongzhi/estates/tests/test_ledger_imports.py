"""The web import's life through services and tasks: check → preview → confirm → apply, locks, the worker."""

from __future__ import annotations

import datetime
import signal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from gongzhi.core.errors import Conflict
from gongzhi.core.models import AuditEvent
from gongzhi.estates.ledger.imports import (
    ledger_import_apply,
    ledger_import_cancel,
    ledger_import_confirm,
    ledger_import_create,
)
from gongzhi.estates.ledger.report import report_view
from gongzhi.estates.models import Compound, House, ImportLock, ImportStatus, LedgerImport
from gongzhi.testing.factories import CompoundFactory, UserFactory

from .ledger_files import house, houses, media_tmp, upload, xlsx_bytes  # noqa: F401

pytestmark = pytest.mark.usefixtures("media_tmp")


def uploaded(compound: Compound, data: bytes, capture: Any, name: str = "houses.xlsx") -> LedgerImport:
    """Upload as the page does; the check task runs when the transaction commits."""
    with capture(execute=True):
        ledger_import = ledger_import_create(actor=None, compound=compound, ledger="houses", upload=upload(data, name))
    ledger_import.refresh_from_db()
    return ledger_import


def confirmed(ledger_import: LedgerImport, capture: Any) -> LedgerImport:
    with capture(execute=True):
        ledger_import_confirm(actor=None, ledger_import=ledger_import)
    ledger_import.refresh_from_db()
    return ledger_import


@pytest.mark.django_db
def test_upload_is_checked_into_a_preview_with_counts(django_capture_on_commit_callbacks):
    # given a compound with one of three houses already stored
    compound = CompoundFactory.create()
    first = uploaded(compound, xlsx_bytes(houses(1)), django_capture_on_commit_callbacks)
    confirmed(first, django_capture_on_commit_callbacks)
    # when a file with that house changed and two new ones is uploaded
    rows = houses(3)
    rows[0]["area"] = 99
    ledger_import = uploaded(compound, xlsx_bytes(rows), django_capture_on_commit_callbacks)
    # then the preview counts them, and nothing is written yet
    assert ledger_import.status == ImportStatus.READY
    assert report_view(ledger_import).plan == {"created": 2, "updated": 1, "unchanged": 0}
    assert (ledger_import.rows_done, ledger_import.rows_total) == (3, 3)
    assert House.objects.filter(compound=compound).count() == 1


@pytest.mark.django_db
def test_confirm_applies_all_rows_and_reports_the_result(django_capture_on_commit_callbacks):
    compound = CompoundFactory.create()
    ledger_import = uploaded(compound, xlsx_bytes(houses(5)), django_capture_on_commit_callbacks)
    # when confirmed
    ledger_import = confirmed(ledger_import, django_capture_on_commit_callbacks)
    # then applied, with the result; the checked rows and the upload (personal data) gone; the import audited
    assert ledger_import.status == ImportStatus.APPLIED
    assert not ledger_import.file.storage.exists(ledger_import.file.name)
    assert report_view(ledger_import).result == {"created": 5, "updated": 0, "unchanged": 0}
    assert ledger_import.rows_done == 5
    assert House.objects.filter(compound=compound).count() == 5
    assert not ledger_import.file.storage.exists(ledger_import.report["checked_file"])
    assert AuditEvent.objects.filter(verb="ledger.import", object_id=str(ledger_import.pk)).exists()
    assert not ImportLock.objects.exists()


@pytest.mark.django_db
def test_a_file_with_bad_rows_is_invalid_and_lists_every_bad_row(django_capture_on_commit_callbacks):
    compound = CompoundFactory.create()
    rows = [house(area=0), house(room="1701"), house(room="1601", phone="12")]
    ledger_import = uploaded(compound, xlsx_bytes(rows), django_capture_on_commit_callbacks)
    assert ledger_import.status == ImportStatus.INVALID
    report = report_view(ledger_import)
    assert [(e.row, e.column) for e in report.errors] == [(2, "建筑面积"), (4, "联系电话")]
    with pytest.raises(Conflict):
        ledger_import_confirm(actor=None, ledger_import=ledger_import)
    assert House.objects.count() == 0


@pytest.mark.django_db
def test_an_unreadable_file_is_invalid_with_one_file_error(django_capture_on_commit_callbacks):
    compound = CompoundFactory.create()
    ledger_import = uploaded(compound, b"not a workbook", django_capture_on_commit_callbacks)
    assert ledger_import.status == ImportStatus.INVALID
    assert [(e.row, e.msgid) for e in report_view(ledger_import).errors] == [
        (None, "This file is not a valid .xlsx workbook.")
    ]


@pytest.mark.django_db
def test_a_second_import_of_the_same_compound_is_refused_while_one_runs(django_capture_on_commit_callbacks):
    # given a previewed import and another import of the compound holding the lock
    compound = CompoundFactory.create()
    ledger_import = uploaded(compound, xlsx_bytes(houses(2)), django_capture_on_commit_callbacks)
    ImportLock.objects.create(compound=compound, community_id=compound.community_id, holder="import:other")
    # when confirmed, the page is told to wait
    with pytest.raises(Conflict) as refused:
        ledger_import_confirm(actor=None, ledger_import=ledger_import)
    assert refused.value.code == "import_locked"
    ledger_import.refresh_from_db()
    assert ledger_import.status == ImportStatus.READY
    assert House.objects.count() == 0


@pytest.mark.django_db
def test_an_apply_that_finds_the_lock_taken_fails_cleanly_and_changes_nothing(django_capture_on_commit_callbacks):
    # given an import confirmed, then another import taking the lock before the worker starts
    compound = CompoundFactory.create()
    ledger_import = uploaded(compound, xlsx_bytes(houses(2)), django_capture_on_commit_callbacks)
    ledger_import_confirm(actor=None, ledger_import=ledger_import)  # the apply task is not run yet
    ImportLock.objects.create(compound=compound, community_id=compound.community_id, holder="import:other")
    # when the worker applies it
    ledger_import = ledger_import_apply(ledger_import_id=ledger_import.pk)
    # then it failed with the lock message, and nothing changed
    assert ledger_import.status == ImportStatus.FAILED
    assert report_view(ledger_import).errors[0].msgid.startswith("Another import of this compound is running")
    assert House.objects.count() == 0
    assert ImportLock.objects.get().holder == "import:other"


@pytest.mark.django_db
def test_a_second_run_of_the_same_apply_leaves_the_running_one_alone(django_capture_on_commit_callbacks):
    # given an import being applied by one worker (which holds the lock in its name)
    compound = CompoundFactory.create()
    ledger_import = uploaded(compound, xlsx_bytes(houses(2)), django_capture_on_commit_callbacks)
    ledger_import_confirm(actor=None, ledger_import=ledger_import)
    ImportLock.objects.create(
        compound=compound, community_id=compound.community_id, holder=f"import:{ledger_import.pk}"
    )
    # when a duplicate run of the task starts
    ledger_import = ledger_import_apply(ledger_import_id=ledger_import.pk)
    # then it steps aside: the import is still applying
    assert ledger_import.status == ImportStatus.APPLYING
    assert House.objects.count() == 0


@pytest.mark.django_db
def test_a_stale_lock_is_taken_over(django_capture_on_commit_callbacks):
    compound = CompoundFactory.create()
    lock = ImportLock.objects.create(compound=compound, community_id=compound.community_id, holder="crashed")
    ImportLock.objects.filter(pk=lock.pk).update(taken_at=timezone.now() - datetime.timedelta(hours=2))
    ledger_import = uploaded(compound, xlsx_bytes(houses(2)), django_capture_on_commit_callbacks)
    ledger_import = confirmed(ledger_import, django_capture_on_commit_callbacks)
    assert ledger_import.status == ImportStatus.APPLIED
    assert not ImportLock.objects.exists()


@pytest.mark.django_db
def test_rows_that_turned_bad_since_the_preview_make_the_import_invalid(django_capture_on_commit_callbacks):
    # given a previewed import that lowers 常住人数 to 1
    compound = CompoundFactory.create()
    confirmed(uploaded(compound, xlsx_bytes([house(permanent_residents=0)]), django_capture_on_commit_callbacks),
              django_capture_on_commit_callbacks)  # fmt: skip
    ledger_import = uploaded(
        compound, xlsx_bytes([house(permanent_residents=1, area=77)]), django_capture_on_commit_callbacks
    )
    # when, before confirming, staff register two named residents
    from gongzhi.testing.factories import ResidentFactory

    ResidentFactory.create_batch(2, house=House.objects.get(compound=compound))
    ledger_import = confirmed(ledger_import, django_capture_on_commit_callbacks)
    # then the apply is refused with the row's error and nothing changed
    assert ledger_import.status == ImportStatus.INVALID
    assert [(e.row, e.column) for e in report_view(ledger_import).errors] == [(2, "常住人数")]
    assert str(House.objects.get(compound=compound).area) == "128.56"


@pytest.mark.django_db
def test_cancel_discards_a_preview(django_capture_on_commit_callbacks):
    compound = CompoundFactory.create()
    ledger_import = uploaded(compound, xlsx_bytes(houses(2)), django_capture_on_commit_callbacks)
    checked = ledger_import.report["checked_file"]
    with django_capture_on_commit_callbacks(execute=True):
        ledger_import_cancel(actor=None, ledger_import=ledger_import)
    ledger_import.refresh_from_db()
    assert ledger_import.status == ImportStatus.CANCELLED
    assert not ledger_import.file.storage.exists(checked)
    assert not ledger_import.file.storage.exists(ledger_import.file.name)
    with pytest.raises(Conflict):
        ledger_import_confirm(actor=None, ledger_import=ledger_import)


@pytest.mark.django_db
def test_staff_without_the_ledger_permission_cannot_upload(world):
    from gongzhi.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        ledger_import_create(
            actor=world.users["technician"],
            compound=world.compound_a,
            ledger="houses",
            upload=upload(xlsx_bytes(houses(1))),
        )
    assert not LedgerImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_checks_and_applies_an_import():
    # given the database task backend, as in production
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        compound = CompoundFactory.create()
        user = UserFactory.create()
        ledger_import = ledger_import_create(
            actor=None, compound=compound, ledger="houses", upload=upload(xlsx_bytes(houses(4)))
        )
        # when the worker runs the queued check, then the queued apply
        _run_worker()
        ledger_import.refresh_from_db()
        assert ledger_import.status == ImportStatus.READY
        ledger_import_confirm(actor=None, ledger_import=ledger_import)
        _run_worker()
        # then the import got applied
        ledger_import.refresh_from_db()
    assert ledger_import.status == ImportStatus.APPLIED
    assert House.objects.filter(compound=compound).count() == 4
    assert user.pk


def _run_worker() -> None:
    """``db_worker --batch`` installs signal handlers; put pytest's back afterwards."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
def test_progress_of_an_apply_is_visible_to_other_connections_on_postgresql(monkeypatch):
    from django.db import connection, connections

    from gongzhi.estates.ledger.houses import apply as house_apply
    from gongzhi.estates.ledger.progress import ImportProgress

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: there the bar moves when the apply commits")
    # given batches of two rows, and a watcher reading rows_done from another connection after each batch
    monkeypatch.setattr(house_apply, "BATCH", 2)
    seen: list[int] = []
    report = ImportProgress.__call__

    def watched(self: ImportProgress, done: int) -> None:
        report(self, done)
        if connection.in_atomic_block:
            other = connections.create_connection("default")
            with other.cursor() as cursor:
                cursor.execute("SELECT rows_done FROM estates_ledgerimport WHERE id = %s", [self.pk])
                seen.append(cursor.fetchone()[0])
            other.close()

    monkeypatch.setattr(ImportProgress, "__call__", watched)
    compound = CompoundFactory.create()
    ledger_import = ledger_import_create(
        actor=None, compound=compound, ledger="houses", upload=upload(xlsx_bytes(houses(6)))
    )
    # when confirmed (the immediate backend applies it at once)
    ledger_import_confirm(actor=None, ledger_import=ledger_import)
    # then every batch's progress was visible outside the still-open transaction
    assert seen == [2, 4, 6]
    ledger_import.refresh_from_db()
    assert ledger_import.status == ImportStatus.APPLIED
