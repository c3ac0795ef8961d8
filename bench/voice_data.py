"""Data generator for the voice benchmarks: an estate of compounds, residents and staff, and its voices.

    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://…/throwaway \\
        .venv/bin/python -m bench.voice_data --voices 1000000 [--compounds 200] [--residents 60]

Writes into a migrated, empty, throw-away PostgreSQL database (``bench.voice_pages`` makes one), with
``COPY`` through ``gongzhi.estates.ledger.bulk.RowInserter`` for everything that grows:

- the areas (one district, a sub-district per 10 communities, a community per 5 compounds) with their
  organizations, a property company per 10 compounds, four government departments and a police station per
  sub-district; ``--compounds`` compounds of 6 buildings × 2 units × 12 floors × 2 rooms (288 houses);
- ``--residents`` residents a compound (users with an approved binding to a house of it) and staff: a
  secretary and a community staff member per community, a property manager and a customer-service agent per
  company, a liaison per department, an officer per police station, a supervisor per sub-district;
- ``--voices`` voices, ids in time order, in two parts (see "The probe" below): ``--probe`` voices (250) of
  the probe compound over the last 60 days, the same in every dataset; and the background, all the others,
  over the last three years, denser towards now (the platform being taken up), spread over the compounds
  unevenly (×0.5-1.5). Kind: repair 35%, complaint 22%, request 12%, suggestion 12%, enquiry 12%, praise 7%.
  Channel: app 85% (author a resident of the compound), API 5%, Open311 5% and ledger 5% (no author; a
  contact name). Status by age: most voices of the last two days
  still submitted or being handled; after two months almost all closed (or rejected 6%, merged 4%,
  withdrawn 3.5%), a few stragglers still open, as in any real queue. 45% are public; open public voices
  carry a few "me too". Accepted, resolved and closed times, deadlines (the seeded policy hours) and the
  official reply follow the status; dispatched voices have their lead organization (the property company
  65%, the community 15%, a department 15%, the police 5%) and an active assignment, joint handling in 5%;
  every voice has its timeline events (submit, accept, dispatch, resolve, close …) and resolved ones their
  public reply row.

The probe. A page benchmark compares the same page with 10,000 and with 1,000,000 voices; if the scope of the
measured user simply held 100 times more voices, the page would show more (a queue of 5 voices becomes a full
page of 30, Open311's 90-day feed goes from 1 request to 190), and the ratio would measure the size of the
answer rather than what the size of the table does to the same page. So the datasets are built around a probe:

- the probe compound is the first one (v001); its voices of the last ``PROBE_DAYS`` (60) days are drawn by a
  generator of their own (seed, ages, kinds, texts, statuses, authors, deadlines, replies), so they are the
  same in every dataset, at the same times relative to the generation (checked by a fingerprint in
  ``bench_dataset``): 250 voices of which about 55 still open (two queue pages) and about 100 public (more than
  a wall page; all of them in Open311's default 90-day window);
- the rest of the probe's sub-district (v001-v050: the scopes of the probe users, community staff 5
  compounds, property manager 10, sub-district supervisor 50) gets only background voices older than
  ``PROBE_QUIET_DAYS`` (180) days, all settled (closed, resolved, rejected, merged, withdrawn: none open), so
  that the queues, the first page of the wall and the 90-day feed show exactly the probe in both datasets while
  the scopes' history, and the table, grow a hundredfold;
- the background voices younger than 180 days go to the other 150 compounds, so the table as a whole keeps
  its recent activity and its open voices (stragglers included).

The natural scope is the first compound of the second sub-district (v051) with its community, company and
sub-district: nothing special there, so its pages grow with the dataset (as the first benchmark measured).
Its recent activity is a third denser than an even spread would give (the probe's sub-district has none).

Not generated (the pages measured never read them): audit events, ratings, "me too" rows, photos.
At the end: ``VACUUM ANALYZE`` (as autovacuum would have done on a live database), and a one-row table
``bench_dataset`` describing what was generated (the users the page benchmark logs in as, per scope, and the
probe's figures and fingerprint).
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import json
import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

SEED = 2026
DAYS = 3 * 365
BUILDINGS, UNITS, FLOORS, ROOMS = 6, 2, 12, 2
COMPOUNDS_PER_COMMUNITY = 5
COMMUNITIES_PER_SUB_DISTRICT = 10
COMPOUNDS_PER_COMPANY = 10
CHUNK = 50_000
STAFF_PHONE = "136{:08d}"
RESIDENT_PHONE = "139{:08d}"
DEPARTMENTS = ["住建局", "城管局", "水务集团", "供电公司"]
COMPOUND_NAMES = ["阳光", "锦绣", "翠苑", "金域", "碧桂", "滨江", "丽景", "御景", "书香", "枫林"]

KINDS = [("repair", 35), ("complaint", 22), ("request", 12), ("suggestion", 12), ("enquiry", 12), ("praise", 7)]
CHANNELS = [("app", 85), ("api", 5), ("open311", 5), ("ledger", 5)]
# The seeded deadline policy (voices migration 0002): kind → (response hours, resolution hours or None).
POLICY_HOURS: dict[str, tuple[int, int | None]] = {
    "complaint": (24, 72),
    "suggestion": (48, 240),
    "praise": (72, None),
    "request": (12, 48),
    "repair": (24, 72),
    "enquiry": (24, 48),
}
# Status by the voice's age in days: (younger than, [(status, weight)]).
STATUS_BY_AGE: list[tuple[float, list[tuple[str, float]]]] = [
    (
        2,
        [
            ("submitted", 45),
            ("accepted", 20),
            ("dispatched", 15),
            ("resolved", 10),
            ("rejected", 4),
            ("withdrawn", 3),
            ("merged", 3),
        ],
    ),
    (
        14,
        [
            ("submitted", 5),
            ("accepted", 10),
            ("dispatched", 20),
            ("resolved", 35),
            ("closed", 15),
            ("reopened", 3),
            ("rejected", 5),
            ("merged", 4),
            ("withdrawn", 3),
        ],
    ),
    (
        60,
        [
            ("accepted", 2),
            ("dispatched", 5),
            ("resolved", 8),
            ("closed", 70),
            ("reopened", 1),
            ("rejected", 6),
            ("merged", 4),
            ("withdrawn", 4),
        ],
    ),
    (
        math.inf,
        [
            ("submitted", 0.05),
            ("accepted", 0.1),
            ("dispatched", 0.2),
            ("resolved", 0.2),
            ("closed", 85.95),
            ("rejected", 6),
            ("merged", 4),
            ("withdrawn", 3.5),
        ],
    ),
]
LEAD_KINDS = [("property", 65), ("community", 15), ("department", 15), ("police", 5)]
# Text fragments per seeded category (by name): what residents write about.
TEXTS: dict[str, list[str]] = {
    "设施维修": [
        "电梯又坏了，停了两天还没修好",
        "楼道灯不亮，晚上回家很不安全",
        "门禁刷卡没反应",
        "地下室漏水严重",
        "水管爆了，楼下被淹",
    ],
    "环境卫生": [
        "垃圾桶满了没人清运，气味很大",
        "楼道里堆满杂物，没有人打扫",
        "化粪池外溢，异味严重",
        "宠物粪便到处都是",
    ],
    "绿化环境": ["草坪很久没有修剪了", "树枝挡住了窗户，希望修剪", "绿地被人种了菜"],
    "安全秩序": ["小区门岗不登记，陌生人随便进出", "监控坏了好几个", "消防通道被堵"],
    "停车交通": ["消防通道上乱停车", "充电桩不够用，晚上排队", "道闸经常抬不起来", "外来车辆占用业主车位"],
    "物业服务": ["管家电话总是打不通", "保安态度很差", "报修以后没有人回复"],
    "物业收费": ["物业费的账单看不懂，希望公示明细", "停车费涨价没有公示"],
    "噪音扰民": ["楼上装修每天早上七点就开始", "广场舞音乐太吵，晚上十点还没停", "深夜有人在楼下喝酒吵闹"],
    "邻里纠纷": ["邻居长期占用公共走廊", "楼上漏水到我家，协商不成"],
    "教育配套": ["孩子上学路上没有护学岗", "附近幼儿园学位不够"],
    "公共交通": ["公交站台太远，希望增设站点", "早高峰班车太挤"],
    "其他": ["希望组织一次业主大会", "建议增加快递柜", "想咨询一下居住证办理"],
}
OPEN = frozenset({"submitted", "accepted", "dispatched", "reopened"})
# The probe (see the module's docstring): the first compound's voices of the last PROBE_DAYS days, the same in
# every dataset; the rest of its sub-district only has settled voices older than PROBE_QUIET_DAYS days.
PROBE, NATURAL = "probe", "natural"
PROBE_VOICES = 250
PROBE_DAYS = 60
PROBE_QUIET_DAYS = 180
# The natural scope: the first compound of the second sub-district, whose voices are drawn like any other's.
NATURAL_COMPOUND = COMPOUNDS_PER_COMMUNITY * COMMUNITIES_PER_SUB_DISTRICT
PRAISE_TEXTS = ["感谢物业师傅半夜上门修好了水管", "保安大哥帮我找回了丢失的钱包", "网格员耐心帮老人办事，点赞"]
REPLIES = [
    "已安排维修人员处理，现已修复。",
    "已协调相关部门，问题已解决。",
    "已清理完毕，后续加强巡查。",
    "经核实已整改，感谢反馈。",
]


def _weighted(pairs: Sequence[tuple[str, float]]) -> tuple[list[str], list[float]]:
    names = [n for n, _w in pairs]
    cumulative: list[float] = []
    total = 0.0
    for _n, w in pairs:
        total += w
        cumulative.append(total)
    return names, cumulative


def _pick(rng: random.Random, table: tuple[list[str], list[float]]) -> str:
    names, cumulative = table
    return names[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


@dataclass
class Estate:
    compounds: list[Any]  # (id, community_id, code, property_company_id)
    community_org: dict[int, int]  # community area id → its organization id
    police_of_community: dict[int, int]
    departments: list[int]
    houses: dict[int, list[tuple[int, int]]]  # compound id → [(house id, building id)]
    residents: dict[int, list[tuple[int, int]]]  # compound id → [(user id, house index)]
    staff_of_org: dict[int, int]  # organization id → a staff user (author of replies)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # scope → the users the benchmark logs in as


def _now() -> datetime.datetime:
    from django.utils import timezone

    return timezone.now().replace(microsecond=0)


def build_estate(*, compounds: int, residents_per_compound: int, seed: int = SEED) -> Estate:
    """Areas, organizations, compounds, buildings, units, houses, residents with bindings, and staff."""
    from django.contrib.auth.hashers import make_password

    from gongzhi.accounts.models import Membership, Organization, User
    from gongzhi.accounts.roles import OrgKind, Role
    from gongzhi.core import crypto
    from gongzhi.estates.ledger.bulk import RowInserter
    from gongzhi.estates.models import (
        Area,
        BindingStatus,
        Building,
        Compound,
        House,
        HouseBinding,
        HouseStatus,
        Relation,
        Unit,
    )
    from gongzhi.estates.services import compound_create

    rng = random.Random(seed)
    now = _now()
    companies = [
        Organization.objects.create(kind=OrgKind.PROPERTY, name=f"基准物业{j + 1}")
        for j in range(math.ceil(compounds / COMPOUNDS_PER_COMPANY))
    ]
    created: list[Compound] = []
    for i in range(compounds):
        community_no = i // COMPOUNDS_PER_COMMUNITY
        created.append(
            compound_create(
                actor=None,
                code=f"v{i + 1:03d}",
                name=f"{COMPOUND_NAMES[i % len(COMPOUND_NAMES)]}{i + 1}号小区",
                community=f"基准第{community_no + 1}社区",
                sub_district=f"基准第{community_no // COMMUNITIES_PER_SUB_DISTRICT + 1}街道",
                district="基准区",
                property_company=companies[i // COMPOUNDS_PER_COMPANY],
                delivered_on=datetime.date(2019 + i % 5, 6, 30),
            )
        )
    district = Area.objects.get(level="district", name="基准区")
    departments = [
        Organization.objects.create(kind=OrgKind.DEPARTMENT, name=f"基准区{name}", area=district).pk
        for name in DEPARTMENTS
    ]
    community_org = {
        o.area_id: o.pk for o in Organization.objects.filter(kind=OrgKind.COMMUNITY, area__isnull=False) if o.area_id
    }
    police_of_sub = {}
    for sub in Area.objects.filter(level="sub_district").order_by("pk"):
        police_of_sub[sub.pk] = Organization.objects.create(kind=OrgKind.POLICE, name=f"{sub.name}派出所", area=sub).pk
    police_of_community = {
        a.pk: police_of_sub[a.parent_id] for a in Area.objects.filter(level="community") if a.parent_id
    }

    # Staff: community secretary and staff, property manager and customer service, liaisons, officers.
    staff_rows: list[tuple[str, int, str]] = []  # (label, organization id, role)
    for area_id, org_id in sorted(community_org.items()):
        staff_rows += [
            (f"secretary:{area_id}", org_id, Role.SECRETARY),
            (f"community_staff:{area_id}", org_id, Role.COMMUNITY_STAFF),
        ]
    for company in companies:
        staff_rows += [
            (f"property_manager:{company.pk}", company.pk, Role.PROPERTY_MANAGER),
            (f"customer_service:{company.pk}", company.pk, Role.CUSTOMER_SERVICE),
        ]
    staff_rows += [(f"liaison:{d}", d, Role.LIAISON) for d in departments]
    staff_rows += [(f"officer:{p}", p, Role.OFFICER) for p in sorted(set(police_of_sub.values()))]
    sub_orgs = Organization.objects.filter(kind=OrgKind.SUB_DISTRICT, area__isnull=False).order_by("area_id")
    staff_rows += [(f"supervisor:{o.area_id}", o.pk, Role.SUPERVISOR) for o in sub_orgs]
    password = make_password(None)  # no one logs in with a password: the benchmarks log in by session
    user_fields = [
        "phone",
        "phone_hash",
        "name",
        "email",
        "password",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "failed_logins",
    ]
    users = RowInserter(User, user_fields)
    staff_ids = users.insert(
        [
            (
                p := STAFF_PHONE.format(n + 1),
                crypto.phone_hash(p),
                f"基准{label.split(':')[0]}{n + 1}",
                "",
                password,
                True,
                False,
                False,
                now,
                0,
            )
            for n, (label, _org, _role) in enumerate(staff_rows)
        ],
        returning=True,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=uid, organization_id=org, role=role, is_admin=role in (Role.SECRETARY, Role.PROPERTY_MANAGER)
            )
            for uid, (_label, org, role) in zip(staff_ids, staff_rows, strict=True)
        ]
    )
    by_label = {label: uid for uid, (label, _o, _r) in zip(staff_ids, staff_rows, strict=True)}
    staff_of_org: dict[int, int] = {}
    for uid, (_label, org, _role) in zip(staff_ids, staff_rows, strict=True):
        staff_of_org.setdefault(org, uid)

    # Buildings, units and houses.
    buildings = Building.objects.bulk_create(
        [
            Building(community_id=c.community_id, compound=c, name=f"{b + 1}栋", sort_key=b + 1)
            for c in created
            for b in range(BUILDINGS)
        ]
    )
    units = Unit.objects.bulk_create(
        [
            Unit(
                community_id=b.community_id, compound_id=b.compound_id, building=b, name=f"{u + 1}单元", sort_key=u + 1
            )
            for b in buildings
            for u in range(UNITS)
        ],
        batch_size=2000,
    )
    house_rows = []
    statuses = (
        [HouseStatus.OCCUPIED] * 60
        + [HouseStatus.RENTED] * 10
        + [HouseStatus.VACANT] * 25
        + [HouseStatus.RENOVATING] * 5
    )
    for unit in units:
        for floor in range(1, FLOORS + 1):
            for room in range(1, ROOMS + 1):
                house_rows.append(
                    (
                        unit.community_id,
                        unit.compound_id,
                        unit.building_id,
                        unit.pk,
                        f"{floor}{room:02d}",
                        floor,
                        "98.50",
                        rng.choice(statuses),
                        datetime.date(2020, 6, 30),
                        "",
                        "",
                        "",
                        now,
                        now,
                    )
                )
    house_fields = [
        "community",
        "compound",
        "building",
        "unit",
        "room",
        "floor",
        "area",
        "status",
        "delivered_on",
        "owner_name",
        "owner_phone",
        "owner_phone_hash",
        "created_at",
        "updated_at",
    ]
    house_ids = RowInserter(House, house_fields).insert(house_rows, returning=True)
    houses: dict[int, list[tuple[int, int]]] = {}
    for hid, row in zip(house_ids, house_rows, strict=True):
        houses.setdefault(row[1], []).append((hid, row[2]))

    # Residents: users bound (approved) to a house of their compound each.
    resident_rows, placement = [], []
    n = 0
    for c in created:
        for k in rng.sample(range(len(houses[c.pk])), residents_per_compound):
            n += 1
            phone = RESIDENT_PHONE.format(n)
            resident_rows.append(
                (phone, crypto.phone_hash(phone), f"居民{n}", "", password, True, False, False, now, 0)
            )
            placement.append((c, k))
    resident_ids = users.insert(resident_rows, returning=True)
    binding_fields = [
        "community",
        "compound",
        "house",
        "user",
        "relation",
        "status",
        "decided_at",
        "reason",
        "created_at",
        "updated_at",
    ]
    RowInserter(HouseBinding, binding_fields).insert(
        [
            (c.community_id, c.pk, houses[c.pk][k][0], uid, Relation.OWNER, BindingStatus.APPROVED, now, "", now, now)
            for uid, (c, k) in zip(resident_ids, placement, strict=True)
        ]
    )
    residents: dict[int, list[tuple[int, int]]] = {}
    for uid, (c, k) in zip(resident_ids, placement, strict=True):
        residents.setdefault(c.pk, []).append((uid, k))

    estate = Estate(
        compounds=[(c.pk, c.community_id, c.code, c.property_company_id) for c in created],
        community_org=community_org,
        police_of_community=police_of_community,
        departments=departments,
        houses=houses,
        residents=residents,
        staff_of_org=staff_of_org,
    )
    # The users the page benchmark logs in as: those of the probe compound (the first) and, when there are
    # enough compounds, those of the natural compound (the first of the second sub-district).
    for scope, index in ((PROBE, 0), (NATURAL, NATURAL_COMPOUND)):
        if index >= len(created):
            continue
        c = created[index]
        estate.users[scope] = {
            "compound": c.code,
            "community_staff": by_label[f"community_staff:{c.community_id}"],
            "property_manager": by_label[f"property_manager:{c.property_company_id}"],
            "resident": residents[c.pk][0][0],
            "sub_district_supervisor": by_label[f"supervisor:{c.community.parent_id}"],
        }
    return estate


def _ages(count: int, rng: random.Random, *, days: float, young: float = 0.0) -> list[float]:
    """Ages in seconds of ``count`` voices between ``young`` and ``days`` days old, denser towards now (the
    density falls linearly with age), oldest first."""
    span = (days - young) * 86400
    ages = [young * 86400 + span * (1 - math.sqrt(rng.random())) + 60 for _ in range(count)]
    ages.sort(reverse=True)
    return ages


def probe_area(estate: Estate) -> frozenset[int]:
    """The compounds of the probe's sub-district (the first one): every scope the probe pages are measured in."""
    per_sub_district = COMPOUNDS_PER_COMMUNITY * COMMUNITIES_PER_SUB_DISTRICT
    return frozenset(c[0] for i, c in enumerate(estate.compounds) if i < per_sub_district)


