"""A small dataset for the dashboard and drill-down tests: compound A of the role world in 2024 and 2025.

Compound A (houses of the world, plus two):
- houses: house_a occupied from 2024-03-01; h201 occupied from 2025-06-01; house_a2 and h202 vacant
  → occupancy at 2025-12-31: 2 of 4.
- voices of 2025: V1 complaint 03-03 accepted on time, resolved 03-05, rated satisfied; V2 complaint 03-10 accepted
  late, resolved 03-20 (after its deadline), rated dissatisfied, reopened 03-22, resolved again 03-24, rated basic;
  V3 repair 05-02 never accepted; V4 praise 04-01; V5 complaint 03-12 rejected (counts nowhere); and one complaint
  of 2024-03-05 (the year before).
- joint work: a joint meeting held and closed in March 2025; an action item done 2025-04-10 (due 04-15, on time)
  and one done 2025-05-20 (due 05-01, late).
- fees: year bills 2024 (house_a 1000 paid 1000 on 2024-02-01; house_a2 1000, 200 paid on 2025-02-10) and 2025
  (house_a 1000 paid 600 on 2025-03-01; house_a2 1000, reduction 100 on 2025-04-01, nothing paid).
- an honour of 2025.
Rollups of months and years 2024-2025 for compounds A and B.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from gongzhi.estates.models import HouseStatus
from gongzhi.insights.models import Honour
from gongzhi.insights.periods import MONTH, QUARTER, YEAR
from gongzhi.insights.rollups import rollups_recompute
from gongzhi.meetings.models import ActionStatus, ActionUpdate, MeetingKind, MeetingStatus
from gongzhi.testing.factories import HouseFactory, house_with_history
from gongzhi.testing.finance_factories import bill, pay, reduce
from gongzhi.testing.meetings_factories import ActionItemFactory, MeetingFactory
from gongzhi.testing.voices_factories import VoiceFactory, event, rating
from gongzhi.voices.models import Kind, Score, Status

SH = ZoneInfo("Asia/Shanghai")
D = datetime.date
TODAY = D(2026, 1, 15)


def t(y: int, m: int, d: int, h: int = 10) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, tzinfo=SH)


def build(world: Any, *, rollups: bool = True) -> dict[str, Any]:
    c = world.compound_a
    house_with_history(world.house_a, (HouseStatus.OCCUPIED, D(2024, 3, 1)))
    h201 = HouseFactory.create(unit=world.house_a.unit, room="201", floor=2, delivered_on=D(2023, 6, 30))
    house_with_history(h201, (HouseStatus.VACANT, D(2023, 6, 30)), (HouseStatus.OCCUPIED, D(2025, 6, 1)))
    HouseFactory.create(unit=world.house_a.unit, room="202", floor=2, delivered_on=D(2023, 6, 30))

    def voice(**kw: Any) -> Any:
        return VoiceFactory.create(compound=c, **kw)

    v1 = voice(kind=Kind.COMPLAINT, status=Status.CLOSED, submitted_at=t(2025, 3, 3), accepted_at=t(2025, 3, 3, 12),
               resolved_at=t(2025, 3, 5))  # fmt: skip
    event(v1, "resolve", t(2025, 3, 5))
    rating(v1, Score.SATISFIED, t(2025, 3, 5, 12))
    v2 = voice(kind=Kind.COMPLAINT, status=Status.CLOSED, submitted_at=t(2025, 3, 10), accepted_at=t(2025, 3, 12),
               resolved_at=t(2025, 3, 24))  # fmt: skip
    event(v2, "resolve", t(2025, 3, 20))
    rating(v2, Score.DISSATISFIED, t(2025, 3, 20, 12))
    event(v2, "reopen", t(2025, 3, 22))
    event(v2, "resolve", t(2025, 3, 24))
    rating(v2, Score.BASIC, t(2025, 3, 24, 12))
    v3 = voice(kind=Kind.REPAIR, submitted_at=t(2025, 5, 2))
    v4 = voice(kind=Kind.PRAISE, status=Status.CLOSED, submitted_at=t(2025, 4, 1), accepted_at=t(2025, 4, 1, 11))
    v5 = voice(kind=Kind.COMPLAINT, status=Status.REJECTED, submitted_at=t(2025, 3, 12))
    event(v5, "reject", t(2025, 3, 12, 12))
    v0 = voice(kind=Kind.COMPLAINT, submitted_at=t(2024, 3, 5))

    meeting = MeetingFactory.create(
        compound=c, kind=MeetingKind.JOINT, starts_at=t(2025, 3, 15), ends_at=t(2025, 3, 15, 12),
        status=MeetingStatus.CLOSED, closed_at=t(2025, 3, 16),
    )  # fmt: skip
    items = []
    for due, done in ((D(2025, 4, 15), t(2025, 4, 10)), (D(2025, 5, 1), t(2025, 5, 20))):
        item = ActionItemFactory.create(compound=c, due_on=due, status=ActionStatus.DONE, meeting=meeting)
        ActionUpdate.objects.create(
            community_id=c.community_id, action_item=item, status_before=ActionStatus.PLANNED,
            status_after=ActionStatus.DONE, progress_after=100, at=done,
        )  # fmt: skip
        items.append(item)

    b24a = bill(world.house_a, "2024", "1000")
    pay(b24a, "1000", D(2024, 2, 1))
    b24b = bill(world.house_a2, "2024", "1000")
    pay(b24b, "200", D(2025, 2, 10))
    b25a = bill(world.house_a, "2025", "1000")
    pay(b25a, "600", D(2025, 3, 1))
    b25b = bill(world.house_a2, "2025", "1000")
    reduce(b25b, "100", D(2025, 4, 1))

    Honour.objects.create(community=c.community, compound=c, year=2025, title="区级最美小区", awarded_by="汉阳区")
    if rollups:
        rollups_recompute(
            [c, world.compound_b], D(2024, 1, 1), D(2025, 12, 31), today=TODAY, grains=(MONTH, QUARTER, YEAR)
        )
    return {
        "compound": c,
        "voices": [v0, v1, v2, v3, v4, v5],
        "meeting": meeting,
        "items": items,
        "bills": [b24a, b24b, b25a, b25b],
        "houses": [world.house_a, world.house_a2, h201],
    }
