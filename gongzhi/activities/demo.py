"""Demo activities and care of a vacant home for ``seed_demo``.

A year of activities in the case compound across the categories — the case ran 73 in a year: car washing,
doormat and window-screen cleaning, festivals, elder care — most held, with sign-ups, check-ins and feedback;
one or two held earlier this month (so the month's calendar is not empty right after seeding); one upcoming
with its places taken and a waitlist; one upcoming for the elderly; a draft. The demo owner also owns
a vacant house, under weekly care, with a few visits — one found a leak, which opened a repair work order.

Past activities cannot be made through the services (they refuse a start in the past), so the rows are written
in bulk, with one audit event for the batch, as the other bulk paths do.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core import crypto
from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent as AuditEventModel
from gongzhi.estates.models import BindingStatus, Building, Compound, House, HouseBinding, HouseStatus, Relation
from gongzhi.voices.models import Channel, Kind, LocationKind
from gongzhi.voices.services.submit import voice_create

from .models import (
    Activity,
    ActivityCategory,
    ActivityStatus,
    Audience,
    CarePlan,
    CareSchedule,
    CareVisit,
    CareVisitItem,
    CheckinMethod,
    Feedback,
    Signup,
    SignupMode,
    SignupStatus,
)
from .services.care import care_tasks_ensure

Cat = ActivityCategory
# (title, category, place, hours, capacity, by_property, audience)
PROGRAMME: list[tuple[str, str, str, float, int, bool, str]] = [
    ("便民洗车", Cat.SERVICE, "地下车库入口", 3, 40, True, Audience.COMPOUND),
    ("免费清洗地垫", Cat.SERVICE, "中心广场", 2, 60, True, Audience.COMPOUND),
    ("上门清洗纱窗", Cat.SERVICE, "各楼栋", 4, 30, True, Audience.COMPOUND),
    ("磨刀修伞便民日", Cat.SERVICE, "南门广场", 3, 50, True, Audience.COMPOUND),
    ("义诊量血压", Cat.ELDERLY, "社区党群服务中心", 2, 40, False, Audience.ELDERLY),
    ("为高龄老人理发", Cat.ELDERLY, "社区活动室", 3, 20, False, Audience.ELDERLY),
    ("敬老助餐暖心行", Cat.ELDERLY, "长者食堂", 2, 30, True, Audience.ELDERLY),
    ("垃圾分类宣传", Cat.CIVILITY, "中心广场", 2, 30, False, Audience.COMPOUND),
    ("文明养犬倡议", Cat.CIVILITY, "北门", 2, 30, True, Audience.COMPOUND),
    ("反诈宣传进小区", Cat.CIVILITY, "社区党群服务中心", 2, 50, False, Audience.COMPOUND),
    ("楼道清理志愿行动", Cat.VOLUNTEER, "各楼栋", 3, 20, True, Audience.COMPOUND),
    ("护绿补种志愿活动", Cat.VOLUNTEER, "中心花园", 3, 20, True, Audience.COMPOUND),
    ("邻里读书会", Cat.OTHER, "社区图书角", 2, 25, False, Audience.COMPOUND),
]
FESTIVALS: list[tuple[int, int, str]] = [
    (1, 20, "迎新春写春联"),
    (2, 10, "元宵猜灯谜"),
    (6, 1, "端午包粽子"),
    (9, 15, "中秋邻里团圆宴"),
    (10, 11, "重阳敬老茶话会"),
    (12, 20, "冬至包饺子"),
]
COMMENTS = ["很方便，谢谢物业和社区", "希望多办几次", "工作人员很耐心", "孩子玩得很开心", "时间安排得很好", ""]
NEIGHBOURS = [
    "邻居刘阿姨",
    "邻居陈师傅",
    "邻居黄老师",
    "邻居杨大爷",
    "邻居吴女士",
    "邻居徐先生",
    "邻居马奶奶",
    "邻居朱同学",
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _neighbours(compound: Compound) -> list[User]:
    """A few demo residents with approved bindings to occupied houses (they sign up to activities)."""
    homes = list(
        House.objects.filter(compound=compound, status=HouseStatus.OCCUPIED)
        .exclude(bindings__status=BindingStatus.APPROVED)
        .order_by("building__sort_key", "unit__sort_key", "floor", "room")[5 : 5 + len(NEIGHBOURS)]
    )
    people: list[User] = []
    for n, (name, house) in enumerate(zip(NEIGHBOURS, homes, strict=False)):
        phone = f"1391000{n:04d}"
        user = User.objects.filter(phone_hash=crypto.phone_hash(phone)).first()
        if user is None:
            user = User.objects.create_user(phone, secrets.token_urlsafe(16), name=name)
        HouseBinding.objects.get_or_create(
            community_id=compound.community_id,
            house=house,
            user=user,
            defaults={"compound": compound, "relation": Relation.OWNER, "status": BindingStatus.APPROVED},
        )
        people.append(user)
    return people


def seed_activities(*, compound: Compound, secretary: User, manager: User, technician: User, owner: User) -> int:
    """The case compound's activities and one vacant home under care; returns the number of activities made
    (0 when already seeded)."""
    if Activity.objects.filter(compound=compound).exists():
        return 0
    today = timezone.localdate()
    people = [owner, *_neighbours(compound)]
    rows: list[Activity] = []
    # 67 programme activities spread over the past year, plus the six festivals = 73 held or cancelled
    start = today - datetime.timedelta(days=365)
    for i in range(67):
        title, category, place, hours, capacity, by_property, audience = PROGRAMME[i % len(PROGRAMME)]
        day = start + datetime.timedelta(days=5 + i * 5)
        begins = _at(day, 9 if i % 2 else 14)
        rows.append(
            Activity(
                community_id=compound.community_id,
                compound=compound,
                title=title,
                category=category,
                place=place,
                starts_at=begins,
                ends_at=begins + datetime.timedelta(hours=hours),
                capacity=capacity,
                by_community=True,
                by_property=by_property,
                audience=audience,
                status=ActivityStatus.CANCELLED if i == 20 else ActivityStatus.HELD,
                cancel_reason="暴雨预警，改期举办" if i == 20 else "",
                published_at=begins - datetime.timedelta(days=7),
                held_at=begins if i != 20 else None,
                cancelled_at=begins - datetime.timedelta(days=1) if i == 20 else None,
                checkin_nonce=secrets.token_hex(8),
                created_by=manager if by_property else secretary,
            )
        )
    for month, day_of_month, title in FESTIVALS:
        year = today.year if (month, day_of_month) < (today.month, today.day) else today.year - 1
        begins = _at(datetime.date(year, month, day_of_month), 15)
        rows.append(
            Activity(
                community_id=compound.community_id,
                compound=compound,
                title=title,
                category=Cat.FESTIVAL,
                place="社区党群服务中心",
                starts_at=begins,
                ends_at=begins + datetime.timedelta(hours=2),
                capacity=40,
                signup_mode=SignupMode.HOUSEHOLD,
                by_community=True,
                by_property=True,
                other_organizers="辖区共建单位",
                status=ActivityStatus.HELD,
                published_at=begins - datetime.timedelta(days=10),
                held_at=begins,
                checkin_nonce=secrets.token_hex(8),
                created_by=secretary,
            )
        )
    # held earlier this month (Asia/Shanghai), so that the month's calendar is not empty right after seeding
    for k, day in enumerate(sorted({today.replace(day=max(1, today.day - 6)), today - datetime.timedelta(days=1)})):
        if day.month != today.month or day >= today:
            continue  # seeded on the 1st: nothing earlier this month
        item = PROGRAMME[(k * 3) % len(PROGRAMME)]
        rows.append(_held(compound, _at(day, 9 if k else 14), item, manager=manager, secretary=secretary))
    # upcoming: one full with a waitlist, one for the elderly, one draft
    soon = _at(today + datetime.timedelta(days=5), 9)
    full = Activity(
        community_id=compound.community_id,
        compound=compound,
        title="便民洗车（本周六）",
        category=Cat.SERVICE,
        place="地下车库入口",
        starts_at=soon,
        ends_at=soon + datetime.timedelta(hours=3),
        capacity=4,
        by_property=True,
        status=ActivityStatus.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=2),
        checkin_nonce=secrets.token_hex(8),
        created_by=manager,
    )
    later = _at(today + datetime.timedelta(days=12), 9)
    elderly = Activity(
        community_id=compound.community_id,
        compound=compound,
        title="义诊量血压",
        category=Cat.ELDERLY,
        place="社区党群服务中心",
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=2),
        capacity=30,
        audience=Audience.ELDERLY,
        status=ActivityStatus.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=1),
        checkin_nonce=secrets.token_hex(8),
        created_by=secretary,
    )
    draft = Activity(
        community_id=compound.community_id,
        compound=compound,
        title="元旦邻里联欢会",
        category=Cat.FESTIVAL,
        place="社区党群服务中心",
        starts_at=_at(today + datetime.timedelta(days=30), 15),
        ends_at=_at(today + datetime.timedelta(days=30), 17),
        capacity=80,
        status=ActivityStatus.DRAFT,
        checkin_nonce=secrets.token_hex(8),
        created_by=secretary,
    )
    rows += [full, elderly, draft]
    Activity.objects.bulk_create(rows)
    saved = list(Activity.objects.filter(compound=compound).order_by("starts_at", "id"))
    first_building = Building.objects.filter(compound=compound).order_by("sort_key").first()
    signups: list[Signup] = []
    feedback: list[Feedback] = []
    for n, activity in enumerate(saved):
        if activity.status == ActivityStatus.HELD:
            for k, user in enumerate(people[: 3 + n % (len(people) - 2)]):
                came = (n + k) % 4 != 0
                signups.append(
                    Signup(
                        community_id=compound.community_id,
                        activity=activity,
                        user=user,
                        party_size=1 + (k % 3 if activity.signup_mode == SignupMode.HOUSEHOLD else 0),
                        is_elderly=activity.audience == Audience.ELDERLY,
                        status=SignupStatus.CONFIRMED,
                        checked_in_at=activity.starts_at + datetime.timedelta(minutes=k) if came else None,
                        checkin_method=(CheckinMethod.QR if k % 3 else CheckinMethod.STAFF) if came else "",
                    )
                )
                if came and (n + k) % 3 == 0:
                    feedback.append(
                        Feedback(
                            community_id=compound.community_id,
                            activity=activity,
                            user=user,
                            rating=5 - (n + k) % 2,
                            comment=COMMENTS[(n + k) % len(COMMENTS)],
                        )
                    )
        elif activity.pk == full.pk or activity.title == full.title:
            for k, user in enumerate(people[:6]):
                signups.append(
                    Signup(
                        community_id=compound.community_id,
                        activity=activity,
                        user=user,
                        status=SignupStatus.CONFIRMED if k < 4 else SignupStatus.WAITLISTED,
                    )
                )
    Signup.objects.bulk_create(signups)
    Feedback.objects.bulk_create(feedback)
    if first_building is not None:
        summer = next((a for a in saved if a.title == "楼道清理志愿行动"), None)
        if summer is not None:
            summer.audience = Audience.BUILDINGS
            summer.save(update_fields=["audience"])
            summer.buildings.set([first_building])
    audit_record(
        actor=None,
        verb="demo.seed_activities",
        object_type="activities.activity",
        object_id=compound.pk,
        community_id=compound.community_id,
        after={"activities": len(saved), "signups": len(signups), "feedback": len(feedback)},
    )
    seed_care(compound=compound, owner=owner, technician=technician)
    return len(saved)


def seed_care(*, compound: Compound, owner: User, technician: User) -> CarePlan | None:
    """The demo owner's second house — vacant — under weekly care, with four visits; the last found a leak."""
    house = (
        House.objects.filter(compound=compound, status=HouseStatus.VACANT)
        .exclude(bindings__status__in=[BindingStatus.APPROVED, BindingStatus.PENDING])
        .order_by("building__sort_key", "unit__sort_key", "floor", "room")
        .first()
    )
    if house is None:
        return None
    HouseBinding.objects.get_or_create(
        community_id=compound.community_id,
        house=house,
        user=owner,
        defaults={"compound": compound, "relation": Relation.OWNER, "status": BindingStatus.APPROVED},
    )
    tasks = care_tasks_ensure(compound)
    today = timezone.localdate()
    first = today - datetime.timedelta(days=28)
    plan = CarePlan.objects.create(
        community_id=compound.community_id,
        compound=compound,
        house=house,
        owner=owner,
        schedule=CareSchedule.WEEKLY,
        note="钥匙已交物业前台；阳台有两盆绿萝",
        starts_on=first,
        next_due_on=today + datetime.timedelta(days=2),
    )
    plan.tasks.set(tasks[:4])
    names = [t.name for t in tasks[:4]]
    visits = [
        (first, "一切正常，已开窗通风 30 分钟", ""),
        (first + datetime.timedelta(days=7), "绿萝已浇水，水电表读数正常", ""),
        (first + datetime.timedelta(days=14), "一切正常", ""),
        (today - datetime.timedelta(days=5), "", "卫生间天花板有渗水痕迹，疑似楼上水管渗漏"),
    ]
    for day, note, problem in visits:
        visit = CareVisit.objects.create(
            community_id=compound.community_id,
            plan=plan,
            visited_on=day,
            visited_by=technician,
            note=note,
            problem=problem,
        )
        CareVisitItem.objects.bulk_create(
            [
                CareVisitItem(community_id=compound.community_id, visit=visit, task_name=name, done=True)
                for name in names
            ]
        )
        if problem:
            visit.voice = voice_create(
                compound=compound,
                author=owner,
                channel=Channel.APP,
                kind=Kind.REPAIR,
                text=f"空置房照看时发现：{problem}",
                category=None,
                location_kind=LocationKind.OWN_HOUSE,
                house=house,
                building=house.building,
                now=_at(day, 10),
            )
            visit.save(update_fields=["voice"])
    audit_record(
        actor=None,
        verb="demo.seed_care",
        obj=plan,
        community_id=compound.community_id,
        after={"house": house.pk, "visits": len(visits)},
    )
    return plan


