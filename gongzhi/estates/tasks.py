"""Background work of the estate: checking and applying uploaded ledgers (run by ``db_worker``).

Tasks take ids, not objects (their arguments are stored as JSON), and leave the work to services.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from .ledger.imports import ledger_import_apply, ledger_import_check


@task()
def ledger_import_check_task(ledger_import_id: int) -> str:
    """Read and check an uploaded ledger; the preview is ready when this ends."""
    return ledger_import_check(ledger_import_id=ledger_import_id).status


@task()
def ledger_import_apply_task(ledger_import_id: int, actor_id: int | None = None) -> str:
    """Apply a confirmed ledger in one transaction, reporting progress as it goes."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return ledger_import_apply(ledger_import_id=ledger_import_id, actor=actor).status
