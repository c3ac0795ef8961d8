"""Factories for duty posts, shifts, assignments and volunteers (tests only).

Rows written straight to the tables (no service): for selectors, query counts and datasets. Tests of behaviour
go through the services.
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from gongzhi.duty.models import (
    Assignment,
    DutyPost,
    PostKind,
    ServeKind,
    Shift,
    ShiftPattern,
    Volunteer,
    VolunteerStatus,
)
from gongzhi.estates.models import BindingStatus, Compound, HouseBinding, Relation

from .factories import CompoundFactory, HouseFactory, UserFactory


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def in_days(days: int, hour: int = 7, minute: int = 20) -> datetime.datetime:
    """A local (Asia/Shanghai) time ``days`` from today."""
    return local(timezone.localdate() + datetime.timedelta(days=days), hour, minute)


class DutyPostFactory(factory.django.DjangoModelFactory[DutyPost]):
    class Meta:
        model = DutyPost

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    name = factory.Sequence(lambda n: f"护学岗 {n}")
    kind = PostKind.SCHOOL_SAFETY
    place = "实验小学南门"
    min_officers = 1
    min_property = 1
    min_volunteers = 1
    places = 4


def add_school_days(post: DutyPost, times: tuple[tuple[int, int, int, int], ...] = ((7, 20, 8, 0),)) -> None:
    """Monday to Friday at ``times`` ((h1, m1, h2, m2), …)."""
    ShiftPattern.objects.bulk_create(
        [
            ShiftPattern(post=post, weekday=d, starts=datetime.time(h1, m1), ends=datetime.time(h2, m2))
            for d in range(5)
            for h1, m1, h2, m2 in times
        ]
    )


class ShiftFactory(factory.django.DjangoModelFactory[Shift]):
    class Meta:
        model = Shift

    post = factory.SubFactory(DutyPostFactory)
    community = factory.SelfAttribute("post.community")
    starts_at = factory.LazyFunction(lambda: in_days(1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=40))
    date = factory.LazyAttribute(lambda o: timezone.localdate(o.starts_at))


class AssignmentFactory(factory.django.DjangoModelFactory[Assignment]):
    class Meta:
        model = Assignment

    shift = factory.SubFactory(ShiftFactory)
    community = factory.SelfAttribute("shift.community")
    user = factory.SubFactory(UserFactory)
    kind = ServeKind.VOLUNTEER
    starts_at = factory.SelfAttribute("shift.starts_at")
    ends_at = factory.SelfAttribute("shift.ends_at")


class VolunteerFactory(factory.django.DjangoModelFactory[Volunteer]):
    class Meta:
        model = Volunteer

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    user = factory.SubFactory(UserFactory)
    status = VolunteerStatus.ACTIVE
    skills = "交通疏导"
    availability = "工作日早上"


def resident_volunteer(compound: Compound, **user: Any) -> Any:
    """A new user who lives in ``compound`` (an approved binding) and is an active volunteer there."""
    person = UserFactory.create(**user)
    house = HouseFactory.create(unit__building__compound=compound)
    HouseBinding.objects.create(
        community_id=compound.community_id,
        compound=compound,
        house=house,
        user=person,
        relation=Relation.OWNER,
        status=BindingStatus.APPROVED,
    )
    VolunteerFactory.create(compound=compound, user=person)
    return person
