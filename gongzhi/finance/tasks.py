"""Background work of the fees (run by ``db_worker``): generating a period's bills.

Tasks take ids, not objects (their arguments are stored as JSON), and leave the work to services.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from .services.generation import bills_generate_run


@task()
def bills_generate_task(run: str, compound_id: int, period: str, actor_id: int | None = None) -> str:
    """Generate a queued run's bills in one transaction; the run's page shows the outcome."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return bills_generate_run(run=run, compound_id=compound_id, period=period, actor=actor)
