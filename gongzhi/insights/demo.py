"""The demo's history, so that the KPIs tell the case's story (``seed_demo`` calls ``seed_insights`` last).

The case compound (jshy) was delivered in 2023 into open conflict with its property company: in 2024 residents
raised about 150 complaints — unit doors and access control, lobby lighting, the uneven landscaping of phase I
and II, parking, noise, a fee that did not match the service — most answered late. The "三联三共" system took
hold in 2025: joint meetings, action items done, the fee dispute settled with published accounts. Complaints fell
about 80% (152 → 30), praise rose about 170% (15 → 41), response, resolution and satisfaction rose, and the
current-period fee collection went from about 70% to about 88%, with more arrears recovered. 2026 to date
continues the trend. The peers delivered at the same time (jcym, hjw) stay where they were: complaints steady,
satisfaction around 60%, collection around 60%.

What each app writes is in its own demo module (``voices.demo.seed_voice_history``,
``finance.demo.seed_fee_history``, ``meetings.demo.seed_meeting_history``); this module holds the story's
figures, the residents who raise the voices and the staff of the peer property companies. Deterministic (seeded
random numbers) and idempotent: each part has its marker and is skipped when present.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from gongzhi.accounts.models import Membership, Organization, User
from gongzhi.accounts.roles import Role
from gongzhi.core import crypto
from gongzhi.estates.demo.estate import _name
from gongzhi.estates.models import BindingStatus, Compound, House, HouseBinding, HouseStatus, Relation
from gongzhi.finance.demo import FeeYear, seed_fee_history
from gongzhi.voices.demo import VoiceYear, seed_voice_history

D = datetime.date

# What residents complain about: the case's problems first (doors and lighting are 设施维修).
COMPLAINTS_BEFORE = (
    ("设施维修", 34),
    ("绿化环境", 18),
    ("停车交通", 15),
    ("物业服务", 12),
    ("噪音扰民", 9),
    ("物业收费", 6),
    ("环境卫生", 4),
    ("教育配套", 1),
    ("公共交通", 1),
)
COMPLAINTS_AFTER = (
    ("噪音扰民", 8),
    ("停车交通", 7),
    ("设施维修", 6),
    ("环境卫生", 5),
    ("绿化环境", 3),
    ("物业服务", 2),
    ("其他", 2),
)
SUGGESTIONS = (("公共交通", 3), ("教育配套", 2), ("物业服务", 3), ("绿化环境", 2), ("其他", 2))
REPAIRS = (("设施维修", 9), ("其他", 1))
CATEGORIES_BEFORE = {"complaint": COMPLAINTS_BEFORE, "suggestion": SUGGESTIONS, "repair": REPAIRS}
CATEGORIES_AFTER = {"complaint": COMPLAINTS_AFTER, "suggestion": SUGGESTIONS, "repair": REPAIRS}


@dataclass(frozen=True)
class Handling:
    """How well a compound's voices were handled in a year (see ``VoiceYear``)."""

    responded: float
    on_time: float
    late_days: int
    rated: float
    scores: tuple[float, float]
    reopened: float
    stuck: float = 0.0


def _counts(complaint: int, suggestion: int, praise: int, request: int, repair: int, enquiry: int) -> dict[str, int]:
    return {
        "complaint": complaint,
        "suggestion": suggestion,
        "praise": praise,
        "request": request,
        "repair": repair,
        "enquiry": enquiry,
    }


