"""Demo voices for ``seed_demo``: one resident's voices at every stage, raised and handled through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from gongzhi.accounts.models import Organization, User
from gongzhi.estates.models import Compound, House

from . import services
from .models import Category, Kind, LocationKind, Score, Voice


def seed_voices(*, compound: Compound, author: User, handler: User, convener: User, transport: Organization) -> int:
    """Raise and handle a handful of voices, back-dated so deadlines and the timeline look lived-in."""
    if Voice.objects.filter(compound=compound).exists():
        return 0
    house = House.objects.filter(bindings__user=author, compound=compound).first()
    now = timezone.now()

    def ago(days: float) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    def raise_voice(
        kind: str,
        text: str,
        category: str,
        days: float,
        *,
        public: bool = True,
        location_kind: str = LocationKind.PUBLIC_AREA,
        house: House | None = None,
        praised_organization: Organization | None = None,
    ) -> Voice:
        return services.voice_submit(
            author=author,
            compound=compound,
            kind=kind,
            text=text,
            category=Category.objects.filter(name=category).first(),
            location_kind=location_kind,
            house=house,
            is_public=public,
            praised_organization=praised_organization,
            now=ago(days),
        )

    closed = raise_voice(Kind.COMPLAINT, "3栋门口垃圾桶满了没人清运，气味很大", "环境卫生", 20)
    services.voice_accept(actor=handler, voice=closed, now=ago(19.9))
    services.voice_resolve(actor=handler, voice=closed, reply="已安排保洁每天早晚各清运一次。", now=ago(19))
    services.voice_rate(actor=author, voice=closed, score=Score.SATISFIED, comment="处理很快", now=ago(18))

    bus = raise_voice(Kind.SUGGESTION, "希望开通到地铁站的定制公交，早高峰太难打车", "公共交通", 10)
    services.voice_accept(actor=convener, voice=bus, now=ago(9.8))
    services.voice_dispatch(actor=convener, voice=bus, organization=transport, note="请交通局研究", now=ago(9.5))

    praise = raise_voice(
        Kind.PRAISE, "感谢物业维修师傅周末上门修好了水管", "物业服务", 6, praised_organization=compound.property_company
    )
    services.praise_acknowledge(actor=handler, voice=praise, reply="谢谢您的肯定，我们会继续努力！", now=ago(5))

    noise = raise_voice(Kind.COMPLAINT, "楼上装修晚上九点后还在打电钻", "噪音扰民", 4)
    services.voice_accept(actor=handler, voice=noise, now=ago(3.9))
    services.voice_resolve(actor=handler, voice=noise, reply="已提醒装修户遵守施工时间。", now=ago(3))
    services.voice_rate(actor=author, voice=noise, score=Score.DISSATISFIED, comment="昨晚还在施工", now=ago(2))
    services.voice_reopen(actor=author, voice=noise, reason="昨晚十点还在施工", now=ago(2))

    raise_voice(
        Kind.REPAIR,
        "家里卫生间顶上渗水",
        "设施维修",
        2,
        public=False,
        location_kind=LocationKind.OWN_HOUSE,
        house=house,
    )
    raise_voice(Kind.ENQUIRY, "小区什么时候组织电动车充电桩安装登记？", "其他", 0.1)
    return Voice.objects.filter(compound=compound).count()