class _Voices:
    """Draws voices: each with its own random generator, so that the probe's voices come out the same whatever
    the background around them."""

    def __init__(self, estate: Estate, now: datetime.datetime) -> None:
        from gongzhi.voices.models import Category

        self.estate = estate
        self.now = now
        categories = {c.name: c.pk for c in Category.objects.all()}
        self.texts = [(categories[name], t) for name, items in TEXTS.items() if name in categories for t in items]
        self.other = categories.get("其他", next(iter(categories.values())))
        self.kinds, self.channels, self.leads = _weighted(KINDS), _weighted(CHANNELS), _weighted(LEAD_KINDS)
        self.by_age = [(limit, _weighted(table)) for limit, table in STATUS_BY_AGE]
        # Old voices in the probe's area are settled: the same tables without the open statuses.
        self.settled = [
            (limit, _weighted([(st, w) for st, w in table if st not in OPEN])) for limit, table in STATUS_BY_AGE
        ]

    def make(
        self, rng: random.Random, *, compound: Any, age: float, label: str, settled: bool = False
    ) -> dict[str, Any]:
        estate, now, hour = self.estate, self.now, 3600.0
        compound_id, community_id, code, company_id = compound
        submitted = now - datetime.timedelta(seconds=age)
        kind = _pick(rng, self.kinds)
        channel = _pick(rng, self.channels)
        days = age / 86400
        tables = self.settled if settled else self.by_age
        status = _pick(rng, next(table for limit, table in tables if days < limit))
        if kind == "praise":
            category, text = self.other, rng.choice(PRAISE_TEXTS)
        else:
            category, text = rng.choice(self.texts)
        house_no = rng.randrange(len(estate.houses[compound_id]))
        _house, building_id = estate.houses[compound_id][house_no]
        tail = rng.choice(["", "麻烦尽快处理。", "多次反映了。", "谢谢！"])
        text = f"{building_id % BUILDINGS + 1}栋{text}。{tail}"
        author = None
        location, house, building = "public_area", None, None
        contact = ""
        if channel in ("app", "api"):
            author, home = rng.choice(estate.residents[compound_id])
            where = rng.random()
            if where < 0.45:
                location = "own_house"
                house, building = estate.houses[compound_id][home]
            elif where < 0.75:
                location, building = "building", building_id
        else:
            contact = f"来电{label[-3:]}"
        response_h, resolution_h = POLICY_HOURS[kind]

        def after(start: datetime.datetime, low: float, high: float) -> datetime.datetime:
            at = start + datetime.timedelta(seconds=rng.uniform(low, high) * hour)
            return min(at, now - datetime.timedelta(seconds=30))

        accepted = resolved = closed = None
        verbs: list[tuple[str, str, datetime.datetime, bool]] = [("submit", "submitted", submitted, True)]
        lead = None
        if status in ("accepted", "dispatched", "resolved", "closed", "reopened"):
            accepted = after(submitted, 0.2, response_h * 1.1)
            verbs.append(("accept", "accepted", accepted, True))
        if status in ("dispatched", "resolved", "closed", "reopened") or (status == "accepted" and kind == "praise"):
            lead_kind = "property" if kind == "praise" else _pick(rng, self.leads)
            lead = {
                "property": company_id,
                "community": estate.community_org[community_id],
                "department": rng.choice(estate.departments),
                "police": estate.police_of_community[community_id],
            }[lead_kind]
            verbs.append(("dispatch", "dispatched", after(accepted or submitted, 0.1, 8), True))
        if status in ("resolved", "closed", "reopened"):
            resolved = after(accepted or submitted, 1, (resolution_h or 48) * 1.2)
            verbs.append(("resolve", "resolved", resolved, True))
        if status == "closed" and resolved is not None:
            closed = after(resolved, 2, 24 * 7)
            verbs.append(("close", "closed", closed, True))
        if status == "reopened" and resolved is not None:
            verbs.append(("reopen", "reopened", after(resolved, 1, 48), True))
        if status in ("rejected", "merged", "withdrawn"):
            verb = {"rejected": "reject", "merged": "merge", "withdrawn": "withdraw"}[status]
            verbs.append((verb, status, after(submitted, 0.5, 30), True))
        is_public = rng.random() < 0.45
        me_too = rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 8)) if is_public and status not in ("rejected", "merged") else 0
        joint = lead is not None and rng.random() < 0.05
        return {
            "community": community_id,
            "compound": compound_id,
            "code": code,
            "author": author,
            "channel": channel,
            "kind": kind,
            "category": category,
            "text": text,
            "location_kind": location,
            "house": house,
            "building": building,
            "is_public": is_public,
            "status": status,
            "lead": lead,
            "joint": rng.choice(estate.departments) if joint else None,
            "suggested": company_id,
            "submitted_at": submitted,
            "accepted_at": accepted,
            "resolved_at": resolved,
            "closed_at": closed,
            "response_due_at": submitted + datetime.timedelta(hours=response_h),
            "resolution_due_at": submitted + datetime.timedelta(hours=resolution_h) if resolution_h else None,
            "me_too_count": me_too,
            "reply": rng.choice(REPLIES) if resolved is not None else "",
            "ledger_key": label if channel == "ledger" else "",
            "external_ref": f"GD-{label}" if channel == "ledger" else "",
            "contact_name": contact,
            "verbs": verbs,
        }


