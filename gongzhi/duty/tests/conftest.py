from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gongzhi.duty.models import DutyPost, Shift, Volunteer, VolunteerStatus
from gongzhi.testing.duty_factories import DutyPostFactory, ShiftFactory, in_days


@dataclass
class Duty:
    post: DutyPost
    shift: Shift  # tomorrow 07:20-08:00
    officer: Any
    property: Any  # the technician of A's property company
    volunteer: Any  # the world's resident, an active volunteer of compound A
    secretary: Any


@pytest.fixture
def duty(world: Any) -> Duty:
    """Compound A's school-safety post (≥1 police officer, ≥1 property staff, ≥1 resident volunteer; at most 4
    people) with a shift tomorrow 07:20-08:00; the world's resident is an active volunteer of compound A."""
    post = DutyPostFactory.create(compound=world.compound_a, name="实验小学护学岗")
    shift = ShiftFactory.create(post=post, starts_at=in_days(1))
    Volunteer.objects.create(
        community_id=world.compound_a.community_id,
        compound=world.compound_a,
        user=world.users["resident"],
        status=VolunteerStatus.ACTIVE,
    )
    return Duty(
        post=post,
        shift=shift,
        officer=world.users["officer"],
        property=world.users["technician"],
        volunteer=world.users["resident"],
        secretary=world.users["secretary"],
    )
