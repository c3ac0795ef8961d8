"""The insights benchmark (bench/insights_data.py, bench/insights_dashboard.py) stays in step with the app: its
estate is one sub-district holding every compound, and every page it times answers the sub-district's supervisor
(a benchmark whose URLs no longer resolve would report "not measured" instead of a figure)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from bench import voice_data
from bench.insights_dashboard import PAGES, _periods, _url
from bench.insights_data import FLOORS, build
from gongzhi.accounts.models import User
from gongzhi.estates.models import Area, Compound, House
from gongzhi.insights.rollups import rollups_recompute

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_estate() -> tuple[Any, dict[str, int]]:
    # bills (bench.fees_data) end with an UPDATE … FROM only PostgreSQL reads: the benchmark runs there only
    estate, counts, _seconds = build(voices=60, compounds=10, residents=2, bill_years=[], payments=0)
    return estate, counts


def test_the_bench_estate_is_one_sub_district_of_every_compound(bench_estate: tuple[Any, dict[str, int]]) -> None:
    # given: the benchmark's data, small
    _estate, counts = bench_estate
    # then: one sub-district with all 10 compounds over two communities, 312 houses each
    sub = Area.objects.get(level="sub_district")
    assert Compound.objects.filter(community__parent=sub).count() == 10
    assert Area.objects.filter(level="community", parent=sub).count() == 2
    assert House.objects.count() == 10 * 312
    assert counts["voices"] == 60


def test_building_the_bench_estate_leaves_the_voice_benchmark_layout_as_it_was(
    bench_estate: tuple[Any, dict[str, int]],
) -> None:
    # given: the benchmark's data was built (it widens the voice generator's sub-district and floors meanwhile)
    # then: the voice benchmark's own layout is back
    assert voice_data.COMMUNITIES_PER_SUB_DISTRICT == 10
    assert voice_data.FLOORS == 12 != FLOORS


def test_every_benchmarked_page_answers_the_sub_district_supervisor(
    bench_estate: tuple[Any, dict[str, int]], client_for: Any
) -> None:
    # given: the benchmark's data with its rollups, and its supervisor logged in
    estate, _counts = bench_estate
    today = timezone.localdate()
    rollups_recompute(
        list(Compound.objects.order_by("pk")), datetime.date(today.year - 1, 1, 1), today, grains=("month", "year")
    )
    users = estate.users[voice_data.PROBE]
    client = client_for(User.objects.get(pk=users["sub_district_supervisor"]))
    dataset = {"sub_district": Area.objects.get(level="sub_district").pk}
    compound = Compound.objects.get(code=users["compound"])
    # when: each page the benchmark times is requested at the URL it builds
    answers = {}
    for page in PAGES:
        url = _url(page, dataset, compound, _periods(today))
        answers[page.label] = None if url is None else client.get(url).status_code
    # then: every one resolves and answers 200
    assert answers == {page.label: 200 for page in PAGES}