# code → year → (voices of each kind in the whole year, categories, handling, fee year)
STORY: dict[str, dict[int, tuple[dict[str, int], dict[str, tuple[tuple[str, int], ...]], Handling, FeeYear]]] = {
    "jshy": {
        2023: (
            _counts(75, 22, 2, 16, 120, 30),
            CATEGORIES_BEFORE,
            Handling(0.70, 0.62, 40, 0.55, (0.26, 0.28), 0.3, 0.22),
            FeeYear("2023", 0.62, (0.15, 0.35, 0.30)),
        ),
        2024: (
            _counts(152, 48, 15, 40, 260, 45),
            CATEGORIES_BEFORE,
            Handling(0.78, 0.70, 45, 0.6, (0.30, 0.30), 0.3, 0.18),
            FeeYear("2024", 0.70, (0.45, 0.30)),
        ),
        2025: (
            _counts(30, 62, 41, 45, 210, 40),
            CATEGORIES_AFTER,
            Handling(0.97, 0.93, 6, 0.65, (0.72, 0.22), 0.5, 0.01),
            FeeYear("2025", 0.88, (0.50,)),
        ),
        2026: (
            _counts(24, 55, 48, 40, 190, 36),
            CATEGORIES_AFTER,
            Handling(0.98, 0.95, 5, 0.66, (0.76, 0.20), 0.5, 0.01),
            FeeYear("2026", 0.86),
        ),
    },
    "jcym": {
        2023: (
            _counts(40, 10, 2, 8, 70, 15),
            CATEGORIES_BEFORE,
            Handling(0.72, 0.66, 30, 0.5, (0.28, 0.30), 0.2, 0.1),
            FeeYear("2023", 0.62, (0.10, 0.10)),
        ),
        2024: (
            _counts(72, 20, 6, 18, 125, 25),
            CATEGORIES_BEFORE,
            Handling(0.74, 0.68, 30, 0.5, (0.28, 0.31), 0.2, 0.1),
            FeeYear("2024", 0.65, (0.10, 0.08)),
        ),
        2025: (
            _counts(69, 19, 5, 19, 120, 24),
            CATEGORIES_BEFORE,
            Handling(0.73, 0.67, 30, 0.5, (0.28, 0.30), 0.2, 0.1),
            FeeYear("2025", 0.64, (0.09,)),
        ),
        2026: (
            _counts(66, 18, 5, 18, 118, 22),
            CATEGORIES_BEFORE,
            Handling(0.72, 0.66, 30, 0.5, (0.27, 0.30), 0.2, 0.1),
            FeeYear("2026", 0.61),
        ),
    },
    "hjw": {
        2023: (
            _counts(35, 8, 1, 6, 60, 12),
            CATEGORIES_BEFORE,
            Handling(0.70, 0.64, 35, 0.5, (0.26, 0.30), 0.2, 0.12),
            FeeYear("2023", 0.60, (0.08, 0.08)),
        ),
        2024: (
            _counts(58, 15, 4, 14, 100, 20),
            CATEGORIES_BEFORE,
            Handling(0.71, 0.65, 35, 0.5, (0.26, 0.30), 0.2, 0.12),
            FeeYear("2024", 0.62, (0.08, 0.06)),
        ),
        2025: (
            _counts(63, 14, 3, 15, 98, 19),
            CATEGORIES_BEFORE,
            Handling(0.68, 0.62, 40, 0.5, (0.25, 0.30), 0.2, 0.13),
            FeeYear("2025", 0.59, (0.07,)),
        ),
        2026: (
            _counts(64, 14, 3, 14, 95, 18),
            CATEGORIES_BEFORE,
            Handling(0.67, 0.60, 40, 0.5, (0.24, 0.30), 0.2, 0.13),
            FeeYear("2026", 0.56),
        ),
    },
}
RATES = {"jshy": "2.50", "jcym": "2.20", "hjw": "2.00"}
# Activities held per year (the case: 73 in 2025), counting those the activities demo already holds.
ACTIVITIES = {"jshy": {2024: 24, 2025: 73}, "jcym": {2024: 6, 2025: 8}, "hjw": {2024: 4, 2025: 5}}
AUTHORS_PER_COMPOUND = 40
# Staff of the peer property companies (no demo log-in: their passwords are unusable).
PEER_STAFF = {
    "jcym": (("锦程物业客服吴", Role.CUSTOMER_SERVICE), ("锦程物业财务郑", Role.FINANCE)),
    "hjw": (("汉江物业客服陈", Role.CUSTOMER_SERVICE), ("汉江物业财务钱", Role.FINANCE)),
}


def _user(phone: str, name: str) -> User:
    """A plain user with no usable password (the demo prints no log-in for them)."""
    user = User.objects.filter(phone_hash=crypto.phone_hash(phone)).first()
    if user is None:
        user = User.objects.create_user(phone, None, name=name)
    return user


def _authors(compound: Compound, k: int) -> list[User]:
    """Residents who raise the history's voices: owners of houses occupied since 2023, with approved bindings."""
    rng = random.Random(1000 + k)  # noqa: S311 - a repeatable demo, not a secret
    homes = list(
        House.objects.filter(
            compound=compound, status__in=(HouseStatus.OCCUPIED, HouseStatus.RENTED), moved_in_on__lte=D(2023, 12, 31)
        )
        .exclude(bindings__isnull=False)
        .order_by("-id")[:AUTHORS_PER_COMPOUND]
    )
    people: list[User] = []
    for n, house in enumerate(homes):
        user = _user(f"13921{k}{n:05d}", _name(rng))
        HouseBinding.objects.get_or_create(
            community_id=compound.community_id,
            house=house,
            user=user,
            defaults={
                "compound": compound,
                "relation": Relation.OWNER,
                "status": BindingStatus.APPROVED,
                "decided_at": timezone.make_aware(datetime.datetime(2023, 12, 20, 10, 0)),
            },
        )
        people.append(user)
    if not people:  # seeded before: the same residents
        prefix = {crypto.phone_hash(f"13921{k}{n:05d}") for n in range(AUTHORS_PER_COMPOUND)}
        people = list(User.objects.filter(phone_hash__in=prefix).order_by("id"))
    return people


