"""The dataset of the duty benchmarks: ``--compounds`` compounds (5 a community, 10 a sub-district and a
property company), each with one school-safety post on school days (07:20-08:00, 16:30-17:30), a community
calendar of the school year's holidays and vacations, staff (a secretary per community, an officer and two
property staff and three resident volunteers per compound) and, when asked, the school year's roster with the
officer, a property staff member and a volunteer on most shifts (every 7th shift lacks its volunteer) and
check-ins on the shifts already past.

Rows are written with ``bulk_create`` (a school year for 200 compounds is 76,000 shifts and 200,000
assignments); the roster's shifts themselves are made by the service the benchmark times
(``rosters_generate``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

PER_COMMUNITY = 5
PER_SUB_DISTRICT = 10


def school_year() -> tuple[datetime.date, datetime.date]:
    """The current school year: 1 September to 9 July."""
    today = datetime.date.today()
    y = today.year if today.month >= 9 else today.year - 1
    return datetime.date(y, 9, 1), datetime.date(y + 1, 7, 9)


@dataclass
class DutyEstate:
    post_ids: list[int]
    secretary_id: int  # of the first community (compounds 1-5)
    officer_id: int  # of the first compound
    compound_id: int  # the first compound


def _user(phone: str, name: str) -> Any:
    from gongzhi.accounts.models import User
    from gongzhi.core import crypto

    return User(phone=phone, phone_hash=crypto.phone_hash(phone), name=name, password="!")  # noqa: S106 - unusable


def build(*, compounds: int) -> DutyEstate:
    from gongzhi.accounts.models import Membership, Organization, User
    from gongzhi.accounts.roles import OrgKind, Role
    from gongzhi.duty.models import DayKind, DutyCalendarDay, DutyPost, ShiftPattern, Volunteer, VolunteerStatus
    from gongzhi.estates.models import Area, AreaLevel, Compound

    district = Area.objects.create(level=AreaLevel.DISTRICT, name="基准区")
    subs: list[Area] = []
    communities: list[Area] = []
    companies: list[Organization] = []
    police: list[Organization] = []
    rows: list[Compound] = []
    for i in range(compounds):
        if i % PER_SUB_DISTRICT == 0:
            sub = Area.objects.create(level=AreaLevel.SUB_DISTRICT, name=f"基准街道{len(subs) + 1}", parent=district)
            subs.append(sub)
            police.append(Organization.objects.create(kind=OrgKind.POLICE, name=f"基准派出所{len(subs)}", area=sub))
            companies.append(Organization.objects.create(kind=OrgKind.PROPERTY, name=f"基准物业{len(subs)}"))
        if i % PER_COMMUNITY == 0:
            communities.append(
                Area.objects.create(level=AreaLevel.COMMUNITY, name=f"基准社区{len(communities) + 1}", parent=subs[-1])
            )
        rows.append(
            Compound(
                code=f"d{i + 1:03d}",
                name=f"基准{i + 1}号小区",
                community=communities[-1],
                property_company=companies[-1],
                delivered_on=datetime.date(2020, 6, 30),
            )
        )
    created = Compound.objects.bulk_create(rows)
    community_orgs = Organization.objects.bulk_create(
        [Organization(kind=OrgKind.COMMUNITY, name=f"{c.name}居委会", area=c) for c in communities]
    )
    users: list[User] = []
    for n, _c in enumerate(communities):
        users.append(_user(f"1350{n:07d}", f"书记{n + 1}"))
    for i, _compound in enumerate(created):
        users.append(_user(f"1351{i:07d}", f"民警{i + 1}"))
        for k in range(2):
            users.append(_user(f"135{2 + k}{i:07d}", f"物业{i + 1}-{k + 1}"))
        for k in range(3):
            users.append(_user(f"135{4 + k}{i:07d}", f"志愿者{i + 1}-{k + 1}"))
    users = User.objects.bulk_create(users, batch_size=2000)
    secretaries = users[: len(communities)]
    staff = users[len(communities) :]
    memberships = [
        Membership(user=u, organization=o, role=Role.SECRETARY, community_id=o.area_id)
        for u, o in zip(secretaries, community_orgs, strict=True)
    ]
    posts: list[DutyPost] = []
    volunteers: list[Volunteer] = []
    for i, compound in enumerate(created):
        officer, p1, p2, *vols = staff[i * 6 : i * 6 + 6]
        memberships.append(Membership(user=officer, organization=police[i // PER_SUB_DISTRICT], role=Role.OFFICER))
        for p in (p1, p2):
            memberships.append(
                Membership(user=p, organization=companies[i // PER_SUB_DISTRICT], role=Role.CUSTOMER_SERVICE)
            )
        volunteers += [
            Volunteer(community_id=compound.community_id, compound=compound, user=v, status=VolunteerStatus.ACTIVE)
            for v in vols
        ]
        posts.append(
            DutyPost(
                community_id=compound.community_id,
                compound=compound,
                name=f"{compound.name}护学岗",
                min_officers=1,
                min_property=1,
                min_volunteers=1,
                places=4,
            )
        )
    Membership.objects.bulk_create(memberships, batch_size=2000)
    Volunteer.objects.bulk_create(volunteers, batch_size=2000)
    posts = DutyPost.objects.bulk_create(posts)
    ShiftPattern.objects.bulk_create(
        [
            ShiftPattern(post=p, weekday=d, starts=datetime.time(h1, m1), ends=datetime.time(h2, m2))
            for p in posts
            for d in range(5)
            for h1, m1, h2, m2 in ((7, 20, 8, 0), (16, 30, 17, 30))
        ],
        batch_size=2000,
    )
    first, _last = school_year()
    y = first.year
    DutyCalendarDay.objects.bulk_create(
        [
            DutyCalendarDay(community=c, kind=kind, name=name, first_day=a, last_day=b, as_weekday=wd)
            for c in communities
            for kind, name, a, b, wd in [
                (DayKind.HOLIDAY, "国庆节", datetime.date(y, 10, 1), datetime.date(y, 10, 8), 0),
                (DayKind.WORKDAY, "调休", datetime.date(y, 10, 11), datetime.date(y, 10, 11), 4),
                (DayKind.HOLIDAY, "元旦", datetime.date(y + 1, 1, 1), datetime.date(y + 1, 1, 1), 0),
                (DayKind.VACATION, "寒假", datetime.date(y + 1, 1, 24), datetime.date(y + 1, 2, 28), 0),
                (DayKind.HOLIDAY, "清明", datetime.date(y + 1, 4, 4), datetime.date(y + 1, 4, 6), 0),
                (DayKind.HOLIDAY, "劳动节", datetime.date(y + 1, 5, 1), datetime.date(y + 1, 5, 5), 0),
            ]
        ]
    )
    return DutyEstate(
        post_ids=[p.pk for p in posts],
        secretary_id=secretaries[0].pk,
        officer_id=staff[0].pk,
        compound_id=created[0].pk,
    )


def staff_roster(estate: DutyEstate) -> int:
    """Put the compound's officer, a property staff member and a volunteer on each shift (every 7th lacks its
    volunteer); check-ins on the past ones. Returns the number of assignments."""
    from django.utils import timezone

    from gongzhi.duty.models import Assignment, DutyPost, ServeKind, Shift
    from gongzhi.estates.models import Compound

    now = timezone.now()
    from gongzhi.accounts.models import User

    ids = dict(User.objects.filter(name__regex=r"^(民警|物业|志愿者)").values_list("name", "pk"))
    compounds = {p.pk: p.compound_id for p in DutyPost.objects.filter(pk__in=estate.post_ids)}
    people: dict[int, list[int]] = {}
    for pk, code in Compound.objects.filter(pk__in=compounds.values()).values_list("pk", "code"):
        i = int(code[1:])
        people[pk] = [
            ids[f"民警{i}"],
            ids[f"物业{i}-1"],
            ids[f"物业{i}-2"],
            *(ids[f"志愿者{i}-{k}"] for k in (1, 2, 3)),
        ]
    rows: list[Assignment] = []
    total = 0
    for n, (shift_id, post_id, community_id, starts_at, ends_at) in enumerate(
        Shift.objects.filter(post_id__in=estate.post_ids)
        .order_by("post_id", "starts_at")
        .values_list("pk", "post_id", "community_id", "starts_at", "ends_at")
        .iterator(chunk_size=5000)
    ):
        officer, p1, p2, v1, v2, v3 = people[compounds[post_id]]
        crew = [(officer, ServeKind.OFFICER), ((p1, p2)[n % 2], ServeKind.PROPERTY)]
        if n % 7:
            crew.append(((v1, v2, v3)[n % 3], ServeKind.VOLUNTEER))
        past = ends_at < now
        for user_id, kind in crew:
            rows.append(
                Assignment(
                    community_id=community_id,
                    shift_id=shift_id,
                    user_id=user_id,
                    kind=kind,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    checked_in_at=starts_at if past else None,
                    checked_out_at=ends_at if past else None,
                )
            )
        if len(rows) >= 20000:
            Assignment.objects.bulk_create(rows, batch_size=5000)
            total += len(rows)
            rows = []
    Assignment.objects.bulk_create(rows, batch_size=5000)
    return total + len(rows)


def database_url(kind: str, server_url: str, name: str, folder: str) -> str:
    """A fresh database: a SQLite file in ``folder``, or database ``name`` recreated on the PostgreSQL server."""
    import os

    if kind == "sqlite":
        path = os.path.join(folder, f"{name}.sqlite3")
        if os.path.exists(path):
            os.remove(path)
        return f"sqlite:///{path}"
    from bench.fees_data import database_recreate

    return database_recreate(server_url, name)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
