"""The mediation success rate (gongzhi/mediation/kpis.py) on a small hand-computed March 2026."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.insights.engine import kpis_compute
from gongzhi.insights.periods import parse_period
from gongzhi.insights.registry import Measure, definition
from gongzhi.mediation import figures, services
from gongzhi.mediation.models import Case, CaseEvent, Outcome
from gongzhi.testing.factories import CompoundFactory
from gongzhi.testing.mediation_factories import open_case

pytestmark = pytest.mark.django_db
D = datetime.date
KEY = "mediation_success_rate"


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
    cases = {
        "a": _case(world, at(3, 1), at(3, 5), Outcome.AGREEMENT),
        "b": _case(world, at(3, 2), at(3, 12), Outcome.WITHDRAWN),
        "c": _case(world, at(3, 3), at(3, 4), Outcome.AGREEMENT),
        "d": _case(world, at(2, 20), at(4, 2), Outcome.AGREEMENT),  # closed in April
        "e": _case(world, at(3, 1), at(3, 6), Outcome.AGREEMENT),
    }
    # e: the agreement broke, the case was reopened on 3-08 and closed again on 3-20 without one (timeline rows)
    for verb, outcome, day in (("reopen", "", 8), ("close", Outcome.WITHDRAWN, 20)):
        CaseEvent.objects.create(
            community_id=cases["e"].community_id, case=cases["e"], verb=verb, outcome=outcome, at=at(3, day)
        )
    return cases


def rate(compounds: list[Any], period: str, as_of: datetime.date | None = None) -> dict[Any, Any]:
    report = kpis_compute(compounds, parse_period(period), as_of=as_of, keys=[KEY])
    return {c: report.values(None if c is None else c.pk)[0] for c in [*compounds, None]}


def test_march_success_rate_by_hand(world: Any, march: dict[str, Case]) -> None:
    a, b = world.compound_a, world.compound_b
    k = rate([a, b], "2026-03")
    # closed in March: a, b, c and e (once, with its latest close: withdrawn); with an agreement: a and c
    assert k[a].now == Measure.ratio(2, 4)
    # it is figures.success_rate's definition
    ratio = figures.success_rate(Case.objects.all(), D(2026, 3, 1), D(2026, 4, 1))
    assert (ratio.numerator, ratio.denominator) == (2, 4)
    # B closed no case: no data, not 0%; the sum is A's; April is d alone
    assert k[b].value is None
    assert k[None].now == Measure.ratio(2, 4)
    assert rate([a], "2026-04")[a].now == Measure.ratio(1, 1)
    # a year before nothing closed: no data
    assert k[a].year_before.value is None


def test_as_of_reads_the_closes_recorded_by_then(world: Any, march: dict[str, Case]) -> None:
    a = world.compound_a
    # as of 3-10: a, c and e (closed with an agreement on 3-06, not yet reopened) → 3 of 3
    assert rate([a], "2026-03", as_of=D(2026, 3, 10))[a].now == Measure.ratio(3, 3)
    # as of 3-04: c, closed that morning
    assert rate([a], "2026-03", as_of=D(2026, 3, 4))[a].now == Measure.ratio(1, 1)
    # as of 3-03 nothing was closed yet: no data
    assert rate([a], "2026-03", as_of=D(2026, 3, 3))[a].value is None


def test_one_query_however_many_compounds_and_no_drill_down(
    world: Any, march: dict[str, Case], django_assert_max_num_queries: Any
) -> None:
    compounds = [world.compound_a, world.compound_b, *CompoundFactory.create_batch(5)]
    with django_assert_max_num_queries(2):  # the period and its year before
        kpis_compute(compounds, parse_period("2026-03"), keys=[KEY])
    # cases are private to their parties, mediators and the secretary: the KPI lists none
    assert definition(KEY).drill is None
