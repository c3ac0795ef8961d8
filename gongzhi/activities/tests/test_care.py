"""Care of vacant homes: requests by owners, visits with a checklist, problems → notification + work order."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.activities import services as s
from gongzhi.activities.models import CarePlan, CareSchedule, CareStatus
from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.estates.models import HouseStatus
from gongzhi.notifications.models import Notification
from gongzhi.voices.models import Kind

from .helpers import state

pytestmark = pytest.mark.django_db


def request_care(world: Any, **kw: Any) -> CarePlan:
    tasks = s.care_tasks_ensure(world.compound_a)
    args: dict[str, Any] = {"schedule": CareSchedule.WEEKLY, "tasks": tasks[:3]}
    args.update(kw)
    return s.care_request(actor=world.users["resident"], house=world.house_a, **args)


def checklist(plan: CarePlan, *, done: bool = True) -> list[s.ItemInput]:
    return [s.ItemInput(task_name=t.name, done=done, note="") for t in plan.tasks.all()]


def test_an_owner_requests_care_of_a_vacant_house(world: Any) -> None:
    plan = request_care(world)
    assert plan.status == CareStatus.ACTIVE and plan.owner == world.users["resident"]
    assert plan.next_due_on == timezone.localdate() and plan.tasks.count() == 3


def test_only_the_owner_of_a_vacant_house_may_request_care(world: Any) -> None:
    s.care_tasks_ensure(world.compound_a)
    before = state()
    with pytest.raises(NotAllowed):
        s.care_request(actor=world.users["applicant"], house=world.house_a2, schedule="weekly", tasks=[])
    with pytest.raises(NotAllowed):
        s.care_request(actor=world.users["property_manager"], house=world.house_a, schedule="weekly", tasks=[])
    assert state() == before
    type(world.house_a).objects.filter(pk=world.house_a.pk).update(status=HouseStatus.OCCUPIED)
    before = state()
    with pytest.raises(DomainError) as refused:
        request_care(world)
    assert refused.value.field == "house"
    assert state() == before


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"schedule": "daily"}, "schedule"),
        ({"tasks": []}, "tasks"),
        ({"tasks": [999999]}, "tasks"),
        ({"starts_on": datetime.date(2000, 1, 1)}, "starts_on"),
        ({"note": "长" * 201}, "note"),
    ],
)
def test_bad_care_requests_are_refused_and_change_nothing(world: Any, kw: dict[str, Any], field: str) -> None:
    s.care_tasks_ensure(world.compound_a)
    before = state()
    with pytest.raises(DomainError) as refused:
        request_care(world, **kw)
    assert refused.value.field == field
    assert state() == before


def test_asking_twice_for_the_same_house_is_refused(world: Any) -> None:
    request_care(world)
    before = state()
    with pytest.raises(Conflict):
        request_care(world)
    assert state() == before


def test_staff_record_a_visit_and_the_next_one_falls_due(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    plan = request_care(world)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        visit = s.care_visit_record(
            actor=world.users["technician"], plan=plan, visited_on=today, items=checklist(plan), note="一切正常"
        )
    plan.refresh_from_db()
    assert visit.items.filter(done=True).count() == 3 and visit.voice is None
    assert plan.next_due_on == today + datetime.timedelta(days=7)
    assert Notification.objects.get(recipient=world.users["resident"]).verb == "care.visit"


def test_a_problem_tells_the_owner_at_once_and_opens_a_repair_work_order(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    plan = request_care(world)
    with django_capture_on_commit_callbacks(execute=True):
        visit = s.care_visit_record(
            actor=world.users["customer_service"],
            plan=plan,
            visited_on=timezone.localdate(),
            items=checklist(plan, done=False),
            problem="卫生间漏水",
        )
    assert visit.voice is not None
    assert visit.voice.kind == Kind.REPAIR and visit.voice.house == world.house_a
    assert visit.voice.author == world.users["resident"] and "卫生间漏水" in visit.voice.text
    note = Notification.objects.get(recipient=world.users["resident"], verb="care.problem")
    assert "卫生间漏水" in note.body


@pytest.mark.parametrize("status", [CareStatus.PAUSED, CareStatus.ENDED])
def test_a_visit_for_a_house_not_under_care_is_refused_and_changes_nothing(world: Any, status: str) -> None:
    plan = request_care(world)
    s.care_set_status(actor=world.users["resident"], plan=plan, status=status)
    before = state()
    with pytest.raises(Conflict) as refused:
        s.care_visit_record(
            actor=world.users["technician"], plan=plan, visited_on=timezone.localdate(), items=checklist(plan)
        )
    assert refused.value.code == "not_under_care"
    assert state() == before


def test_bad_visits_are_refused_and_change_nothing(world: Any) -> None:
    plan = request_care(world)
    today = timezone.localdate()
    before = state()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"items": checklist(plan)[:1]}, "items"),
        ({"visited_on": today + datetime.timedelta(days=1)}, "visited_on"),
        ({"problem": "漏" * 2001}, "problem"),
    ]
    for kw, field in cases:
        args: dict[str, Any] = {"visited_on": today, "items": checklist(plan)}
        args.update(kw)
        with pytest.raises(DomainError) as refused:
            s.care_visit_record(actor=world.users["technician"], plan=plan, **args)
        assert refused.value.field == field
    for role in ("secretary", "resident", "representative", "stranger"):
        with pytest.raises(NotAllowed):
            s.care_visit_record(actor=world.users[role], plan=plan, visited_on=today, items=checklist(plan))
    assert state() == before


def test_the_owner_pauses_resumes_and_ends_the_care(world: Any) -> None:
    plan = request_care(world)
    owner = world.users["resident"]
    assert s.care_set_status(actor=owner, plan=plan, status=CareStatus.PAUSED).status == CareStatus.PAUSED
    assert s.care_set_status(actor=owner, plan=plan, status=CareStatus.ACTIVE).status == CareStatus.ACTIVE
    with pytest.raises(NotAllowed):
        s.care_set_status(actor=world.users["property_manager"], plan=plan, status=CareStatus.ENDED)
    assert s.care_set_status(actor=owner, plan=plan, status=CareStatus.ENDED).status == CareStatus.ENDED
    with pytest.raises(Conflict):
        s.care_set_status(actor=owner, plan=plan, status=CareStatus.ACTIVE)


def test_the_property_company_edits_the_task_list(world: Any) -> None:
    task = s.care_task_add(actor=world.users["property_manager"], compound=world.compound_a, name="检查冰箱")
    with pytest.raises(Conflict):
        s.care_task_add(actor=world.users["customer_service"], compound=world.compound_a, name="检查冰箱")
    with pytest.raises(DomainError):
        s.care_task_add(actor=world.users["customer_service"], compound=world.compound_a, name="")
    with pytest.raises(NotAllowed):
        s.care_task_add(actor=world.users["technician"], compound=world.compound_a, name="别的")
    with pytest.raises(NotAllowed):
        s.care_task_add(actor=world.users["secretary"], compound=world.compound_a, name="别的")
    s.care_task_set_active(actor=world.users["property_manager"], task=task, active=False)
    task.refresh_from_db()
    assert not task.is_active
