"""factory_boy factories for tests (and nothing else)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory

from gongzhi.accounts.models import Membership, Organization, User
from gongzhi.accounts.roles import OrgKind
from gongzhi.core import crypto
from gongzhi.estates.models import (
    Area,
    AreaLevel,
    Building,
    Compound,
    House,
    HouseEvent,
    HouseStatus,
    Phase,
    Relation,
    Resident,
    Unit,
)

PASSWORD = "Gongzhi-test-2026"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"用户{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    phone_hash = factory.LazyAttribute(lambda o: crypto.phone_hash(o.phone))
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class DistrictFactory(factory.django.DjangoModelFactory[Area]):
    class Meta:
        model = Area
        django_get_or_create = ("level", "name", "parent")

    level: Any = AreaLevel.DISTRICT
    name: Any = "汉阳区"
    parent: Any = None


class SubDistrictFactory(DistrictFactory):
    level = AreaLevel.SUB_DISTRICT
    name = "四新街道"
    parent = factory.SubFactory(DistrictFactory)


class CommunityFactory(DistrictFactory):
    level = AreaLevel.COMMUNITY
    name = factory.Sequence(lambda n: f"测试社区{n}")
    parent = factory.SubFactory(SubDistrictFactory)


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    kind = OrgKind.PROPERTY
    name = factory.Sequence(lambda n: f"组织{n}")


class CompoundFactory(factory.django.DjangoModelFactory[Compound]):
    class Meta:
        model = Compound

    code = factory.Sequence(lambda n: f"c{n:03d}")
    name = factory.Sequence(lambda n: f"小区{n}")
    community = factory.SubFactory(CommunityFactory)
    property_company = factory.SubFactory(OrganizationFactory, kind=OrgKind.PROPERTY)
    delivered_on = datetime.date(2023, 6, 30)


class PhaseFactory(factory.django.DjangoModelFactory[Phase]):
    class Meta:
        model = Phase

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    name = "一期"


class BuildingFactory(factory.django.DjangoModelFactory[Building]):
    class Meta:
        model = Building

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    name = factory.Sequence(lambda n: f"{n + 1}栋")


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    compound = factory.SelfAttribute("building.compound")
    community = factory.SelfAttribute("building.community")
    name = "1单元"


class HouseFactory(factory.django.DjangoModelFactory[House]):
    class Meta:
        model = House

    unit = factory.SubFactory(UnitFactory)
    building = factory.SelfAttribute("unit.building")
    compound = factory.SelfAttribute("unit.compound")
    community = factory.SelfAttribute("unit.community")
    room = factory.Sequence(lambda n: f"{(n % 30) + 1}{(n % 4) + 1:02d}")
    floor = factory.LazyAttribute(lambda o: int(o.room[:-2]))
    area = Decimal("98.50")
    status = HouseStatus.VACANT
    delivered_on = datetime.date(2023, 6, 30)
    owner_phone = ""
    owner_phone_hash = factory.LazyAttribute(lambda o: crypto.phone_hash(o.owner_phone))


def house_with_history(house: House, *changes: tuple[str, datetime.date]) -> House:
    """Give a house status events (oldest first) and set its current status to the last one."""
    for status, on in changes:
        HouseEvent.objects.create(community_id=house.community_id, house=house, status=status, effective_on=on)
    if changes:
        house.status = changes[-1][0]
        house.save(update_fields=["status"])
    return house


class ResidentFactory(factory.django.DjangoModelFactory[Resident]):
    class Meta:
        model = Resident

    house = factory.SubFactory(HouseFactory)
    compound = factory.SelfAttribute("house.compound")
    community = factory.SelfAttribute("house.community")
    name = factory.Sequence(lambda n: f"居民{n}")
    relation = Relation.FAMILY
    is_permanent = True
    moved_in_on = datetime.date(2024, 1, 1)


def member(user: User, organization: Organization, role: str, *, is_admin: bool = False) -> Membership:
    return Membership.objects.create(
        user=user,
        organization=organization,
        role=role,
        is_admin=is_admin,
        community_id=organization.area_id if organization.kind == OrgKind.COMMUNITY else None,
    )
