"""Mediation cases for tests, made through the services (so their events, mediators and audit are real)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from gongzhi.mediation import services
from gongzhi.mediation.models import Capacity, Case, Outcome, PartyKind
from gongzhi.testing.world import World


def open_case(world: World, *, by: str = "grid_worker", title: str = "楼上漏水", **kwargs: Any) -> Case:
    """A leak case of compound A opened by ``by``: household A 101 (the world's resident) and household A 102."""
    house_a, house_a2 = world.house_a, world.house_a2
    parties = kwargs.pop(
        "parties",
        [
            services.PartyInput(kind=PartyKind.HOUSEHOLD, house=f"{house_a.building.name}{house_a.unit.name}101"),
            services.PartyInput(kind=PartyKind.HOUSEHOLD, house=f"{house_a2.building.name}{house_a2.unit.name}102"),
        ],
    )
    return services.case_open(
        actor=world.users[by],
        compound=world.compound_a,
        case_type=kwargs.pop("case_type", "leak"),
        title=title,
        description=kwargs.pop("description", "102 卫生间漏水到 101 天花板"),
        place=kwargs.pop("place", "1单元"),
        parties=parties,
        **kwargs,
    )


def assign(world: World, case: Case, role: str, capacity: str, *, by: str = "secretary") -> Any:
    person = world.users[role]
    assert person is not None
    return services.mediator_assign(actor=world.users[by], case=case, user_id=person.pk, capacity=capacity)


def with_officer_and_lawyer(world: World, case: Case) -> Case:
    assign(world, case, "officer", Capacity.OFFICER)
    assign(world, case, "lawyer", Capacity.LAWYER)
    return case


def signed(world: World, case: Case, *, by: str = "secretary", on: datetime.date | None = None) -> Case:
    services.agreement_record(actor=world.users[by], case=case, terms="102 修复防水，赔偿 101 天花板修补费 800 元。")
    services.agreement_sign(actor=world.users[by], case=case, signed_on=on)
    return case


def closed_with_agreement(world: World, case: Case | None = None, *, now: datetime.datetime | None = None) -> Case:
    case = case or open_case(world)
    signed(world, case)
    return services.case_close(actor=world.users["secretary"], case=case, outcome=Outcome.AGREEMENT, now=now)


def later(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
