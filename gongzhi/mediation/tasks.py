"""The mediation reminder sweep, a periodic job in the background worker.

Each run: remind the invited parties and the mediators of a session that starts within a day (once per session
and start time); remind the mediators of a follow-up visit that is due (once per visit). Every reminder is an
audit event. The task schedules its own next run on the voices' ``PeriodicJob`` guard; start the chain once
with ``python manage.py mediation_sweep --schedule`` (or run ``manage.py mediation_sweep`` from cron).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from gongzhi.core.audit import audit_record
from gongzhi.voices.periodic import periodic_run, periodic_schedule

from .models import CaseSession, FollowUp, FollowUpStatus, SessionStatus
from .services._common import case_link, notify_later
from .services.outcomes import mediator_users, party_users

JOB_NAME = "mediation.reminder_sweep"
INTERVAL = datetime.timedelta(minutes=15)
REMIND_BEFORE = datetime.timedelta(hours=24)
BATCH = 2000


def _remind_session(session_id: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        session = CaseSession.objects.select_for_update().select_related("case").filter(pk=session_id).first()
        if (
            session is None
            or session.status != SessionStatus.SCHEDULED
            or not now < session.starts_at <= now + REMIND_BEFORE
            or session.reminded_for == session.starts_at
        ):
            return False
        session.reminded_for = session.starts_at
        session.save(update_fields=["reminded_for"])
        case = session.case
        recipients = [*party_users(session.invited.all()), *mediator_users(case)]
        audit_record(
            actor=None,
            verb="mediation.session_remind",
            obj=session,
            community_id=case.community_id,
            after={"starts_at": session.starts_at, "recipients": len(recipients)},
        )
        when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")
        notify_later(
            recipients=recipients,
            verb="mediation.session_reminder",
            title=_("Reminder: mediation session for case #%(id)s on %(when)s") % {"id": case.pk, "when": when},
            body=session.place,
            link=case_link(case),
            key=f"mediation:session:{session.pk}:reminder:{session.starts_at.isoformat()}",
            community_id=case.community_id,
        )
        return True


def _remind_follow_up(follow_up_id: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().select_related("case").filter(pk=follow_up_id).first()
        if (
            follow_up is None
            or follow_up.status != FollowUpStatus.DUE
            or follow_up.reminded_at is not None
            or follow_up.due_on > timezone.localdate(now)
        ):
            return False
        follow_up.reminded_at = now
        follow_up.save(update_fields=["reminded_at"])
        case = follow_up.case
        recipients = mediator_users(case)
        audit_record(
            actor=None,
            verb="mediation.follow_up_remind",
            obj=follow_up,
            community_id=case.community_id,
            after={"due_on": follow_up.due_on, "recipients": len(recipients)},
        )
        notify_later(
            recipients=recipients,
            verb="mediation.follow_up_due",
            title=_("Follow-up visit %(n)d of case #%(id)s is due") % {"n": follow_up.number, "id": case.pk},
            body=str(follow_up.due_on),
            link=case_link(case),
            key=f"mediation:follow_up:{follow_up.pk}:due",
            community_id=case.community_id,
        )
        return True


def reminder_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """One pass over every community's sessions and follow-ups; safe to repeat (each reminder happens once)."""
    now = now or timezone.now()
    counts = {"sessions": 0, "follow_ups": 0}
    upcoming = CaseSession.objects.filter(
        status=SessionStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + REMIND_BEFORE
    ).filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("starts_at")))
    for pk in upcoming.order_by("starts_at", "pk").values_list("pk", flat=True)[:BATCH]:
        counts["sessions"] += _remind_session(pk, now)
    due = FollowUp.objects.filter(
        status=FollowUpStatus.DUE, due_on__lte=timezone.localdate(now), reminded_at__isnull=True
    )
    for pk in due.order_by("due_on", "pk").values_list("pk", flat=True)[:BATCH]:
        counts["follow_ups"] += _remind_follow_up(pk, now)
    return counts


def schedule(run_after: datetime.datetime) -> bool:
    return periodic_schedule(mediation_reminder_sweep_task, run_after=run_after)


def reminder_sweep_run(*, now: datetime.datetime | None = None, reschedule: bool = True) -> dict[str, int] | None:
    return periodic_run(
        JOB_NAME,
        task=mediation_reminder_sweep_task,
        sweep=reminder_sweep,
        interval=INTERVAL,
        now=now,
        reschedule=reschedule,
    )


@task()
def mediation_reminder_sweep_task() -> dict[str, int] | None:
    return reminder_sweep_run()


__all__ = ["mediation_reminder_sweep_task", "reminder_sweep", "reminder_sweep_run", "schedule"]
