"""Care of vacant homes (空置房照看): the compound's task list, owners' requests, visits with a checklist and
photos, problems that tell the owner at once and open a repair work order (a voice)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.estates.models import BindingStatus, Compound, House, HouseBinding, HouseStatus, Relation
from gongzhi.voices.models import Channel, Kind, LocationKind
from gongzhi.voices.photos import photos_prepare
from gongzhi.voices.services.submit import voice_create

from ..models import (
    TEXT_MAX,
    CarePlan,
    CareSchedule,
    CareStatus,
    CareTask,
    CareVisit,
    CareVisitItem,
    CareVisitPhoto,
)
from ..rules import may_change_care, may_edit_care_tasks, may_record_visit
from ._common import clean_text, notify_later, photos_store, require, transition, user_or_none

# The list a compound starts with; the property company edits it.
# Stored in the language of the request that first needs the list (Chinese in use).
DEFAULT_TASKS = [
    gettext_lazy("Inspect the house"),
    gettext_lazy("Tend the plants"),
    gettext_lazy("Air the rooms"),
    gettext_lazy("Check water, power and gas"),
    gettext_lazy("Check doors and windows"),
]
VACANT_STATUSES = (HouseStatus.VACANT, HouseStatus.UNDELIVERED, HouseStatus.RENOVATING)
MAX_TASKS = 30


def care_link(plan: CarePlan) -> str:
    return f"/activities/care/{plan.pk}/"


@transaction.atomic
def care_tasks_ensure(compound: Compound) -> list[CareTask]:
    """The compound's task list, created from the defaults the first time it is needed (audited)."""
    tasks = list(CareTask.objects.filter(community_id=compound.community_id, compound=compound))
    if not tasks:
        CareTask.objects.bulk_create(
            [
                CareTask(community_id=compound.community_id, compound=compound, name=str(name), sort_key=i)
                for i, name in enumerate(DEFAULT_TASKS)
            ],
            ignore_conflicts=True,
        )
        tasks = list(CareTask.objects.filter(community_id=compound.community_id, compound=compound))
        audit_record(
            actor=None,
            verb="care.tasks_default",
            object_type="estates.compound",
            object_id=compound.pk,
            community_id=compound.community_id,
            after={"tasks": [t.name for t in tasks]},
        )
    return tasks


@transaction.atomic
def care_task_add(*, actor: Any, compound: Compound, name: str) -> CareTask:
    require(may_edit_care_tasks(actor, compound), _("You may not edit the care tasks of this compound."))
    text = clean_text(name, field="name", max_length=60)
    existing = care_tasks_ensure(compound)
    if len(existing) >= MAX_TASKS:
        raise DomainError(_("At most %(max)d tasks.") % {"max": MAX_TASKS}, field="name")
    if any(t.name == text for t in existing):
        raise Conflict(_("This task is on the list already."), code="duplicate")
    try:
        with transaction.atomic():
            task = CareTask.objects.create(
                community_id=compound.community_id,
                compound=compound,
                name=text,
                sort_key=max((t.sort_key for t in existing), default=0) + 1,
            )
    except IntegrityError:
        raise Conflict(_("This task is on the list already."), code="duplicate") from None
    audit_record(actor=actor, verb="care.task_add", obj=task, community_id=task.community_id, after={"name": text})
    return task


@transaction.atomic
def care_task_set_active(*, actor: Any, task: CareTask | int, active: bool) -> CareTask:
    """Offer a task again, or stop offering it to new requests (existing plans keep it)."""
    pk = task.pk if isinstance(task, CareTask) else task
    row = CareTask.objects.select_related("compound").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such task."))
    require(may_edit_care_tasks(actor, row.compound), _("You may not edit the care tasks of this compound."))
    row.is_active = bool(active)
    row.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        verb="care.task_set_active",
        obj=row,
        community_id=row.community_id,
        after={"active": row.is_active},
    )
    return row


def _owner_binding(actor: Any, house: House) -> bool:
    return (
        getattr(actor, "is_authenticated", False)
        and HouseBinding.objects.filter(
            community_id=house.community_id,
            house=house,
            user=actor,
            relation=Relation.OWNER,
            status=BindingStatus.APPROVED,
        ).exists()
    )


