"""Demo compounds with an occupancy history: the case compound doubles from 25% to about 50% by 2025.

Deterministic (seeded RNG), so every demo shows the same figures.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from gongzhi.accounts.models import Organization
from gongzhi.core import crypto
from gongzhi.estates.models import (
    OCCUPIED_STATUSES,
    Area,
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

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红文斌鹏辉宇浩然欣怡子轩梓涵一诺雨桐"


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    delivered_on: datetime.date
    buildings: range


@dataclass(frozen=True)
class CompoundSpec:
    code: str
    name: str
    address: str
    phases: tuple[PhaseSpec, ...]
    units_per_building: int
    floors: int
    rooms_per_floor: int
    occupancy_start: float  # share occupied within two months of delivery
    occupancy_end_2025: float  # share occupied at the end of 2025
    seed: int


CASE = CompoundSpec(
    code="jshy",
    name="招商江山和樾",
    address="武汉市汉阳区洲头街道新五里社区",
    phases=(
        PhaseSpec("一期", datetime.date(2023, 6, 30), range(1, 7)),
        PhaseSpec("二期", datetime.date(2023, 8, 31), range(7, 13)),
    ),
    units_per_building=2,
    floors=29,
    rooms_per_floor=2,
    occupancy_start=0.25,
    occupancy_end_2025=0.50,
    seed=2023,
)
PEERS = (
    CompoundSpec(
        code="jcym",
        name="锦程雅苑",
        address="武汉市汉阳区洲头街道新五里社区",
        phases=(PhaseSpec("一期", datetime.date(2023, 7, 15), range(1, 9)),),
        units_per_building=2,
        floors=25,
        rooms_per_floor=2,
        occupancy_start=0.22,
        occupancy_end_2025=0.33,
        seed=2024,
    ),
    CompoundSpec(
        code="hjw",
        name="汉江湾",
        address="武汉市汉阳区洲头街道江欣苑社区",
        phases=(PhaseSpec("一期", datetime.date(2023, 6, 1), range(1, 7)),),
        units_per_building=2,
        floors=26,
        rooms_per_floor=2,
        occupancy_start=0.20,
        occupancy_end_2025=0.31,
        seed=2025,
    ),
)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return rng.choice(("139", "138", "137", "136", "135", "158", "186", "188")) + f"{rng.randrange(10**8):08d}"


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(max(1, (end - start).days)))


def build_compound(
    *, spec: CompoundSpec, community: Area, property_company: Organization, today: datetime.date
) -> Compound:
    """Create one compound with buildings, houses, status events and residents, in bulk."""
    rng = random.Random(spec.seed)
    compound = Compound.objects.create(
        code=spec.code,
        name=spec.name,
        community=community,
        property_company=property_company,
        address=spec.address,
        delivered_on=min(p.delivered_on for p in spec.phases),
    )
    cid = community.id
    houses: list[House] = []
    for ps in spec.phases:
        phase = Phase.objects.create(community=community, compound=compound, name=ps.name, delivered_on=ps.delivered_on)
        for b in ps.buildings:
            building = Building.objects.create(
                community=community, compound=compound, phase=phase, name=f"{b}栋", sort_key=b
            )
            for u in range(1, spec.units_per_building + 1):
                unit = Unit.objects.create(
                    community=community, compound=compound, building=building, name=f"{u}单元", sort_key=u
                )
                for floor in range(1, spec.floors + 1):
                    for r in range(1, spec.rooms_per_floor + 1):
                        houses.append(
                            House(
                                community_id=cid,
                                compound=compound,
                                building=building,
                                unit=unit,
                                phase=phase,
                                room=f"{floor}{r:02d}",
                                floor=floor,
                                area=Decimal(rng.choice(("98.56", "118.20", "128.56", "143.80"))),
                                status=HouseStatus.VACANT,
                                delivered_on=ps.delivered_on,
                                owner_name=_name(rng) if rng.random() < 0.9 else "",
                            )
                        )
    for h in houses:
        if h.owner_name:
            h.owner_phone = _phone(rng)
            h.owner_phone_hash = crypto.phone_hash(h.owner_phone)
    House.objects.bulk_create(houses, batch_size=1000)
    houses = list(House.objects.filter(compound=compound).order_by("id"))

    events: list[HouseEvent] = []
    residents: list[Resident] = []
    end_2025 = datetime.date(2025, 12, 31)
    order = list(houses)
    rng.shuffle(order)
    n = len(order)
    early = int(n * spec.occupancy_start)
    by_2025 = int(n * spec.occupancy_end_2025)
    by_now = by_2025 + int(n * 0.03 * max(0, (today - end_2025).days) / 330)
    for i, h in enumerate(order):
        assert h.delivered_on is not None
        events.append(
            HouseEvent(community_id=cid, house=h, status=HouseStatus.VACANT, effective_on=h.delivered_on, source="demo")
        )
        if i < early:
            moved_in = _date_between(rng, h.delivered_on, h.delivered_on + datetime.timedelta(days=60))
        elif i < by_2025:
            moved_in = _date_between(rng, h.delivered_on + datetime.timedelta(days=60), end_2025)
        elif i < by_now:
            moved_in = _date_between(rng, end_2025, today)
        else:
            if rng.random() < 0.06:  # a few are being renovated now
                events.append(
                    HouseEvent(
                        community_id=cid,
                        house=h,
                        status=HouseStatus.RENOVATING,
                        effective_on=_date_between(rng, today - datetime.timedelta(days=90), today),
                        source="demo",
                    )
                )
            continue
        if i >= early and rng.random() < 0.5:
            events.append(
                HouseEvent(
                    community_id=cid,
                    house=h,
                    status=HouseStatus.RENOVATING,
                    effective_on=max(h.delivered_on, moved_in - datetime.timedelta(days=75)),
                    source="demo",
                )
            )
        status = HouseStatus.RENTED if rng.random() < 0.12 else HouseStatus.OCCUPIED
        events.append(HouseEvent(community_id=cid, house=h, status=status, effective_on=moved_in, source="demo"))
        h.moved_in_on = moved_in
        relation = Relation.TENANT if status == HouseStatus.RENTED else Relation.FAMILY
        for _ in range(rng.choice((1, 2, 2, 2, 3, 3, 3, 4, 5))):
            residents.append(
                Resident(
                    community_id=cid,
                    compound=compound,
                    house=h,
                    relation=relation,
                    is_permanent=rng.random() < 0.97,
                    moved_in_on=moved_in,
                    source="demo",
                )
            )
    HouseEvent.objects.bulk_create(events, batch_size=2000)
    Resident.objects.bulk_create(residents, batch_size=2000)
    latest: dict[int, tuple[datetime.date, str]] = {}
    for e in events:
        if e.house_id not in latest or e.effective_on >= latest[e.house_id][0]:
            latest[e.house_id] = (e.effective_on, e.status)
    for h in houses:
        h.status = latest[h.id][1]
        if h.status not in OCCUPIED_STATUSES and h.moved_in_on is None:
            h.moved_in_on = None
    House.objects.bulk_update(houses, ["status", "moved_in_on"], batch_size=1000)
    return compound
