"""A compound with two years of governance to report on (tests of the governance report only).

Compound A of the role world, 2024 → 2025: occupancy 1 of 4 houses → 2 of 4 (25.0% → 50.0%); complaints 6 → 1
(−83.3%), praise 1 → 3; satisfaction 1 of 2 → 2 of 2; the 2024 fees half paid, the 2025 fees all paid; in 2025
a joint meeting held, an action item done with an after-photo (a real JPEG and thumbnail in storage), a
complaint taken to the education bureau, two activities held; an honour in 2025. Rolled up by quarter and year.
"""

from __future__ import annotations

import datetime
import io
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from gongzhi.accounts.roles import OrgKind
from gongzhi.activities.models import ActivityCategory, ActivityStatus
from gongzhi.estates.models import HouseStatus
from gongzhi.insights.models import Honour
from gongzhi.insights.periods import QUARTER, YEAR
from gongzhi.insights.rollups import rollups_recompute
from gongzhi.meetings.models import ActionPhoto, ActionStatus, ActionUpdate, MeetingKind, MeetingStatus, PhotoStage
from gongzhi.voices.models import Kind, Score, Status, VoiceAssignment
from gongzhi.voices.photos import thumb_name

from .activities_factories import ActivityFactory
from .factories import HouseFactory, house_with_history
from .finance_factories import bill, pay
from .meetings_factories import ActionItemFactory, MeetingFactory
from .voices_factories import VoiceFactory, category, rating

SH = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(y: int, m: int, d: int, h: int = 10) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, tzinfo=SH)


def jpeg(colour: tuple[int, int, int] = (180, 35, 24), size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


def after_photo(item: Any, when: datetime.datetime) -> ActionPhoto:
    """An after-photo with its file and thumbnail in storage."""
    name = default_storage.save(f"meetings/actions/{item.community_id}/report-{item.pk}.jpg", ContentFile(jpeg()))
    default_storage.save(thumb_name(name), ContentFile(jpeg(size=(32, 24))))
    return ActionPhoto.objects.create(
        community_id=item.community_id, action_item=item, stage=PhotoStage.AFTER, image=name, created_at=when
    )


def report_dataset(world: Any, *, roll_up: bool = True) -> Any:
    """Compound A with the story of the module's docstring; returns the compound."""
    compound = world.compound_a
    V, OC = HouseStatus.VACANT, HouseStatus.OCCUPIED
    unit = world.house_a.unit
    extra = [HouseFactory.create(unit=unit, room=room, floor=2) for room in ("201", "202")]
    house_with_history(world.house_a, (V, D(2023, 6, 30)), (OC, D(2024, 2, 1)))
    house_with_history(world.house_a2, (V, D(2023, 6, 30)), (OC, D(2025, 3, 1)))
    for h in extra:
        house_with_history(h, (V, D(2023, 6, 30)))
    author = world.users["resident"]
    repair, parking = category("设施维修"), category("停车管理")
    for n, cat in enumerate((repair, repair, repair, parking, parking)):
        VoiceFactory.create(compound=compound, author=author, category=cat, submitted_at=at(2024, 3 + n, 5))
    praise = VoiceFactory.create(compound=compound, author=author, kind=Kind.PRAISE, submitted_at=at(2024, 9, 1))
    complaint = VoiceFactory.create(
        compound=compound, author=author, category=repair, submitted_at=at(2025, 5, 5), status=Status.RESOLVED,
        resolved_at=at(2025, 5, 20),
    )  # fmt: skip
    for month in (4, 6, 8):
        VoiceFactory.create(compound=compound, author=author, kind=Kind.PRAISE, submitted_at=at(2025, month, 2))
    rating(praise, Score.SATISFIED, at(2024, 9, 3))
    rating(VoiceFactory.create(compound=compound, author=author, submitted_at=at(2024, 10, 1)), Score.DISSATISFIED,
           at(2024, 10, 9))  # fmt: skip
    rating(complaint, Score.SATISFIED, at(2025, 5, 21))
    rating(VoiceFactory.create(compound=compound, author=author, kind=Kind.REPAIR, submitted_at=at(2025, 7, 1)),
           Score.BASIC, at(2025, 7, 3))  # fmt: skip
    VoiceAssignment.objects.create(
        community_id=compound.community_id, voice=complaint, organization=world.orgs[OrgKind.DEPARTMENT],
        is_lead=True, assigned_at=at(2025, 5, 6),
    )  # fmt: skip
    for house, paid_2024 in ((world.house_a, True), (world.house_a2, False)):
        b24, b25 = bill(house, "2024", "1000.00"), bill(house, "2025", "1000.00")
        if paid_2024:
            pay(b24, "1000.00", D(2024, 6, 1))
        pay(b25, "1000.00", D(2025, 6, 1))
    MeetingFactory.create(
        compound=compound, kind=MeetingKind.JOINT, title="三方联席会议", starts_at=at(2025, 3, 5),
        ends_at=at(2025, 3, 5, 12), status=MeetingStatus.CLOSED, closed_at=at(2025, 3, 6),
    )  # fmt: skip
    item = ActionItemFactory.create(
        compound=compound, title="一期大堂电动门改造", due_on=D(2025, 5, 1), status=ActionStatus.DONE,
        progress=100, done_at=at(2025, 4, 20),
    )  # fmt: skip
    ActionUpdate.objects.create(
        community_id=compound.community_id, action_item=item, status_before=ActionStatus.PLANNED,
        status_after=ActionStatus.DONE, progress_after=100, at=at(2025, 4, 20),
    )  # fmt: skip
    after_photo(item, at(2025, 4, 20))
    for month, kind in ((6, ActivityCategory.SERVICE), (9, ActivityCategory.FESTIVAL)):
        ActivityFactory.create(
            compound=compound, category=kind, status=ActivityStatus.HELD, starts_at=at(2025, month, 10),
            ends_at=at(2025, month, 10, 12), held_at=at(2025, month, 10, 12),
        )  # fmt: skip
    Honour.objects.create(
        community_id=compound.community_id, compound=compound, year=2025, title="汉阳区物业服务红榜小区",
        awarded_by="汉阳区",
    )  # fmt: skip
    if roll_up:
        roll(compound)
    return compound


def roll(*compounds: Any) -> None:
    rollups_recompute(list(compounds), D(2023, 1, 1), D(2025, 12, 31), grains=(QUARTER, YEAR))
