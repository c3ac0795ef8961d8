"""Concurrent changes (PostgreSQL: real row locks): one sign-in per person, one close per meeting, and a
parent's rolled-up progress that counts every sub-item updated at the same moment."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind
from gongzhi.core.errors import DomainError
from gongzhi.meetings import selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import ActionItem, Attendance, Decision, Meeting, MeetingKind

from .conftest import in_days

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


def _at_once(jobs: list[Callable[[], Any]]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            job()
            outcomes.append("ok")
        except DomainError as refused:
            outcomes.append(refused.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _meeting(world: Any) -> Meeting:
    secretary = world.users["secretary"]
    meeting = s.meeting_create(
        actor=secretary,
        compound=world.compound_a,
        kind=MeetingKind.JOINT,
        title="联席会议",
        starts_at=in_days(2),
        ends_at=in_days(2, 12),
        place="会议室",
    )
    s.meeting_invite(
        actor=secretary, meeting=meeting, organizations=[world.orgs[OrgKind.PROPERTY], world.orgs[OrgKind.RESIDENTS]]
    )
    s.agenda_item_add(actor=secretary, meeting=meeting, title="大堂门禁")
    return s.meeting_publish(actor=secretary, meeting=meeting)


@pytest.mark.django_db(transaction=True)
@pg_only
def test_one_person_scanning_twice_at_once_signs_in_once(world: Any) -> None:
    meeting = _meeting(world)
    at = meeting.starts_at - datetime.timedelta(minutes=5)
    token = selectors.meeting_sign_in_code(user=world.users["secretary"], meeting=meeting, now=at)
    representative = world.users["representative"]
    outcomes = _at_once([lambda: s.attendance_sign_in(user=representative, token=token, now=at) for _ in range(4)])
    assert sorted(outcomes) == ["already_signed_in"] * 3 + ["ok"]
    assert Attendance.objects.filter(meeting=meeting).count() == 1


@pytest.mark.django_db(transaction=True)
@pg_only
def test_closing_twice_at_once_makes_the_action_items_once(world: Any) -> None:
    secretary, staff = world.users["secretary"], world.users["community_staff"]
    meeting = _meeting(world)
    meeting = s.meeting_hold(actor=secretary, meeting=meeting, now=meeting.starts_at)
    item = meeting.agenda_items.get()
    s.minutes_record(actor=secretary, meeting=meeting, item=item, text="议定更换门禁")
    s.decision_add(
        actor=secretary,
        item=item,
        text="更换门禁",
        becomes_action=True,
        responsible_organization=world.orgs[OrgKind.PROPERTY],
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )

    def close_by(actor: Any) -> Callable[[], Any]:
        return lambda: s.meeting_close(actor=actor, meeting=meeting.pk)

    outcomes = _at_once([close_by(secretary), close_by(staff)])
    assert sorted(outcomes) == ["illegal_transition", "ok"]
    assert ActionItem.objects.count() == 1
    assert Decision.objects.get().action_item == ActionItem.objects.get()


@pytest.mark.django_db(transaction=True)
@pg_only
def test_sub_items_updated_at_once_all_count_in_the_parent(world: Any) -> None:
    secretary, manager, technician = (world.users[r] for r in ("secretary", "property_manager", "technician"))
    parent = s.action_item_create(
        actor=secretary,
        compound=world.compound_a,
        title="绿化提升",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        responsible_organization=world.orgs[OrgKind.PROPERTY],
    )
    due = timezone.localdate() + datetime.timedelta(days=10)
    subs = [
        s.action_item_create(actor=manager, parent=parent, title=f"子项{n}", due_on=due, weight=1) for n in range(4)
    ]

    def finish(sub: ActionItem, actor: Any) -> Callable[[], Any]:
        return lambda: s.action_progress_update(actor=actor, item=sub.pk, progress=100)

    outcomes = _at_once([finish(sub, actor) for sub, actor in zip(subs, [manager, technician] * 2, strict=True)])
    assert outcomes == ["ok"] * 4
    parent.refresh_from_db()
    assert parent.progress == 100
