"""The demo seed and the reminder sweep."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import HouseStatus
from gongzhi.mediation import services
from gongzhi.mediation.demo import seed_mediation
from gongzhi.mediation.models import Case, SecurityIncident
from gongzhi.mediation.tasks import reminder_sweep
from gongzhi.notifications.models import Notification
from gongzhi.testing.factories import HouseFactory
from gongzhi.testing.mediation_factories import closed_with_agreement, later, open_case

pytestmark = pytest.mark.django_db


def test_the_demo_makes_cases_in_different_states_once(world: Any) -> None:
    # given compound A with six occupied houses
    for room in ("201", "202", "301", "302"):
        HouseFactory.create(unit=world.house_a.unit, room=room, floor=int(room[0]), status=HouseStatus.OCCUPIED)
    for house in (world.house_a, world.house_a2):
        house.status = HouseStatus.OCCUPIED
        house.save()
    u = world.users
    args = {
        "compound": world.compound_a,
        "secretary": u["secretary"],
        "grid_worker": u["grid_worker"],
        "officer": u["officer"],
        "lawyer": u["lawyer"],
        "reporter": u["customer_service"],
        "home": world.house_a,
    }
    # when seeded twice
    assert seed_mediation(**args) == 4
    assert seed_mediation(**args) == 0
    # then the cases are closed (agreement, referred), in mediation and open; the incident is acknowledged
    assert sorted(Case.objects.values_list("status", flat=True)) == ["closed", "closed", "mediating", "open"]
    assert sorted(Case.objects.exclude(outcome="").values_list("outcome", flat=True)) == ["agreement", "referred"]
    assert SecurityIncident.objects.get().status == "acknowledged"


def test_the_sweep_reminds_of_tomorrows_session_and_due_follow_ups_once(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a session in 20 hours inviting the resident's household, and an agreement signed 8 days ago
    case = open_case(world)
    household = case.parties.get(house=world.house_a)
    now = later(0, 9)
    services.session_schedule(
        actor=world.users["secretary"],
        case=case,
        starts_at=now + datetime.timedelta(hours=20),
        place="调解室",
        invited=[household.pk],
        now=now,
    )
    kept = closed_with_agreement(world)
    kept.follow_ups.filter(number=1).update(due_on=now.date() - datetime.timedelta(days=1))
    # when the sweep runs twice
    with django_capture_on_commit_callbacks(execute=True):
        first = reminder_sweep(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminder_sweep(now=now)
    # then the resident and the mediator were reminded of the session, the mediator of the visit — once
    assert first == {"sessions": 1, "follow_ups": 1} and second == {"sessions": 0, "follow_ups": 0}
    assert (
        Notification.objects.filter(recipient=world.users["resident"], verb="mediation.session_reminder").count() == 1
    )
    assert (
        Notification.objects.filter(recipient=world.users["grid_worker"], verb="mediation.follow_up_due").count() == 1
    )
    assert AuditEvent.objects.filter(verb__in=["mediation.session_remind", "mediation.follow_up_remind"]).count() == 2
