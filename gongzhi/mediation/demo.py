"""Demo mediation for ``seed_demo``: cases of the demo compound in different states — closed with an agreement
that a follow-up found kept, in mediation with a session tomorrow, just opened, and referred to court — and a
security incident the police station acknowledged; made through the services, so timelines and audit are real."""

from __future__ import annotations

import datetime

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.estates.models import Compound, House, HouseStatus

from . import services
from .models import Capacity, Case, Outcome, PartyKind
from .selectors import serving_stations


def _label(house: House) -> str:
    return f"{house.building.name}{house.unit.name}{house.room}"


def seed_mediation(
    *,
    compound: Compound,
    secretary: User,
    grid_worker: User,
    officer: User,
    lawyer: User,
    reporter: User,
    home: House | None,
) -> int:
    """Returns the number of cases made (0 when the compound already has some)."""
    if Case.objects.filter(compound=compound).exists():
        return 0
    others = House.objects.filter(compound=compound, status=HouseStatus.OCCUPIED)
    if home is not None:
        others = others.exclude(pk=home.pk)
    houses = list(
        others.select_related("building", "unit").order_by("building__sort_key", "unit__sort_key", "floor", "room")[:6]
    )
    if len(houses) < 4:
        return 0
    first = home or houses[0]
    now = timezone.now()
    ago = now - datetime.timedelta(days=40)

    # 1. A leak between floors, closed with an agreement 35 days ago; the 7-day visit found it kept.
    leak = services.case_open(
        actor=grid_worker,
        compound=compound,
        case_type="leak",
        title="楼上卫生间漏水",
        description="楼上卫生间防水老化，楼下天花板渗水发霉，双方多次协商未果。",
        place=_label(first),
        parties=[
            services.PartyInput(kind=PartyKind.HOUSEHOLD, house=_label(first)),
            services.PartyInput(kind=PartyKind.HOUSEHOLD, house=_label(houses[1])),
        ],
        now=ago,
    )
    services.mediator_assign(actor=secretary, case=leak, user_id=lawyer.pk, capacity=Capacity.LAWYER, now=ago)
    services.agreement_record(
        actor=grid_worker,
        case=leak,
        terms="一、楼上住户于七日内请专业人员重做卫生间防水。\n二、楼上住户承担楼下天花板修补费用 800 元。",
        now=ago,
    )
    signed_at = now - datetime.timedelta(days=35)
    services.agreement_sign(actor=grid_worker, case=leak, signed_on=timezone.localdate(signed_at), now=signed_at)
    services.case_close(actor=grid_worker, case=leak, outcome=Outcome.AGREEMENT, now=signed_at)
    visit = now - datetime.timedelta(days=27)
    services.follow_up_record(
        actor=grid_worker,
        case=leak,
        kept=True,
        visited_on=timezone.localdate(visit),
        note="防水已重做，天花板已修补。",
        now=visit,
    )

    # 2. A parking dispute in mediation, with a session tomorrow evening.
    parking = services.case_open(
        actor=grid_worker,
        compound=compound,
        case_type="parking",
        title="车位被长期占用",
        description="业主固定车位被邻居车辆长期占用。",
        place="地下车库",
        parties=[
            services.PartyInput(kind=PartyKind.HOUSEHOLD, house=_label(houses[2])),
            services.PartyInput(kind=PartyKind.HOUSEHOLD, house=_label(houses[3])),
        ],
    )
    services.mediator_assign(actor=secretary, case=parking, user_id=officer.pk, capacity=Capacity.OFFICER)
    tomorrow = timezone.localtime(now + datetime.timedelta(days=1)).replace(hour=19, minute=0, second=0, microsecond=0)
    services.session_schedule(
        actor=grid_worker,
        case=parking,
        starts_at=tomorrow,
        place="社区人民调解室",
        invited=list(parking.parties.values_list("pk", flat=True)),
    )

    # 3. Just opened: renovation noise.
    services.case_open(
        actor=grid_worker,
        compound=compound,
        case_type="noise",
        title="周末早上装修噪音",
        description="周末早上七点开始装修电钻声。",
        parties=[services.PartyInput(kind=PartyKind.HOUSEHOLD, house=_label(houses[4 % len(houses)]))],
    )

    # 4. A fee dispute with the property company, failed and referred to court.
    fees = services.case_open(
        actor=secretary,
        compound=compound,
        case_type="fees",
        title="物业费收费标准争议",
        description="业主认为公摊面积计算有误，拒绝缴纳物业费。",
        parties=[
            services.PartyInput(kind=PartyKind.HOUSEHOLD, house=_label(houses[5 % len(houses)])),
            services.PartyInput(kind=PartyKind.COMPANY),
        ],
        now=now - datetime.timedelta(days=20),
    )
    services.mediator_assign(
        actor=secretary, case=fees, user_id=lawyer.pk, capacity=Capacity.LAWYER, now=now - datetime.timedelta(days=20)
    )
    services.case_close(
        actor=secretary,
        case=fees,
        outcome=Outcome.REFERRED,
        note="双方分歧较大，建议通过诉讼解决。",
        referred_to="court",
        referred_where="汉阳区人民法院",
        referred_on=timezone.localdate(now - datetime.timedelta(days=5)),
        now=now - datetime.timedelta(days=5),
    )

    # A security incident, reported by the property company and acknowledged by the station.
    station = serving_stations(compound).first()
    if station is not None:
        incident = services.incident_report(
            actor=reporter,
            compound=compound,
            station_id=station.pk,
            kind="theft",
            description="地下车库一辆电动自行车被盗，监控已调取。",
            place="地下车库 B 区",
            occurred_at=now - datetime.timedelta(hours=6),
        )
        services.incident_acknowledge(actor=officer, incident=incident, note="已派民警到场查看。")
    return Case.objects.filter(compound=compound).count()
