"""The mediation figures, computed by hand on a small March 2026."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.insights.kpis import Ratio
from gongzhi.mediation import figures, services
from gongzhi.mediation.models import Case, Outcome
from gongzhi.testing.mediation_factories import open_case

pytestmark = pytest.mark.django_db

MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 4, 1))


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, hour, 0))


def _case(world: Any, opened: datetime.datetime, closed: datetime.datetime, outcome: str) -> Case:
    secretary = world.users["secretary"]
    case = open_case(world, now=opened)
    if outcome == Outcome.AGREEMENT:
        services.agreement_record(actor=secretary, case=case, terms="和解", now=opened)
        services.agreement_sign(actor=secretary, case=case, signed_on=closed.date(), now=closed)
    return services.case_close(actor=secretary, case=case, outcome=outcome, now=closed)


@pytest.fixture
def march(world: Any) -> dict[str, Case]:
    return {
        # 4 days, agreement
        "a": _case(world, at(3, 1), at(3, 5), Outcome.AGREEMENT),
        # 10 days, withdrawn
        "b": _case(world, at(3, 2), at(3, 12), Outcome.WITHDRAWN),
        # 1 day, agreement
        "c": _case(world, at(3, 3), at(3, 4), Outcome.AGREEMENT),
        # closed in April: not in March's figures
        "d": _case(world, at(2, 20), at(4, 2), Outcome.AGREEMENT),
    }


def test_march_figures_by_hand(world: Any, march: dict[str, Case]) -> None:
    cases = Case.objects.all()
    # cases closed in March: a, b, c
    assert figures.cases_closed(cases, *MARCH) == 3
    # success: a and c closed with an agreement, of three
    assert figures.success_rate(cases, *MARCH) == Ratio(2, 3)
    # median of 4, 10 and 1 days
    assert figures.median_days_to_close(cases, *MARCH) == pytest.approx(4.0)
    # no follow-up yet: no data, not 0%
    kept = figures.agreements_kept(cases, *MARCH)
    assert kept == Ratio(0, 0) and kept.value is None


def test_follow_ups_and_a_reopened_case_closed_again_count_once_with_its_latest_close(
    world: Any, march: dict[str, Case]
) -> None:
    secretary = world.users["secretary"]
    a, c = march["a"], march["c"]
    # a is kept at its visit on 10 March; c is found broken on 11 March, reopened and withdrawn on 20 March
    services.follow_up_record(actor=secretary, case=a, kept=True, visited_on=datetime.date(2026, 3, 10), now=at(3, 10))
    services.follow_up_record(actor=secretary, case=c, kept=False, visited_on=datetime.date(2026, 3, 11), now=at(3, 11))
    services.case_reopen(actor=secretary, case=c, reason="未履行", now=at(3, 11, 12))
    services.case_close(actor=secretary, case=c, outcome=Outcome.WITHDRAWN, now=at(3, 20))
    cases = Case.objects.all()
    # still three cases closed in March (c once, with its latest close)
    assert figures.cases_closed(cases, *MARCH) == 3
    # success: only a now
    assert figures.success_rate(cases, *MARCH) == Ratio(1, 3)
    # days: a 4, b 10, c 17 (3 → 20 March) → median 10
    assert figures.median_days_to_close(cases, *MARCH) == pytest.approx(10.0)
    # kept at follow-up: a yes, c no
    assert figures.agreements_kept(cases, *MARCH) == Ratio(1, 2)
    # and an empty period has no data
    assert figures.median_days_to_close(cases, datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)) is None


def test_the_secretary_sees_the_figures_page_and_others_do_not(
    world: Any, march: dict[str, Case], client_for: Any
) -> None:
    page = client_for(world.users["secretary"]).get(
        reverse("mediation:figures"), {"start": "2026-03-01", "end": "2026-04-01"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="fig-closed">3<' in text and "66.7%" in text
    for role in ("grid_worker", "community_staff", "officer", "resident"):
        assert client_for(world.users[role]).get(reverse("mediation:figures")).status_code == 403


def test_the_follow_up_schedule_is_configurable_per_community(world: Any, settings: Any) -> None:
    secretary = world.users["secretary"]
    settings.MEDIATION_FOLLOW_UP_DAYS = (10, 40)
    case = _case(world, at(3, 1), at(3, 5), Outcome.AGREEMENT)
    assert [f.due_on.isoformat() for f in case.follow_ups.order_by("number")] == ["2026-03-15", "2026-04-14"]
    services.policy_set(actor=secretary, compound=world.compound_a, first_days=3, second_days=14)
    case2 = _case(world, at(3, 1), at(3, 5), Outcome.AGREEMENT)
    assert [f.due_on.isoformat() for f in case2.follow_ups.order_by("number")] == ["2026-03-08", "2026-03-19"]
