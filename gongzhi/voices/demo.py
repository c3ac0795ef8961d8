"""Demo voices for ``seed_demo``: one resident's voices at every stage, raised and handled through the services."""

from __future__ import annotations

import datetime
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gongzhi.accounts.models import Organization, User
from gongzhi.estates.models import Compound, House

from . import services
from .models import Category, Kind, LocationKind, PhotoStage, Score, Voice
from .services.photos import photos_attach, voice_resolve_with_photos


def demo_photo(name: str, *, full: bool) -> SimpleUploadedFile:
    """A drawn stand-in for a resident's snapshot: a bin by a doorway, overflowing or emptied."""
    image = Image.new("RGB", (800, 600), (200, 214, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill=(150, 150, 140))  # pavement
    draw.rectangle((80, 120, 360, 420), fill=(190, 170, 150), outline=(90, 80, 70), width=6)  # doorway
    draw.rectangle((480, 260, 640, 420), fill=(40, 120, 70))  # the bin
    if full:
        for i, colour in enumerate([(230, 230, 230), (120, 90, 60), (210, 60, 60), (240, 200, 80)]):
            draw.ellipse((460 + i * 40, 200 - (i % 2) * 30, 540 + i * 40, 280), fill=colour)
    out = BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


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
    photos_attach(
        actor=author, voice=closed, files=[demo_photo("bin.jpg", full=True)], stage=PhotoStage.RAISED, now=ago(20)
    )
    services.voice_accept(actor=handler, voice=closed, now=ago(19.9))
    voice_resolve_with_photos(
        actor=handler,
        voice=closed,
        reply="已安排保洁每天早晚各清运一次。",
        photos=[demo_photo("bin-emptied.jpg", full=False)],
        now=ago(19),
    )
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
