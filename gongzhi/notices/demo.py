"""Demo notices for ``seed_demo``: a pinned water-cut notice from the property company, the community's
publicity and civility posts, a staff-only note, a notice for one building, and one lobby screen (its link is
on the staff page 楼道屏). Made through the services, so they carry their audit trail."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.estates.models import Building, Compound

from . import services
from .models import LobbyScreen, Notice, NoticeKind


def seed_notices(*, compound: Compound, secretary: User, manager: User) -> int:
    """The demo compound's notices and lobby screen; returns the number of notices (0 when already seeded)."""
    if Notice.objects.filter(compound=compound).exists():
        return 0
    now = timezone.now()

    def ago(days: int) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    first_building = Building.objects.filter(compound=compound).order_by("sort_key", "name").first()
    made: list[tuple[User, str, str, str, dict[str, Any]]] = [
        (
            manager,
            NoticeKind.NOTICE,
            "关于二次供水水箱清洗的停水通知",
            "各位业主：\n\n为保障饮用水安全，物业将于本周六 9:00–17:00 对二次供水水箱进行清洗消毒，"
            "届时高区住户将暂停供水，请提前做好储水准备。\n\n给您带来的不便，敬请谅解。如有疑问请致电物业服务中心。",
            {"is_pinned": True, "published_from": ago(1), "published_until": now + datetime.timedelta(days=6)},
        ),
        (
            secretary,
            NoticeKind.CIVILITY,
            "文明养犬倡议书",
            "出门遛狗请牵绳，主动避让老人和儿童。\n\n及时清理犬只粪便，不在电梯、楼道内便溺。\n\n"
            "按时为犬只免疫、办理登记。让我们共同营造整洁、安全、和谐的居住环境。",
            {"published_from": ago(3)},
        ),
        (
            secretary,
            NoticeKind.PUBLICITY,
            "垃圾分类 从我做起",
            "小区已设置四分类投放点：可回收物、有害垃圾、厨余垃圾、其他垃圾。\n\n"
            "每天 7:00–9:00、18:00–20:00 有志愿者在投放点值守指导，欢迎居民加入志愿服务。",
            {"published_from": ago(6)},
        ),
        (
            manager,
            NoticeKind.SAFETY,
            "冬季消防安全提示",
            "请勿在楼道、消防通道堆放杂物，电动自行车不进楼入户、不私拉电线充电。\n\n"
            "小区集中充电棚位于北门旁，24 小时开放。",
            {"published_from": ago(9)},
        ),
        (
            secretary,
            NoticeKind.NOTICE,
            "三方联席会议议定事项跟进（内部）",
            "请物业于月底前报送大堂照明改造进度及照片；社区网格员负责回访 3 栋住户。",
            {"published_from": ago(2), "staff_only": True},
        ),
    ]
    if first_building is not None:
        made.append(
            (
                manager,
                NoticeKind.NOTICE,
                f"{first_building.name}电梯年检通知",
                f"{first_building.name}电梯将于下周二上午进行年度检验，"
                "检验期间电梯暂停使用约 2 小时，请住户合理安排出行。",
                {"published_from": ago(0), "buildings": [first_building.pk]},
            )
        )
    for author, kind, title, body, extra in made:
        notice = services.notice_create(actor=author, compound=compound, kind=kind, title=title, body=body, **extra)
        services.notice_publish(actor=author, notice=notice)
    if not LobbyScreen.objects.filter(compound=compound).exists():
        services.lobby_screen_create(
            actor=secretary,
            compound=compound,
            location=f"{first_building.name}1单元大堂" if first_building is not None else "物业服务中心大堂",
            building=first_building,
        )
    return len(made)
