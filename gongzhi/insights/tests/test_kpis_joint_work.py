"""Occupancy and residents through the engine, and the meetings KPIs, on small hand-computed datasets."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gongzhi.insights.engine import kpis_compute
from gongzhi.insights.periods import parse_period
from gongzhi.insights.registry import Measure
from gongzhi.insights.tests.test_kpis_estate import five_houses  # noqa: F401  (histories counted there)
from gongzhi.meetings.models import ActionItem, ActionStatus, ActionUpdate, MeetingKind, MeetingStatus
from gongzhi.testing.factories import CompoundFactory, ResidentFactory
from gongzhi.testing.meetings_factories import ActionItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db
D = datetime.date
SH = ZoneInfo("Asia/Shanghai")


def t(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, tzinfo=SH)


def measures(compound: Any, period: str, as_of: datetime.date | None = None) -> dict[str, Any]:
    report = kpis_compute([compound], parse_period(period), as_of=as_of)
    return {v.definition.key: v for v in report.values(compound.pk)}


def test_occupancy_and_residents_of_a_period_are_their_values_on_its_last_day(five_houses):  # noqa: F811
    compound = five_houses[0].compound
    ResidentFactory.create(house=five_houses[0], moved_in_on=D(2023, 7, 10), moved_out_on=D(2024, 5, 1))
    ResidentFactory.create(house=five_houses[3], moved_in_on=D(2024, 3, 1))
    # 2024-04 ends on 4-30: h1 h2 h4 occupied of 4 delivered (test_kpis_estate.py); both residents there
    k = measures(compound, "2024-04")
    assert k["estates_occupancy_rate"].now == Measure.ratio(3, 4)
    assert k["estates_permanent_residents"].now == Measure.count(1 + 1)
    # 2024 (at 12-31): h1 moved out → 2 of 4, one resident; a year before (2023-12-31): 1 of 3, one resident
    k = measures(compound, "2024")
    assert k["estates_occupancy_rate"].now == Measure.ratio(2, 4)
    assert k["estates_occupancy_rate"].year_before == Measure.ratio(1, 3)
    assert k["estates_permanent_residents"].now.numerator == 1
    # 33.3% → 50% is +16.7 pp, +50% relative
    assert round(k["estates_occupancy_rate"].change_pp, 1) == Decimal("16.7")
    assert round(k["estates_occupancy_rate"].change, 6) == Decimal("0.5")
    # as of 2024-03-01 the year 2024 reads that day: h1 h2 h4 of 4
    assert measures(compound, "2024", D(2024, 3, 1))["estates_occupancy_rate"].now == Measure.ratio(3, 4)


def _item(
    compound: Any, due: datetime.date, history: list[tuple[str, str, datetime.datetime]], **kw: Any
) -> ActionItem:
    item = ActionItemFactory.create(
        compound=compound, due_on=due, status=history[-1][1] if history else "planned", **kw
    )
    for before, after, at in history:
        ActionUpdate.objects.create(
            community_id=compound.community_id, action_item=item, status_before=before, status_after=after,
            progress_after=100 if after == ActionStatus.DONE else 50, at=at,
        )  # fmt: skip
    return item


def test_meetings_held_and_action_items_done_on_time():
    compound = CompoundFactory.create()
    P, IP, DN = ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE

    def meeting(kind: str, status: str, starts: datetime.datetime, closed: datetime.datetime | None) -> None:
        MeetingFactory.create(
            compound=compound, kind=kind, status=status, starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2), closed_at=closed,
        )  # fmt: skip

    # Meetings in March 2025:
    meeting(MeetingKind.JOINT, MeetingStatus.CLOSED, t(3, 5), t(3, 6))  # M1 held and closed: counts
    meeting(MeetingKind.JOINT, MeetingStatus.CLOSED, t(3, 28), t(4, 2))  # M2 closed only on 4-02
    meeting(MeetingKind.JOINT, MeetingStatus.HELD, t(3, 12), None)  # M3 held, no minutes closed: not counted
    meeting(MeetingKind.OWNERS, MeetingStatus.CLOSED, t(3, 15), t(3, 15))  # M4 not a joint meeting
    meeting(MeetingKind.JOINT, MeetingStatus.CANCELLED, t(3, 20), None)  # M5 cancelled
    meeting(MeetingKind.JOINT, MeetingStatus.CLOSED, t(2, 20), t(2, 21))  # M6 in February
    # Action items:
    _item(compound, D(2025, 3, 10), [(P, IP, t(3, 1)), (IP, DN, t(3, 9))])  # A1 done 3-09, due 3-10: on time
    _item(compound, D(2025, 3, 10), [(P, DN, t(3, 10, 23))])  # A2 done late evening of its due day: on time
    _item(compound, D(2025, 3, 5), [(P, DN, t(3, 20))])  # A3 done 3-20, due 3-05: late
    _item(compound, D(2025, 3, 31), [(P, DN, t(3, 12)), (DN, IP, t(3, 14))])  # A4 done then reopened: not done
    _item(compound, D(2025, 4, 30), [(P, DN, t(4, 2))])  # A5 done in April
    parent = _item(compound, D(2025, 3, 31), [])  # A6 planned, with a done sub-item (counted in its item only)
    _item(compound, D(2025, 3, 31), [(P, DN, t(3, 3))], parent=parent)

    # then: March 2025 as of 3-31: meetings M1 → 1; done A1 A2 A3 → 3, on time A1 A2 → 2/3
    k = measures(compound, "2025-03")
    assert k["meetings_joint_held"].now == Measure.count(1)
    assert k["meetings_actions_done"].now == Measure.count(3)
    assert k["meetings_actions_on_time_rate"].now == Measure.ratio(2, 3)
    # as of 4-05, M2's minutes are closed too → 2 (the period's figure grows only as records arrive)
    assert measures(compound, "2025-03", D(2025, 4, 5))["meetings_joint_held"].now == Measure.count(2)
    # as of 3-13, A4 was done (3-12) and not yet reopened: done A1 A2 A4 → 3, on time all three
    k = measures(compound, "2025-03", D(2025, 3, 13))
    assert k["meetings_actions_done"].now == Measure.count(3)
    assert k["meetings_actions_on_time_rate"].now == Measure.ratio(3, 3)
    # a year before: no meeting or item existed yet → no data, not 0
    assert k["meetings_joint_held"].year_before.value is None
    assert k["meetings_actions_on_time_rate"].year_before.value is None
