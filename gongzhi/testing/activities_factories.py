"""Factories for activities and the care of vacant homes (tests only).

Rows written straight to the tables (no service): for selectors, query counts and datasets. Tests of behaviour
go through the services.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

import factory
from django.utils import timezone

from gongzhi.activities.models import (
    Activity,
    ActivityCategory,
    ActivityStatus,
    CarePlan,
    CareSchedule,
    CareStatus,
    CareTask,
    CareVisit,
    Feedback,
    Signup,
    SignupStatus,
)
from gongzhi.estates.models import BindingStatus, House, HouseBinding, Relation

from .factories import CompoundFactory, HouseFactory, UserFactory


def _tomorrow_at_nine() -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    title = factory.Sequence(lambda n: f"便民洗车 {n}")
    category = ActivityCategory.SERVICE
    starts_at = factory.LazyFunction(_tomorrow_at_nine)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    place = "小区中心广场"
    capacity = 20
    status = ActivityStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    checkin_nonce = factory.LazyFunction(lambda: secrets.token_hex(8))


class SignupFactory(factory.django.DjangoModelFactory[Signup]):
    class Meta:
        model = Signup

    activity = factory.SubFactory(ActivityFactory)
    community = factory.SelfAttribute("activity.community")
    user = factory.SubFactory(UserFactory)
    party_size = 1
    status = SignupStatus.CONFIRMED


class FeedbackFactory(factory.django.DjangoModelFactory[Feedback]):
    class Meta:
        model = Feedback

    activity = factory.SubFactory(ActivityFactory)
    community = factory.SelfAttribute("activity.community")
    user = factory.SubFactory(UserFactory)
    rating = 5
    comment = "很好"


class CareTaskFactory(factory.django.DjangoModelFactory[CareTask]):
    class Meta:
        model = CareTask

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    name = factory.Sequence(lambda n: f"检查房屋 {n}")
    sort_key = factory.Sequence(lambda n: n)


class CarePlanFactory(factory.django.DjangoModelFactory[CarePlan]):
    class Meta:
        model = CarePlan

    house = factory.SubFactory(HouseFactory, status="vacant")
    compound = factory.SelfAttribute("house.compound")
    community = factory.SelfAttribute("house.community")
    owner = factory.SubFactory(UserFactory)
    schedule = CareSchedule.WEEKLY
    status = CareStatus.ACTIVE
    starts_on = factory.LazyFunction(timezone.localdate)
    next_due_on = factory.LazyFunction(timezone.localdate)


class CareVisitFactory(factory.django.DjangoModelFactory[CareVisit]):
    class Meta:
        model = CareVisit

    plan = factory.SubFactory(CarePlanFactory)
    community = factory.SelfAttribute("plan.community")
    visited_on = factory.LazyFunction(timezone.localdate)
    visited_by = factory.SubFactory(UserFactory)


def bind_owner(house: House, user: Any, relation: str = Relation.OWNER) -> HouseBinding:
    """An approved binding of ``user`` to ``house``."""
    return HouseBinding.objects.create(
        community_id=house.community_id,
        compound_id=house.compound_id,
        house=house,
        user=user,
        relation=relation,
        status=BindingStatus.APPROVED,
    )
