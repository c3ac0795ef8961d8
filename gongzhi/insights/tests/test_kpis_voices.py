"""Voice KPIs on a hand-computed dataset (KPIS.md, "Residents' voices"). Period: March 2026, Shanghai time.

Voices (times 2026, Shanghai; "resp" = response due / accepted, "res" = resolution due / resolved):

- V1 complaint, closed: submitted 3-02 10:00; resp 3-03 10:00 / 3-02 12:00; res 3-05 10:00 / 3-04 10:00;
  rated satisfied 3-04.
- V2 repair, closed: submitted 3-10 08:00; resp 3-11 08:00 / 3-12 08:00 (late); resolved 3-14 08:00, rated
  dissatisfied, reopened 3-15 08:00 (new res due 3-18 08:00), resolved again 3-17 08:00, rated basic 3-17.
- V3 suggestion, submitted 3-20 09:00; resp due 3-22 09:00, res due 3-30 09:00; nothing since.
- V4 praise, closed: submitted 3-05 09:00, acknowledged 3-05 10:00; no resolution deadline.
- V5 complaint rejected (3-06) and V6 complaint merged (3-07): count in nothing (V5's rating ignored).
- V7 complaint, resolved: submitted 2-27 10:00; resp 2-28 10:00 / 2-27 11:00; res 3-02 10:00 / 3-03 10:00;
  rated dissatisfied 3-03, never reopened.
- V8 request, resolved: submitted 3-31 20:00; resp 4-01 08:00 / 4-01 07:00; res 4-02 20:00 / 4-01 10:00.
- V9 enquiry, withdrawn: submitted 3-15 10:00; resp due 3-16 10:00, res due 3-17 10:00; never accepted.
- V10 complaint of another compound, outside the measured queryset.

- by kind in March: one each of complaint (V1), repair, suggestion, praise, request, enquiry.
- response rate: V1 V2 V3 V8 V9 → on time V1, V8 (accepted after the period but before its deadline) = 2/5.
- on-time resolution: deadlines in March V1 V2 V3 V7 V9 → on time V1, V2 = 2/5.
- resolution rate: V1 V2 V3 V8 V9 → resolved by 4-01 00:00: V1, V2 = 2/5.
- satisfaction: V1 satisfied, V2 basic (replaces its dissatisfied), V7 dissatisfied = 2/3.
- mean time to resolve: V1 48 h, V2 168 h, V7 96 h → 104 h.
- reopen rate: resolved in March V1 V2 V4 V7 → reopened V2 = 1/4.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gongzhi.insights import kpis
from gongzhi.testing.factories import CompoundFactory
from gongzhi.testing.voices_factories import VoiceFactory, event, rating
from gongzhi.voices.models import Kind, Score, Status, Voice

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 4, 1))


def t(month: int, day: int, hour: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=SH)


@pytest.fixture
def voices(db: Any) -> Any:
    compound = CompoundFactory.create()

    def v(**kw: Any) -> Voice:
        return VoiceFactory.create(compound=compound, **kw)

    v1 = v(
        kind=Kind.COMPLAINT, status=Status.CLOSED, submitted_at=t(3, 2, 10), response_due_at=t(3, 3, 10),
        accepted_at=t(3, 2, 12), resolution_due_at=t(3, 5, 10), resolved_at=t(3, 4, 10),
    )  # fmt: skip
    event(v1, "resolve", t(3, 4, 10))
    rating(v1, Score.SATISFIED, t(3, 4, 12))

    v2 = v(
        kind=Kind.REPAIR, status=Status.CLOSED, submitted_at=t(3, 10, 8), response_due_at=t(3, 11, 8),
        accepted_at=t(3, 12, 8), resolution_due_at=t(3, 18, 8), resolved_at=t(3, 17, 8),
    )  # fmt: skip
    event(v2, "resolve", t(3, 14, 8))
    rating(v2, Score.DISSATISFIED, t(3, 14, 10))
    event(v2, "reopen", t(3, 15, 8))
    event(v2, "resolve", t(3, 17, 8))
    rating(v2, Score.BASIC, t(3, 17, 10))

    v(
        kind=Kind.SUGGESTION, submitted_at=t(3, 20, 9), response_due_at=t(3, 22, 9), resolution_due_at=t(3, 30, 9),
    )  # fmt: skip

    v4 = v(
        kind=Kind.PRAISE, status=Status.CLOSED, submitted_at=t(3, 5, 9), response_due_at=t(3, 8, 9),
        accepted_at=t(3, 5, 10), resolution_due_at=None, resolved_at=t(3, 5, 10),
    )  # fmt: skip
    event(v4, "acknowledge", t(3, 5, 10))

    v5 = v(
        kind=Kind.COMPLAINT, status=Status.REJECTED, submitted_at=t(3, 6, 9), response_due_at=t(3, 7, 9),
        accepted_at=t(3, 6, 10), resolution_due_at=t(3, 9, 9), resolved_at=t(3, 8, 9),
    )  # fmt: skip
    event(v5, "resolve", t(3, 8, 9))
    rating(v5, Score.SATISFIED, t(3, 8, 10))
    v(kind=Kind.COMPLAINT, status=Status.MERGED, submitted_at=t(3, 7, 9), resolution_due_at=t(3, 10, 9))

    v7 = v(
        kind=Kind.COMPLAINT, status=Status.RESOLVED, submitted_at=t(2, 27, 10), response_due_at=t(2, 28, 10),
        accepted_at=t(2, 27, 11), resolution_due_at=t(3, 2, 10), resolved_at=t(3, 3, 10),
    )  # fmt: skip
    event(v7, "resolve", t(3, 3, 10))
    rating(v7, Score.DISSATISFIED, t(3, 3, 12))

    v8 = v(
        kind=Kind.REQUEST, status=Status.RESOLVED, submitted_at=t(3, 31, 20), response_due_at=t(4, 1, 8),
        accepted_at=t(4, 1, 7), resolution_due_at=t(4, 2, 20), resolved_at=t(4, 1, 10),
    )  # fmt: skip
    event(v8, "resolve", t(4, 1, 10))

    v(
        kind=Kind.ENQUIRY, status=Status.WITHDRAWN, submitted_at=t(3, 15, 10), response_due_at=t(3, 16, 10),
        resolution_due_at=t(3, 17, 10),
    )  # fmt: skip

    other = VoiceFactory.create(kind=Kind.COMPLAINT, submitted_at=t(3, 3, 10), resolved_at=t(3, 4, 10))
    event(other, "resolve", t(3, 4, 10))
    rating(other, Score.DISSATISFIED, t(3, 4, 12))
    return Voice.objects.filter(compound=compound)


def test_voices_by_kind(voices: Any) -> None:
    assert kpis.voices_by_kind(voices, *MARCH) == {
        "complaint": 1, "suggestion": 1, "praise": 1, "request": 1, "repair": 1, "enquiry": 1,
    }  # fmt: skip
    assert kpis.voices_by_kind(voices, datetime.date(2026, 2, 1), datetime.date(2026, 3, 1))["complaint"] == 1


def test_response_rate(voices: Any) -> None:
    assert kpis.response_rate(voices, *MARCH) == kpis.Ratio(2, 5)


def test_on_time_resolution_rate(voices: Any) -> None:
    assert kpis.on_time_resolution_rate(voices, *MARCH) == kpis.Ratio(2, 5)


def test_resolution_rate(voices: Any) -> None:
    assert kpis.resolution_rate(voices, *MARCH) == kpis.Ratio(2, 5)
    # As of mid-March (period 3-01..3-15): V2 was resolved 3-14, then reopened 3-15 → still resolved at 3-15 00:00.
    assert kpis.resolution_rate(voices, datetime.date(2026, 3, 1), datetime.date(2026, 3, 15)) == kpis.Ratio(2, 2)
    # …but not as of 3-16 (reopened 3-15 08:00, resolved again only 3-17).
    assert kpis.resolution_rate(voices, datetime.date(2026, 3, 1), datetime.date(2026, 3, 16)) == kpis.Ratio(1, 3)


def test_satisfaction_rate(voices: Any) -> None:
    assert kpis.satisfaction_rate(voices, *MARCH) == kpis.Ratio(2, 3)
    # As of 3-15, V2's replacing rating did not exist yet: its 不满意 counts.
    assert kpis.satisfaction_rate(voices, datetime.date(2026, 3, 1), datetime.date(2026, 3, 15)) == kpis.Ratio(1, 3)


def test_mean_time_to_resolve(voices: Any) -> None:
    assert kpis.mean_time_to_resolve(voices, *MARCH) == pytest.approx(104.0)


def test_reopen_rate(voices: Any) -> None:
    assert kpis.reopen_rate(voices, *MARCH) == kpis.Ratio(1, 4)
    assert kpis.reopen_rate(voices, *MARCH, as_of=t(3, 15, 0)) == kpis.Ratio(0, 4)


def test_empty_period_is_no_data(voices: Any) -> None:
    empty = (datetime.date(2025, 1, 1), datetime.date(2025, 2, 1))
    for kpi in (kpis.response_rate, kpis.on_time_resolution_rate, kpis.resolution_rate, kpis.satisfaction_rate):
        ratio = kpi(voices, *empty)
        assert ratio == kpis.Ratio(0, 0) and ratio.value is None
    assert kpis.reopen_rate(voices, *empty).value is None
    assert kpis.mean_time_to_resolve(voices, *empty) is None
    assert set(kpis.voices_by_kind(voices, *empty).values()) == {0}