@transaction.atomic
def care_request(
    *,
    actor: Any,
    house: House | int,
    schedule: str,
    tasks: Iterable[CareTask | int],
    starts_on: datetime.date | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> CarePlan:
    """The owner of a vacant house asks the property company to look after it."""
    pk = house.pk if isinstance(house, House) else house
    found = House.objects.select_for_update().select_related("compound").filter(pk=pk).first()
    if found is None or not _owner_binding(actor, found):
        raise NotAllowed(_("Only the owner of the house may ask for its care."))
    if found.status not in VACANT_STATUSES:
        raise DomainError(
            _("Care is for houses nobody lives in: this house is %(status)s.") % {"status": found.get_status_display()},
            field="house",
        )
    if schedule not in CareSchedule.values:
        raise DomainError(_("Choose how often."), field="schedule")
    ids = [t.pk if isinstance(t, CareTask) else int(t) for t in tasks]
    chosen = list(
        CareTask.objects.filter(community_id=found.community_id, compound=found.compound, is_active=True, pk__in=ids)
    )
    if not chosen or len(chosen) != len(set(ids)):
        raise DomainError(_("Choose the tasks from the list."), field="tasks")
    day = today or timezone.localdate()
    first = starts_on or day
    if first < day or first > day + datetime.timedelta(days=90):
        raise DomainError(_("The first visit is between today and 90 days from now."), field="starts_on")
    text = clean_text(note, field="note", required=False)
    if CarePlan.objects.filter(
        community_id=found.community_id, house=found, status__in=[CareStatus.ACTIVE, CareStatus.PAUSED]
    ).exists():
        raise Conflict(_("This house is under care already."), code="care_twice")
    try:
        with transaction.atomic():
            plan = CarePlan.objects.create(
                community_id=found.community_id,
                compound=found.compound,
                house=found,
                owner=actor,
                schedule=schedule,
                note=text,
                starts_on=first,
                next_due_on=first,
            )
    except IntegrityError:
        raise Conflict(_("This house is under care already."), code="care_twice") from None
    plan.tasks.set(chosen)
    audit_record(
        actor=actor,
        verb="care.request",
        obj=plan,
        community_id=plan.community_id,
        after={"house": found.pk, "schedule": schedule, "tasks": [t.pk for t in chosen], "starts_on": first},
    )
    return plan


@transaction.atomic
def care_set_status(*, actor: Any, plan: CarePlan | int, status: str, now: datetime.datetime | None = None) -> CarePlan:
    """The owner pauses, resumes or ends the care."""
    pk = plan.pk if isinstance(plan, CarePlan) else plan
    row = CarePlan.objects.select_for_update().select_related("compound").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such care request."))
    require(may_change_care(actor, row), _("Only the owner may change the care of this house."))
    if status not in CareStatus.values:
        raise DomainError(_("Choose pause, resume or end."), field="status")
    transition(row, status)
    before = row.status
    row.status = status
    fields = ["status", "updated_at"]
    if status == CareStatus.ENDED:
        row.ended_at = now or timezone.now()
        fields.append("ended_at")
    if status == CareStatus.ACTIVE:
        today = timezone.localdate(now) if now else timezone.localdate()
        if row.next_due_on < today:
            row.next_due_on = today
            fields.append("next_due_on")
    row.save(update_fields=fields)
    audit_record(
        actor=actor,
        verb="care.set_status",
        obj=row,
        community_id=row.community_id,
        before={"status": before},
        after={"status": status},
    )
    return row


@dataclass(frozen=True)
class ItemInput:
    task_name: str
    done: bool
    note: str = ""


def care_visit_record(
    *,
    actor: Any,
    plan: CarePlan | int,
    visited_on: datetime.date,
    items: Sequence[ItemInput],
    note: str = "",
    problem: str = "",
    photos: Sequence[Any] = (),
    now: datetime.datetime | None = None,
) -> CareVisit:
    """Record a visit of a house under care: the checklist (every task of the plan, done or not, with a note),
    a note, photos, and a problem found — which tells the owner at once and opens a repair work order."""
    prepared = photos_prepare(photos) if photos else []
    return _visit_record(
        actor=actor,
        plan=plan,
        visited_on=visited_on,
        items=items,
        note=note,
        problem=problem,
        prepared=prepared,
        now=now,
    )


@transaction.atomic
def _visit_record(
    *,
    actor: Any,
    plan: CarePlan | int,
    visited_on: datetime.date,
    items: Sequence[ItemInput],
    note: str,
    problem: str,
    prepared: Sequence[Any],
    now: datetime.datetime | None,
) -> CareVisit:
    pk = plan.pk if isinstance(plan, CarePlan) else plan
    row = CarePlan.objects.select_for_update().select_related("compound", "house", "owner").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such care request."))
    require(may_record_visit(actor, row), _("You may not record visits of this compound's homes."))
    if row.status != CareStatus.ACTIVE:
        raise Conflict(
            _("This house is not under care (%(status)s): no visit can be recorded.")
            % {"status": row.get_status_display()},
            code="not_under_care",
        )
    today = timezone.localdate(now) if now else timezone.localdate()
    if not isinstance(visited_on, datetime.date) or visited_on > today:
        raise DomainError(_("The visit date cannot be in the future."), field="visited_on")
    if visited_on < row.starts_on - datetime.timedelta(days=1) or visited_on < today - datetime.timedelta(days=30):
        raise DomainError(_("The visit date is too early."), field="visited_on")
    wanted = [t.name for t in row.tasks.all()]
    given = {i.task_name: i for i in items}
    if set(given) != set(wanted):
        raise DomainError(_("Tick every task of the checklist, done or not."), field="items")
    lines = [
        (name, bool(given[name].done), clean_text(given[name].note, field="items", required=False)) for name in wanted
    ]
    note_text = clean_text(note, field="note", max_length=TEXT_MAX, required=False)
    problem_text = clean_text(problem, field="problem", max_length=TEXT_MAX, required=False)
    if len(prepared) > CareVisitPhoto.MAX_PER_VISIT:
        raise DomainError(_("At most %(max)d photos.") % {"max": CareVisitPhoto.MAX_PER_VISIT}, field="photos")
    visit = CareVisit.objects.create(
        community_id=row.community_id,
        plan=row,
        visited_on=visited_on,
        visited_by=actor,
        note=note_text,
        problem=problem_text,
    )
    CareVisitItem.objects.bulk_create(
        [CareVisitItem(community_id=row.community_id, visit=visit, task_name=n, done=d, note=t) for n, d, t in lines]
    )
    if prepared:
        photos_store(
            model=CareVisitPhoto,
            prepared=prepared,
            fields={"community_id": row.community_id, "visit": visit, "uploaded_by": user_or_none(actor)},
        )
    row.next_due_on = visited_on + row.interval
    row.save(update_fields=["next_due_on", "updated_at"])
    house_name = f"{row.house.building.name}-{row.house.unit.name}-{row.house.room}"
    if problem_text:
        voice = voice_create(
            compound=row.compound,
            author=row.owner,
            channel=Channel.APP,
            kind=Kind.REPAIR,
            text=_("Found on a care visit of the vacant house %(house)s: %(problem)s")
            % {"house": house_name, "problem": problem_text},
            category=None,
            location_kind=LocationKind.OWN_HOUSE,
            house=row.house,
            building=row.house.building,
            now=now,
        )
        visit.voice = voice
        visit.save(update_fields=["voice"])
        notify_later(
            recipients=[row.owner],
            verb="care.problem",
            title=_("A problem was found at your house %(house)s") % {"house": house_name},
            body=problem_text[:200],
            link=care_link(row),
            key=f"care:visit:{visit.pk}:problem",
            community_id=row.community_id,
        )
    else:
        notify_later(
            recipients=[row.owner],
            verb="care.visit",
            title=_("Your house %(house)s was looked after") % {"house": house_name},
            body=note_text[:200],
            link=care_link(row),
            key=f"care:visit:{visit.pk}",
            community_id=row.community_id,
        )
    audit_record(
        actor=actor,
        verb="care.visit",
        obj=visit,
        community_id=row.community_id,
        after={
            "plan": row.pk,
            "visited_on": visited_on,
            "done": [n for n, d, _t in lines if d],
            "problem": bool(problem_text),
            "voice": visit.voice_id,
            "photos": len(prepared),
        },
    )
    return visit


__all__ = [
    "DEFAULT_TASKS",
    "ItemInput",
    "care_request",
    "care_set_status",
    "care_task_add",
    "care_task_set_active",
    "care_tasks_ensure",
    "care_visit_record",
]