def seed_activity_history(
    *,
    compound: Compound,
    secretary: User,
    manager: User,
    people: list[User],
    years: list[tuple[datetime.date, datetime.date, int]],
) -> int:
    """Activities of earlier years for the insights story, written in bulk like ``seed_activities``: for each
    (start, end, count) the year's festivals and programme activities spread over [start, end), all held, with
    sign-ups, check-ins and some feedback from ``people``; returns how many were made (0 when done before)."""
    verb = "demo.activity_history"
    if not people or AuditEventModel.objects.filter(verb=verb, object_id=str(compound.pk)).exists():
        return 0
    rows: list[Activity] = []
    for start, end, count in years:
        festivals = [
            (datetime.date(start.year, m, d), title)
            for m, d, title in FESTIVALS
            if start <= datetime.date(start.year, m, d) < end
        ]
        programme = max(0, count - len(festivals))
        step = max(1, (end - start).days // max(1, programme))
        plan: list[tuple[datetime.date, tuple[str, str, str, float, int, bool, str]]] = [
            (day, (title, Cat.FESTIVAL, "社区党群服务中心", 2, 40, True, Audience.COMPOUND)) for day, title in festivals
        ]
        plan += [
            (start + datetime.timedelta(days=2 + i * step), PROGRAMME[i % len(PROGRAMME)]) for i in range(programme)
        ]
        for i, (day, item) in enumerate(plan):
            rows.append(_held(compound, _at(day, 9 if i % 2 else 14), item, manager=manager, secretary=secretary))
    made = Activity.objects.bulk_create(rows)
    signups: list[Signup] = []
    feedback: list[Feedback] = []
    for n, activity in enumerate(made):
        for k, user in enumerate(people[n % 7 : n % 7 + 4 + n % 9]):
            came = (n + k) % 5 != 0
            signups.append(
                Signup(
                    community_id=compound.community_id,
                    activity=activity,
                    user=user,
                    is_elderly=activity.audience == Audience.ELDERLY,
                    status=SignupStatus.CONFIRMED,
                    checked_in_at=activity.starts_at + datetime.timedelta(minutes=k) if came else None,
                    checkin_method=(CheckinMethod.QR if k % 3 else CheckinMethod.STAFF) if came else "",
                )
            )
            if came and (n + k) % 4 == 0:
                feedback.append(
                    Feedback(
                        community_id=compound.community_id,
                        activity=activity,
                        user=user,
                        rating=5 - (n + k) % 2,
                        comment=COMMENTS[(n + k) % len(COMMENTS)],
                    )
                )
    Signup.objects.bulk_create(signups)
    Feedback.objects.bulk_create(feedback)
    audit_record(
        actor=None,
        verb=verb,
        object_type="estates.compound",
        object_id=compound.pk,
        community_id=compound.community_id,
        after={"activities": len(made), "signups": len(signups), "feedback": len(feedback)},
    )
    return len(made)


def _held(compound: Compound, begins: datetime.datetime, item: Any, *, manager: User, secretary: User) -> Activity:
    """A held activity of the programme (``PROGRAMME`` entry), starting at ``begins``."""
    title, category, place, hours, capacity, by_property, audience = item
    return Activity(
        community_id=compound.community_id,
        compound=compound,
        title=title,
        category=category,
        place=place,
        starts_at=begins,
        ends_at=begins + datetime.timedelta(hours=hours),
        capacity=capacity,
        by_community=True,
        by_property=by_property,
        audience=audience,
        status=ActivityStatus.HELD,
        published_at=begins - datetime.timedelta(days=7),
        held_at=begins,
        checkin_nonce=secrets.token_hex(8),
        created_by=manager if by_property else secretary,
    )