def probe_fingerprint(voices: Sequence[dict[str, Any]], now: datetime.datetime) -> str:
    """A digest of the probe's voices with their times relative to ``now``: equal in two datasets when the
    probe compound's recent voices are the same in both."""
    import hashlib

    digest = hashlib.sha256()
    for v in voices:
        row = [
            v[k] for k in ("kind", "category", "text", "status", "is_public", "me_too_count", "author", "lead", "reply")
        ]
        row += [round((now - at).total_seconds()) for _verb, _s, at, _p in v["verbs"]]
        digest.update(json.dumps(row, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()[:16]


def voice_rows(
    estate: Estate, voices: int, seed: int = SEED, *, probe: int = PROBE_VOICES, summary: dict[str, Any] | None = None
) -> Iterator[list[dict[str, Any]]]:
    """The voices in chunks, oldest first, each a dict of its fields and its history (events, assignments).

    ``probe`` of them are the probe: the first compound's voices of the last ``PROBE_DAYS`` days, drawn by their
    own generator, so the same whatever ``voices`` is. The others (the background) are spread over the
    compounds and three years; in the probe's sub-district the background is older than ``PROBE_QUIET_DAYS``
    days and settled (no open voice), so that the probe is all the recent activity the probe pages see.
    ``summary`` receives the probe's figures and fingerprint.
    """
    now = _now()
    draw = _Voices(estate, now)
    rng = random.Random(seed + 1)
    probe_rng = random.Random(seed + 7)
    probe = min(probe, voices) if estate.users.get(PROBE) else 0
    area = probe_area(estate) if probe else frozenset()
    weights = [rng.uniform(0.5, 1.5) for _ in estate.compounds]
    everywhere = _weighted([(str(i), w) for i, w in enumerate(weights)])
    outside = [(str(i), w) for i, (c, w) in enumerate(zip(estate.compounds, weights, strict=True)) if c[0] not in area]
    elsewhere = _weighted(outside) if outside else everywhere
    quiet = PROBE_QUIET_DAYS * 86400
    background = _ages(voices - probe, rng, days=DAYS)
    probe_ages = _ages(probe, probe_rng, days=PROBE_DAYS)
    # Merge oldest first (ids in time order): (age, is_probe).
    merged = sorted([(a, False) for a in background] + [(a, True) for a in probe_ages], key=lambda x: -x[0])
    first = estate.compounds[0]
    probe_voices: list[dict[str, Any]] = []
    chunk: list[dict[str, Any]] = []
    n_probe = 0
    for seq, (age, is_probe) in enumerate(merged):
        if is_probe:
            n_probe += 1
            v = draw.make(probe_rng, compound=first, age=age, label=f"P{n_probe:05d}")
            probe_voices.append(v)
        else:
            table = elsewhere if age < quiet and area else everywhere
            compound = estate.compounds[int(_pick(rng, table))]
            v = draw.make(rng, compound=compound, age=age, label=f"B{seq:07d}", settled=compound[0] in area)
        chunk.append(v)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
    if summary is not None and probe_voices:
        shown = [v for v in probe_voices if v["is_public"] and v["status"] not in ("rejected", "merged", "withdrawn")]
        summary.update(
            voices=len(probe_voices),
            days=PROBE_DAYS,
            quiet_days=PROBE_QUIET_DAYS,
            open=sum(v["status"] in OPEN for v in probe_voices),
            public_shown=len(shown),
            area_compounds=len(area),
            fingerprint=probe_fingerprint(probe_voices, now),
        )


VOICE_FIELDS = [
    "community",
    "compound",
    "author",
    "channel",
    "kind",
    "category",
    "text",
    "location_kind",
    "house",
    "building",
    "is_public",
    "status",
    "merged_into",
    "lead_organization",
    "suggested_organization",
    "submitted_at",
    "accepted_at",
    "resolved_at",
    "closed_at",
    "response_due_at",
    "resolution_due_at",
    "response_reminded",
    "response_escalation",
    "resolution_reminded",
    "resolution_escalation",
    "idempotency_key",
    "me_too_count",
    "reply",
    "external_ref",
    "ledger_key",
    "address_text",
    "contact_name",
    "contact_email",
    "contact_phone",
    "updated_at",
]


def build_voices(
    estate: Estate, voices: int, seed: int = SEED, *, probe: int = PROBE_VOICES, summary: dict[str, Any] | None = None
) -> dict[str, int]:
    """Insert the voices with their events, assignments and replies (COPY, in chunks); returns row counts."""
    from django.db import transaction

    from gongzhi.estates.ledger.bulk import RowInserter
    from gongzhi.voices.models import Voice, VoiceAssignment, VoiceEvent, VoiceReply

    voice_in = RowInserter(Voice, VOICE_FIELDS)
    event_in = RowInserter(
        VoiceEvent, ["community", "voice", "actor", "verb", "status", "public", "note", "organization", "at"]
    )
    assignment_in = RowInserter(
        VoiceAssignment, ["community", "voice", "organization", "is_lead", "is_active", "assigned_at"]
    )
    reply_in = RowInserter(
        VoiceReply, ["community", "voice", "author", "organization", "is_internal", "text", "created_at"]
    )
    counts = {"voices": 0, "events": 0, "assignments": 0, "replies": 0}
    last_of_compound: dict[int, int] = {}
    for chunk in voice_rows(estate, voices, seed, probe=probe, summary=summary):
        with transaction.atomic():
            rows = []
            for v in chunk:
                merged_into = last_of_compound.get(v["compound"]) if v["status"] == "merged" else None
                rows.append(
                    (
                        v["community"],
                        v["compound"],
                        v["author"],
                        v["channel"],
                        v["kind"],
                        v["category"],
                        v["text"],
                        v["location_kind"],
                        v["house"],
                        v["building"],
                        v["is_public"],
                        v["status"],
                        merged_into,
                        v["lead"],
                        v["suggested"],
                        v["submitted_at"],
                        v["accepted_at"],
                        v["resolved_at"],
                        v["closed_at"],
                        v["response_due_at"],
                        v["resolution_due_at"],
                        False,
                        0,
                        False,
                        0,
                        "",
                        v["me_too_count"],
                        v["reply"],
                        v["external_ref"],
                        v["ledger_key"],
                        "",
                        v["contact_name"],
                        "",
                        "",
                        v["verbs"][-1][2],
                    )
                )
            ids = voice_in.insert(rows, returning=True)
            events, assignments, replies = [], [], []
            for vid, v in zip(ids, chunk, strict=True):
                last_of_compound[v["compound"]] = vid
                community, lead = v["community"], v["lead"]
                staff = None if lead is None else estate.staff_of_org.get(lead)
                for verb, status, at, public in v["verbs"]:
                    actor = v["author"] if verb in ("submit", "withdraw", "reopen") else staff
                    org = lead if verb == "dispatch" else None
                    events.append((community, vid, actor, verb, status, public, "", org, at))
                if lead is not None:
                    assigned = next(at for verb, _s, at, _p in v["verbs"] if verb == "dispatch")
                    assignments.append((community, vid, lead, True, True, assigned))
                    other = v["joint"]
                    if other is not None and other != lead:
                        assignments.append((community, vid, other, False, True, assigned))
                if v["resolved_at"] is not None and staff is not None:
                    replies.append((community, vid, staff, lead, False, v["reply"], v["resolved_at"]))
            event_in.insert(events)
            assignment_in.insert(assignments)
            reply_in.insert(replies)
        counts["voices"] += len(ids)
        counts["events"] += len(events)
        counts["assignments"] += len(assignments)
        counts["replies"] += len(replies)
    return counts


def generate(*, voices: int, compounds: int, residents: int, probe: int = PROBE_VOICES) -> dict[str, Any]:
    from django.db import connection, transaction

    t0 = time.perf_counter()
    with transaction.atomic():
        estate = build_estate(compounds=compounds, residents_per_compound=residents)
    t1 = time.perf_counter()
    summary: dict[str, Any] = {}
    counts = build_voices(estate, voices, probe=probe, summary=summary)
    t2 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        t3 = time.perf_counter()
        described = {
            "voices": voices,
            "compounds": compounds,
            "residents_per_compound": residents,
            "users": estate.users,
            "probe": summary,
            "counts": counts,
            "seconds": {"estate": t1 - t0, "voices": t2 - t1, "vacuum_analyze": t3 - t2},
        }
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        described["database_size"] = cursor.fetchone()[0]
        cursor.execute("DROP TABLE IF EXISTS bench_dataset")
        cursor.execute("CREATE TABLE bench_dataset (description text NOT NULL)")
        cursor.execute("INSERT INTO bench_dataset (description) VALUES (%s)", [json.dumps(described)])
    return described


def described(database_url: str) -> dict[str, Any] | None:
    """What ``generate`` wrote into the database at ``database_url``, or None if it has not run there."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('bench_dataset')").fetchone()[0] is None:  # type: ignore[index]
            return None
        row = conn.execute("SELECT description FROM bench_dataset").fetchone()
        return dict(json.loads(row[0])) if row else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voices", type=int, default=1_000_000)
    parser.add_argument("--compounds", type=int, default=200)
    parser.add_argument("--residents", type=int, default=60, help="residents per compound")
    parser.add_argument("--probe", type=int, default=PROBE_VOICES, help="voices of the probe compound")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("the voice data generator writes with COPY: give a PostgreSQL DATABASE_URL")
    print(
        json.dumps(generate(voices=args.voices, compounds=args.compounds, residents=args.residents, probe=args.probe))
    )


if __name__ == "__main__":
    main()
