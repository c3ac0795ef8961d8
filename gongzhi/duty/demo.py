"""Demo duty posts for ``seed_demo``: the case compound's school-safety post (护学岗) at the primary school gate,
the school year's holiday calendar, the current term's roster — the community police officer, property staff
and resident volunteers, with some shifts still short of people — and check-ins on the past shifts.

The roster is written in bulk (a term is a few hundred rows) with one audit event per post, as bulk paths do;
nobody is sent a notification for each demo shift.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core import crypto
from gongzhi.core.audit import audit_record
from gongzhi.estates.models import BindingStatus, Compound, House, HouseBinding, HouseStatus, Relation

from . import services
from .models import Assignment, DayKind, DutyPost, NameDisplay, PostKind, ServeKind, Shift, Volunteer, VolunteerStatus

DEMO_VOLUNTEERS = [("13800000111", "退休教师王阿姨"), ("13800000112", "志愿者小陈")]


def school_year_start(today: datetime.date) -> datetime.date:
    return datetime.date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def _calendar(compound: Compound, actor: User, start: datetime.date) -> None:
    y = start.year
    national_day_end = datetime.date(y, 10, 7)
    make_up = national_day_end + datetime.timedelta(days=(5 - national_day_end.weekday()) % 7 or 7)
    for kind, name, first, last, as_weekday in [
        (DayKind.HOLIDAY, "国庆节", datetime.date(y, 10, 1), national_day_end, 0),
        (DayKind.WORKDAY, "国庆调休上课", make_up, make_up, 4),
        (DayKind.HOLIDAY, "元旦", datetime.date(y + 1, 1, 1), datetime.date(y + 1, 1, 1), 0),
        (DayKind.VACATION, "寒假", datetime.date(y + 1, 1, 23), datetime.date(y + 1, 2, 21), 0),
        (DayKind.HOLIDAY, "劳动节", datetime.date(y + 1, 5, 1), datetime.date(y + 1, 5, 5), 0),
        (DayKind.VACATION, "暑假", datetime.date(y + 1, 7, 10), datetime.date(y + 1, 8, 31), 0),
    ]:
        services.calendar_day_add(
            actor=actor, compound=compound, kind=kind, name=name, first_day=first, last_day=last, as_weekday=as_weekday
        )


def _demo_volunteers(compound: Compound, resident: User) -> list[User]:
    """The demo resident and two more residents of occupied houses, each on the volunteer register."""
    people = [resident]
    houses = list(
        House.objects.filter(compound=compound, status=HouseStatus.OCCUPIED)
        .exclude(bindings__isnull=False)
        .order_by("building__sort_key", "unit__sort_key", "floor", "room")[: len(DEMO_VOLUNTEERS)]
    )
    for (phone, name), house in zip(DEMO_VOLUNTEERS, houses, strict=False):
        user = User.objects.filter(phone_hash=crypto.phone_hash(phone)).first()
        if user is None:
            user = User.objects.create_user(phone, None, name=name)
        HouseBinding.objects.get_or_create(
            community_id=compound.community_id,
            compound=compound,
            house=house,
            user=user,
            defaults={"relation": Relation.OWNER, "status": BindingStatus.APPROVED, "decided_at": timezone.now()},
        )
        people.append(user)
    for i, person in enumerate(people):
        Volunteer.objects.get_or_create(
            community_id=compound.community_id,
            compound=compound,
            user=person,
            defaults={
                "status": VolunteerStatus.ACTIVE,
                "skills": ["交通疏导", "急救证", "摄影宣传"][i % 3],
                "availability": ["工作日早上", "周二周四", "周五下午"][i % 3],
                "name_display": NameDisplay.FULL if i == 1 else NameDisplay.MASKED,
                "created_by": person,
            },
        )
    return people


def seed_duty(*, compound: Compound, secretary: User, officer: User, property_staff: list[User], resident: User) -> int:
    """The school-safety post with this term's roster; returns the number of shifts (0 when already seeded)."""
    if DutyPost.objects.filter(compound=compound).exists():
        return 0
    today = timezone.localdate()
    start = school_year_start(today)
    _calendar(compound, secretary, start)
    post = services.post_create(
        actor=secretary,
        compound=compound,
        name="五里小学护学岗",
        kind=PostKind.SCHOOL_SAFETY,
        place="五里小学南门（小区东门对面）",
        min_officers=1,
        min_property=1,
        min_volunteers=1,
        places=4,
        weekdays=[0, 1, 2, 3, 4],
        times=[(datetime.time(7, 20), datetime.time(8, 0)), (datetime.time(16, 30), datetime.time(17, 30))],
    )
    term_end = datetime.date(start.year + 1, 1, 22)
    if today > term_end:  # the spring term
        term_end = datetime.date(start.year + 1, 7, 9)
    services.rosters_generate(actor=secretary, posts=[post], first_day=start, last_day=term_end)
    volunteers = _demo_volunteers(compound, resident)
    now = timezone.now()
    rows: list[Assignment] = []
    for n, shift in enumerate(Shift.objects.filter(post=post, cancelled=False).order_by("starts_at")):
        morning = timezone.localtime(shift.starts_at).hour < 12
        weekday = shift.date.weekday()
        crew: list[tuple[User, str]] = []
        # the officer every morning and Monday to Thursday afternoons; property staff take turns
        if morning or weekday < 4:
            crew.append((officer, ServeKind.OFFICER))
        crew.append((property_staff[n % len(property_staff)], ServeKind.PROPERTY))
        # volunteers: the demo resident Monday and Wednesday mornings, the others on their days; Friday
        # afternoons and every third Tuesday afternoon stay uncovered
        if morning and weekday in (0, 2):
            crew.append((volunteers[0], ServeKind.VOLUNTEER))
        elif len(volunteers) > 1 and weekday in (1, 3) and not (not morning and n % 3 == 0):
            crew.append((volunteers[1], ServeKind.VOLUNTEER))
        elif len(volunteers) > 2 and weekday == 4 and morning:
            crew.append((volunteers[2], ServeKind.VOLUNTEER))
        for person, kind in crew:
            past = shift.ends_at < now
            came = past and n % 9 != 4
            rows.append(
                Assignment(
                    community_id=shift.community_id,
                    shift=shift,
                    user=person,
                    kind=kind,
                    starts_at=shift.starts_at,
                    ends_at=shift.ends_at,
                    checked_in_at=shift.starts_at - datetime.timedelta(minutes=5) if came else None,
                    checked_out_at=shift.ends_at + datetime.timedelta(minutes=3) if came else None,
                    reminded_at=shift.starts_at - datetime.timedelta(hours=12) if past else None,
                    assigned_by=secretary,
                )
            )
    Assignment.objects.bulk_create(rows, batch_size=1000)
    audit_record(
        actor=secretary,
        verb="duty.roster_seed",
        obj=post,
        community_id=post.community_id,
        after={"assignments": len(rows), "first_day": start, "last_day": term_end},
    )
    return Shift.objects.filter(post=post).count()
