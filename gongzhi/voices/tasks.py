"""The deadline sweep, a periodic job in the background worker.

Each run: remind once before a deadline is breached; on a breach escalate once to the property manager and,
if still breached a day later, once to the community secretary; close resolved voices whose 7-day window
has passed (not those from a ledger, which have no author to rate them). Every step is a (staff-only)
timeline event, an audit event and a notification.

The task schedules its own next run (``run_after``). A ``PeriodicJob`` row guards against doubles: a run
that finds the next run already scheduled later than now does nothing. Start the chain once with
``python manage.py voices_sweep --schedule`` (or from cron: ``*/15 * * * * manage.py voices_sweep``).

The intake drainer (``services/intake.py``) runs the same way every ``INTAKE_INTERVAL`` (``manage.py voices_intake
--schedule``; ``voices_intake --follow`` is a dedicated drainer process instead). Each run is one finished task row
of the database back-end (about 29,000 a day): prune them with ``manage.py prune_db_task_results``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from gongzhi.core.audit import audit_record

from .models import Channel, Status, Voice
from .periodic import periodic_run, periodic_schedule
from .rules import ESCALATION_CHAIN, VOICE_TRIAGERS
from .services import voice_close_expired
from .services._common import compound_staff, event_add, lock, notify_later, organization_staff
from .services.intake import intake_drain

JOB_NAME = "voices.deadline_sweep"
INTERVAL = datetime.timedelta(minutes=15)
REMIND_BEFORE = datetime.timedelta(hours=4)
ESCALATE_AGAIN_AFTER = datetime.timedelta(hours=24)
BATCH = 2000

AWAITING_RESPONSE = (Status.SUBMITTED,)
AWAITING_RESOLUTION = (Status.ACCEPTED, Status.DISPATCHED, Status.REOPENED)


def _handlers(voice: Voice) -> list[Any]:
    if voice.lead_organization_id:
        return organization_staff([voice.lead_organization_id])
    return compound_staff(voice, VOICE_TRIAGERS)


def _staff_with(role: str) -> Callable[[Voice], list[Any]]:
    def recipients(voice: Voice) -> list[Any]:
        return compound_staff(voice, [role])

    return recipients


def _step(
    voice: Voice,
    *,
    deadline: str,
    action: str,
    now: datetime.datetime,
    due: datetime.datetime,
    recipients: Callable[[Voice], list[Any]],
    title: str,
) -> None:
    event_add(voice, actor=None, verb=f"{action}.{deadline}", at=now, public=False, note=due.isoformat())
    audit_record(
        actor=None,
        verb=f"voice.{action}",
        obj=voice,
        community_id=voice.community_id,
        after={"deadline": deadline, "due": due},
    )
    notify_later(
        recipients=recipients(voice),
        verb=f"voice.{action}",
        title=title % {"id": voice.pk},
        body=voice.text[:200],
        voice=voice,
        key=f"{action}:{deadline}:{due.isoformat()}",
    )


def _sweep_one(voice_id: int, *, deadline: str, now: datetime.datetime) -> list[str]:
    """Remind / escalate one voice for one deadline, under its row lock; returns what was done."""
    done: list[str] = []
    with transaction.atomic():
        voice = lock(Voice(pk=voice_id))
        if deadline == "response":
            due, open_ = voice.response_due_at, voice.status in AWAITING_RESPONSE and voice.accepted_at is None
            reminded, level = voice.response_reminded, voice.response_escalation
        else:
            due, open_ = voice.resolution_due_at, voice.status in AWAITING_RESOLUTION
            reminded, level = voice.resolution_reminded, voice.resolution_escalation
        if due is None or not open_:
            return done
        if not reminded and due - REMIND_BEFORE <= now < due:
            reminded = True
            _step(
                voice,
                deadline=deadline,
                action="remind",
                now=now,
                due=due,
                recipients=_handlers,
                title=_("Voice #%(id)s is close to its deadline"),
            )
            done.append("remind")
        if now >= due:
            reminded = True
            for n, role in enumerate(ESCALATION_CHAIN, start=1):
                if level < n and now >= due + ESCALATE_AGAIN_AFTER * (n - 1):
                    level = n
                    _step(
                        voice,
                        deadline=deadline,
                        action=f"escalate{n}",
                        now=now,
                        due=due,
                        recipients=_staff_with(role),
                        title=_("Voice #%(id)s is overdue"),
                    )
                    done.append(f"escalate{n}")
        if deadline == "response":
            voice.response_reminded, voice.response_escalation = reminded, level
        else:
            voice.resolution_reminded, voice.resolution_escalation = reminded, level
        if done:
            voice.save(update_fields=[f"{deadline}_reminded", f"{deadline}_escalation", "updated_at"])
    return done


def deadline_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """One pass over every community's open voices; safe to repeat (each step happens once)."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    horizon = now + REMIND_BEFORE
    last = len(ESCALATION_CHAIN)
    due_response = Voice.objects.filter(
        status__in=AWAITING_RESPONSE, accepted_at__isnull=True, response_due_at__lte=horizon
    ).filter(Q(response_reminded=False) | Q(response_escalation__lt=last))
    due_resolution = Voice.objects.filter(status__in=AWAITING_RESOLUTION, resolution_due_at__lte=horizon).filter(
        Q(resolution_reminded=False) | Q(resolution_escalation__lt=last)
    )
    for deadline, qs in (("response", due_response), ("resolution", due_resolution)):
        for voice_id in qs.order_by("id").values_list("id", flat=True)[:BATCH]:
            for what in _sweep_one(voice_id, deadline=deadline, now=now):
                counts[what] = counts.get(what, 0) + 1
    from .services import REOPEN_WINDOW

    # Voices from a ledger have no author who could rate or reopen them: they stay as the ledger says
    # (已办结), so that importing that ledger again changes nothing.
    expired = Voice.objects.filter(status=Status.RESOLVED, resolved_at__lt=now - REOPEN_WINDOW).exclude(
        channel=Channel.LEDGER, author__isnull=True
    )
    for voice in expired.order_by("id")[:BATCH]:
        if voice_close_expired(voice=voice, now=now) is not None:
            counts["closed"] = counts.get("closed", 0) + 1
    return counts