def _staff(compound: Compound, k: int) -> dict[str, User]:
    """The peer property company's customer service and finance staff (members of the company)."""
    company = compound.property_company
    out: dict[str, User] = {}
    for m, (name, role) in enumerate(PEER_STAFF.get(compound.code, ())):
        user = _user(f"139290{k}{m:04d}", name)
        if company is not None:
            Membership.objects.get_or_create(user=user, organization=company, role=role)
        out[role] = user
    return out


def _years(code: str, today: datetime.date, delivered: datetime.date) -> list[tuple[VoiceYear, FeeYear]]:
    out: list[tuple[VoiceYear, FeeYear]] = []
    for year, (counts, categories, h, fees) in STORY[code].items():
        start = max(D(year, 1, 1), delivered + datetime.timedelta(days=20))
        end = min(D(year + 1, 1, 1), today)
        if start >= end:
            continue
        share = (end - start).days / (D(year + 1, 1, 1) - D(year, 1, 1)).days
        scaled = {kind: round(n * share) if end < D(year + 1, 1, 1) else n for kind, n in counts.items()}
        out.append(
            (
                VoiceYear(
                    start=start,
                    end=end,
                    counts=scaled,
                    categories=categories,
                    responded=h.responded,
                    on_time=h.on_time,
                    late_days=h.late_days,
                    rated=h.rated,
                    scores=h.scores,
                    reopened=h.reopened,
                    stuck=h.stuck,
                ),
                fees,
            )
        )
    return out


def _activities(compound: Compound, today: datetime.date, secretary: User, manager: User, people: list[User]) -> int:
    """Fill each earlier year up to its number of activities (``ACTIVITIES``), before what the activities demo
    holds (its past year)."""
    from gongzhi.activities.demo import seed_activity_history
    from gongzhi.activities.models import Activity

    held = Activity.objects.filter(compound=compound)
    first = held.order_by("starts_at").values_list("starts_at", flat=True).first()
    before = timezone.localtime(first).date() if first is not None else today
    years: list[tuple[datetime.date, datetime.date, int]] = []
    for year, target in ACTIVITIES.get(compound.code, {}).items():
        start, end = D(year, 1, 1), min(D(year + 1, 1, 1), before)
        if start < end:
            years.append((start, end, max(0, target - held.filter(starts_at__year=year).count())))
    return seed_activity_history(compound=compound, secretary=secretary, manager=manager, people=people, years=years)


def seed_insights(
    *,
    case: Compound,
    peers: list[Compound],
    handler: User,
    keeper: User,
    secretary: User,
    manager: User,
    technician: User,
    representative: User,
    departments: dict[str, tuple[Organization, User]],
) -> dict[str, int]:
    """Write the story's history for the case compound and its peers; returns what was written per part."""
    from gongzhi.meetings.demo import seed_meeting_history

    today = timezone.localdate()
    made = {"voices": 0, "payments": 0, "meetings": 0, "activities": 0}
    for k, compound in enumerate([case, *peers]):
        assert compound.delivered_on is not None
        years = _years(compound.code, today, compound.delivered_on)
        authors = _authors(compound, k)
        staff = {} if compound.pk == case.pk else _staff(compound, k)
        made["voices"] += seed_voice_history(
            compound=compound,
            authors=authors,
            handler=handler if compound.pk == case.pk else staff[Role.CUSTOMER_SERVICE],
            years=[v for v, _f in years],
            departments=departments if compound.pk == case.pk else None,
            seed=100 + k,
        )
        made["payments"] += seed_fee_history(
            compound=compound,
            keeper=keeper if compound.pk == case.pk else staff[Role.FINANCE],
            rate=RATES.get(compound.code, "2.00"),
            years=[f for _v, f in years if f.period.isdigit()],
            seed=200 + k,
        )
        made["activities"] += _activities(
            compound, today, secretary, staff.get(Role.CUSTOMER_SERVICE, manager), authors
        )
    made["meetings"] = seed_meeting_history(
        compound=case, secretary=secretary, manager=manager, technician=technician, representative=representative
    )
    made["honours"] = _honours(case)
    if any(made.values()):
        made["rollups"] = _rollups()
    return made


def _honours(case: Compound) -> int:
    """The case compound's honours, as the case report gives them."""
    from .models import Honour

    made = 0
    for year, title in ((2023, "汉阳区最美小区"), (2025, "汉阳区物业服务红榜小区")):
        _honour, created = Honour.objects.get_or_create(
            compound=case,
            year=year,
            title=title,
            defaults={"community_id": case.community_id, "awarded_by": "汉阳区"},
        )
        made += created
    return made


def _rollups() -> int:
    """The rollups the pages read (months, quarters, years of every compound), so that the dashboards, the red list
    and the report show the story right after seeding; the worker's sweep keeps them up to date from here."""
    from .periods import MONTH, QUARTER, YEAR
    from .rollups import rollups_rebuild

    return rollups_rebuild(compounds=list(Compound.objects.order_by("pk")), grains=(MONTH, QUARTER, YEAR))
