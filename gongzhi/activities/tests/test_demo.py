"""The demo data: the month's calendar is not empty right after seeding, and seeding twice adds nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.activities.demo import seed_activities
from gongzhi.activities.models import Activity, ActivityStatus

pytestmark = pytest.mark.django_db


def test_the_demo_holds_activities_earlier_this_month_and_seeding_twice_adds_nothing(world: Any) -> None:
    # given: the world's compound A and its staff
    users = world.users
    kw = {
        "compound": world.compound_a,
        "secretary": users["secretary"],
        "manager": users["property_manager"],
        "technician": users["technician"],
        "owner": users["resident"],
    }
    # when: seeded twice
    made = seed_activities(**kw)
    again = seed_activities(**kw)
    # then: held activities earlier this month (Asia/Shanghai), unless it is the 1st; nothing more the second time
    today = timezone.localdate()
    tz = timezone.get_default_timezone()
    month_start = datetime.datetime.combine(today.replace(day=1), datetime.time.min, tzinfo=tz)
    today_start = datetime.datetime.combine(today, datetime.time.min, tzinfo=tz)
    earlier = Activity.objects.filter(
        compound=world.compound_a,
        status=ActivityStatus.HELD,
        starts_at__gte=month_start,
        starts_at__lt=today_start,
    )
    assert made > 0 and again == 0
    assert Activity.objects.filter(compound=world.compound_a).count() == made
    if today.day > 1:
        assert earlier.exists()
    else:
        assert not earlier.exists()