def schedule(run_after: datetime.datetime) -> bool:
    """Enqueue the next run (``manage.py … --schedule`` starts the chain)."""
    return periodic_schedule(voices_deadline_sweep_task, run_after=run_after)


def deadline_sweep_run(*, now: datetime.datetime | None = None, reschedule: bool = True) -> dict[str, int] | None:
    """The periodic job: claim the period, sweep, schedule the next run. None when this run is a double."""
    return periodic_run(
        JOB_NAME,
        task=voices_deadline_sweep_task,
        sweep=deadline_sweep,
        interval=INTERVAL,
        now=now,
        reschedule=reschedule,
    )


@task()
def voices_deadline_sweep_task() -> dict[str, int] | None:
    return deadline_sweep_run()


# ---------------------------------------------------------------- the intake drainer

INTAKE_JOB_NAME = "voices.intake_drain"
INTAKE_INTERVAL = datetime.timedelta(seconds=3)
# Shorter than the interval, so that a second chain (``--schedule`` run again) dies out (periodic_claim).
INTAKE_SLACK = datetime.timedelta(seconds=1)
# A run drains for at most this long, so that the worker's other tasks (the sweep, reminders) get their turn;
# the next run starts at once when this one overran its interval.
INTAKE_RUN_SECONDS = 20.0


def _intake_drain_for_a_while(*, now: datetime.datetime | None = None) -> dict[str, int]:
    return intake_drain(seconds=INTAKE_RUN_SECONDS, now=now)


def intake_schedule(run_after: datetime.datetime) -> bool:
    """Enqueue the next drain (``manage.py voices_intake --schedule`` starts the chain)."""
    return periodic_schedule(voices_intake_drain_task, run_after=run_after)


def intake_drain_run(*, now: datetime.datetime | None = None, reschedule: bool = True) -> dict[str, int] | None:
    """The periodic drain: claim the period, raise the queued intakes' voices, schedule the next run."""
    return periodic_run(
        INTAKE_JOB_NAME,
        task=voices_intake_drain_task,
        sweep=_intake_drain_for_a_while,
        interval=INTAKE_INTERVAL,
        now=now,
        reschedule=reschedule,
        slack=INTAKE_SLACK,
    )


@task()
def voices_intake_drain_task() -> dict[str, int] | None:
    return intake_drain_run()


__all__ = [
    "deadline_sweep",
    "deadline_sweep_run",
    "intake_drain_run",
    "intake_schedule",
    "schedule",
    "voices_deadline_sweep_task",
    "voices_intake_drain_task",
]
