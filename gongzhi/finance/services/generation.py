"""Bill generation from the pages: the preview, and a run queued for the background worker (django-tasks).

A run has no table of its own: its life is told by audit events on ``finance.billrun`` <run id> — queued (by
whoever confirmed, with the compound and period), started (the worker took it), then done (with the counts,
written in the same transaction as the bills) or failed (with the reason; nothing was created). The progress
page reads them back (``staff_selectors.bill_run_get``). Generating twice creates nothing new: ``bills_generate``
leaves alone every house that already has a bill for the period.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import Compound

from ..periods import Period
from ..rules import may_keep_fees
from ..staff_selectors import RUN_DONE, RUN_FAILED, RUN_QUEUED, RUN_STARTED, RUN_TYPE
from ._common import require
from .billing import BillPlan, bill_plan, billing_period, bills_generate

logger = logging.getLogger(__name__)


def bills_preview(*, actor: Any, compound: Compound, period: str | Period) -> BillPlan:
    """What generating the period's bills would create, including the houses that have no fee standard (which
    ``bills_generate`` refuses): a read, nothing written."""
    require(may_keep_fees(actor, compound), _("You may not bill this compound."))
    return bill_plan(compound=compound, period=billing_period(period))


@transaction.atomic
def bills_generate_queue(*, actor: Any, compound: Compound, period: str | Period) -> str:
    """Queue the generation of a period's bills for the worker; returns the run's id (for its progress page)."""
    require(may_keep_fees(actor, compound), _("You may not bill this compound."))
    p = billing_period(period)
    run = uuid.uuid4().hex
    audit_record(
        actor=actor,
        verb=RUN_QUEUED,
        object_type=RUN_TYPE,
        object_id=run,
        community_id=compound.community_id,
        after={"compound": compound.pk, "period": p.label},
    )
    from ..tasks import bills_generate_task

    compound_id, label = compound.pk, p.label
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    transaction.on_commit(lambda: bills_generate_task.enqueue(run, compound_id, label, actor_id))
    return run


def _event(actor: Any, verb: str, run: str, compound: Compound, after: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        object_type=RUN_TYPE,
        object_id=run,
        community_id=compound.community_id,
        after={"compound": compound.pk, **after},
    )


def bills_generate_run(*, run: str, compound_id: int, period: str, actor: Any) -> str:
    """Worker: generate the bills of a queued run; returns "done" or "failed".

    Not atomic itself: the start and a failure are recorded even though the generation rolls back; the bills
    and the "done" event are written in one transaction. A run already finished is not run again.
    """
    compound = Compound.objects.select_related("community", "community__parent", "property_company").get(pk=compound_id)
    finished = (
        AuditEvent.objects.filter(
            community_id=compound.community_id, object_type=RUN_TYPE, object_id=run, verb__in=[RUN_DONE, RUN_FAILED]
        )
        .values_list("verb", flat=True)
        .first()
    )
    if finished is not None:
        return "done" if finished == RUN_DONE else "failed"
    _event(actor, RUN_STARTED, run, compound, {"period": period})
    try:
        with transaction.atomic():
            plan = bills_generate(actor=actor, compound=compound, period=period)
            _event(
                actor,
                RUN_DONE,
                run,
                compound,
                {
                    "period": plan.period.label,
                    "created": plan.count,
                    "total": plan.total,
                    "existing": plan.existing,
                    "not_billable": plan.not_billable,
                },
            )
    except (DomainError, NotAllowed) as exc:
        _event(actor, RUN_FAILED, run, compound, {"period": period, "message": exc.message})
        return "failed"
    except Exception:
        logger.exception("bill generation %s failed", run)
        _event(actor, RUN_FAILED, run, compound, {"period": period, "message": "", "internal": True})
        raise
    return "done"
