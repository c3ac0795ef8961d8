"""The demo seed: the school-safety post, the calendar and a roster with some shifts short of people."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.duty.demo import seed_duty
from gongzhi.duty.models import Assignment, DutyCalendarDay, DutyPost, Volunteer
from gongzhi.duty.selectors import roster

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_post_with_a_term_of_shifts_some_uncovered_and_is_idempotent(world: Any) -> None:
    users = world.users
    shifts = seed_duty(
        compound=world.compound_a,
        secretary=users["secretary"],
        officer=users["officer"],
        property_staff=[users["technician"], users["customer_service"]],
        resident=users["resident"],
    )
    post = DutyPost.objects.get(compound=world.compound_a)
    assert shifts > 50
    assert DutyCalendarDay.objects.filter(community_id=world.compound_a.community_id).count() == 6
    assert Volunteer.objects.filter(user=users["resident"], compound=world.compound_a).exists()
    assert Assignment.objects.filter(shift__post=post, user=users["officer"], kind="officer").exists()
    rows = roster(
        user=users["secretary"],
        post=post,
        first=post.shifts.earliest("date").date,
        last=post.shifts.latest("date").date,
    )
    assert any(r.met for r in rows) and any(not r.met for r in rows)
    assert (
        seed_duty(
            compound=world.compound_a,
            secretary=users["secretary"],
            officer=users["officer"],
            property_staff=[users["technician"]],
            resident=users["resident"],
        )
        == 0
    )
