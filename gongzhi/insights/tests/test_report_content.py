"""The governance report's content: figures from the rollups, the lists beside them, the generated paragraphs,
the virtuous cycle's trend, and the periods a report accepts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gongzhi.core.errors import DomainError
from gongzhi.insights.models import KpiRollup
from gongzhi.insights.periods import parse_period
from gongzhi.insights.report.content import default_period, report_content, report_period
from gongzhi.meetings.models import ActionStatus
from gongzhi.testing.factories import CompoundFactory
from gongzhi.testing.insights_report_factories import at, report_dataset
from gongzhi.testing.meetings_factories import ActionItemFactory

pytestmark = pytest.mark.django_db
P2025 = parse_period("2025")


def test_the_report_reads_the_years_figures_from_the_rollups(world):
    # given compound A's two years, rolled up
    compound = report_dataset(world)
    # when the secretary's report for 2025 is built
    c = report_content(user=world.users["secretary"], compound=compound, period=P2025)
    # then occupancy went from 1 of 4 to 2 of 4, complaints 6 → 1, satisfaction and collection 50% → 100%
    occupancy, complaints = c.kpi("estates_occupancy_rate"), c.kpi("voices_complaint")
    satisfaction, collection = c.kpi("voices_satisfaction_rate"), c.kpi("fees_collection_rate")
    assert occupancy and complaints and satisfaction and collection
    assert (occupancy.before, occupancy.after, occupancy.change) == ("25.0%", "50.0%", "+100.0% / +25.0 pp")
    assert (occupancy.before_basis, occupancy.after_basis) == ("1 / 4", "2 / 4")
    assert (complaints.before, complaints.after, complaints.change) == ("6", "1", "-83.3%")
    assert (satisfaction.before, satisfaction.after) == ("50.0%", "100.0%")
    assert (collection.before_basis, collection.after_basis) == ("1000 / 2000", "2000 / 2000")
    assert (c.before.code, c.as_of) == ("2024", datetime.date(2025, 12, 31))


def test_without_rollups_every_figure_is_no_data_never_zero(world):
    # given the same records but nothing rolled up yet
    compound = report_dataset(world, roll_up=False)
    # when
    c = report_content(user=world.users["secretary"], compound=compound, period=P2025)
    # then the page reads rollups only: no data everywhere
    assert c.no_data
    assert {r.after for r in c.kpis} == {"no data"}


def test_a_compound_with_no_data_still_gets_every_section(world):
    # given a compound entered today with nothing recorded
    empty = CompoundFactory.create(community=world.compound_a.community)
    # when
    c = report_content(user=world.users["superuser"], compound=empty, period=P2025)
    # then every KPI reads no data and each section still has its paragraph
    assert c.no_data and not c.problems and not c.actions and not c.departments and not c.activities
    assert {n.section for n in c.narratives.values() if n.text} == {"background", "measures", "outcomes", "cycle"}
    assert c.narratives["background"].text == "There are no figures for the year 2024, the year before this report."
    assert c.narratives["cycle"].text.startswith("Too few periods")


def test_the_background_names_the_most_raised_problems_of_the_year_before(world):
    # given
    compound = report_dataset(world)
    # when
    c = report_content(user=world.users["secretary"], compound=compound, period=P2025)
    # then complaints of 2024 by category, most first (praise is not a problem)
    assert [(p.name, p.count) for p in c.problems] == [("设施维修", 4), ("停车管理", 2)]
    text = c.narratives["background"].text
    assert "At the end of the year 2024 the occupancy rate of A小区 was 25.0%." in text
    assert "The most raised problems were 设施维修 (4), 停车管理 (2)." in text


def test_the_measures_list_the_joint_work_of_the_period(world):
    # given
    compound = report_dataset(world)
    # when
    c = report_content(user=world.users["secretary"], compound=compound, period=P2025)
    # then the action item done with its after-photo, the department, the activities by category
    assert [(a.title, a.done_on, len(a.photo_ids)) for a in c.actions] == [
        ("一期大堂电动门改造", datetime.date(2025, 4, 20), 1)
    ]
    assert [(d.name, d.voices, d.resolved) for d in c.departments] == [("教育局", 1, 1)]
    assert sorted((a.label, a.count) for a in c.activities) == [
        ("Convenience services", 1),
        ("Festivals and culture", 1),
    ]
    held = c.kpi("meetings_joint_held")
    assert held is not None and held.after == "1"
    text = c.narratives["measures"].text
    assert "Joint meetings held 1" in text and "一期大堂电动门改造" in text and "教育局" in text


def test_action_items_are_listed_only_as_far_as_the_reader_may_see_them(world):
    # given a private item done in 2025 besides the public one
    compound = report_dataset(world)
    ActionItemFactory.create(
        compound=compound, title="内部整改", is_public=False, status=ActionStatus.DONE, done_at=at(2025, 6, 1)
    )
    # when the secretary (community side) and the residents' representative (public items only) read the report
    secretary = report_content(user=world.users["secretary"], compound=compound, period=P2025)
    representative = report_content(user=world.users["representative"], compound=compound, period=P2025)
    # then only the secretary sees the private one
    assert "内部整改" in [a.title for a in secretary.actions]
    assert [a.title for a in representative.actions] == ["一期大堂电动门改造"]


def test_the_outcomes_say_before_and_after_in_the_case_reports_way(world):
    # given
    compound = report_dataset(world)
    # when
    c = report_content(user=world.users["secretary"], compound=compound, period=P2025)
    # then
    text = c.narratives["outcomes"].text
    assert "Occupancy rate rose from 25.0% to 50.0% (+25.0 pp)." in text
    assert "Complaints fell from 6 to 1, down 83.3% on the year before." in text
    assert "Praise rose from 1 to 3, up 200.0% on the year before." in text
    assert "汉阳区物业服务红榜小区 (2025)" in text
    assert [h.title for h in c.honours] == ["汉阳区物业服务红榜小区"]


def test_the_cycle_falls_back_to_years_when_bills_are_yearly(world):
    # given yearly bills (no quarter has bills of its own)
    compound = report_dataset(world)
    # when
    c = report_content(user=world.users["secretary"], compound=compound, period=P2025)
    # then the trend is per year, 2023-2025, with both figures
    assert c.cycle_grain == "year"
    assert [(p.label, p.satisfaction_text, p.collection_text) for p in c.cycle] == [
        ("2023", "no data", "no data"),
        ("2024", "50.0%", "50.0%"),
        ("2025", "100.0%", "100.0%"),
    ]
    assert c.charts["report-cycle"]["series"][0]["data"] == [None, 0.5, 1.0]
    assert "a virtuous cycle" in c.narratives["cycle"].text


def test_the_cycle_is_per_quarter_when_quarters_have_their_own_collection(world):
    # given a quarter's collection rolled up (monthly or quarterly bills)
    compound = report_dataset(world)
    KpiRollup.objects.filter(
        compound=compound, grain="quarter", start=datetime.date(2025, 4, 1), key="fees_collection_rate"
    ).update(numerator=9, denominator=10, has_data=True)
    # when
    c = report_content(user=world.users["secretary"], compound=compound, period=P2025)
    # then twelve quarters, 2023Q1 … 2025Q4
    assert c.cycle_grain == "quarter"
    assert [p.label for p in c.cycle][:2] == ["2023Q1", "2023Q2"] and len(c.cycle) == 12
    assert next(p for p in c.cycle if p.label == "2025Q2").collection_text == "90.0%"


def test_the_charts_follow_the_shared_spec(world):
    # given
    compound = report_dataset(world)
    # when
    c = report_content(user=world.users["secretary"], compound=compound, period=P2025)
    # then bars of the rates and of the voices, before and after, rates as fractions
    rates = c.charts["report-rates"]
    assert rates["type"] == "bar" and rates["unit"] == "rate"
    assert [s["name"] for s in rates["series"]] == ["2024", "2025"]
    i = rates["x"].index("Occupancy rate")
    assert (rates["series"][0]["data"][i], rates["series"][1]["data"][i]) == (0.25, 0.5)
    voices = c.charts["report-voices"]
    j = voices["x"].index("Complaints")
    assert (voices["series"][0]["data"][j], voices["series"][1]["data"][j]) == (6, 1)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2025-13", "bad_period"),
        ("next year", "bad_period"),
        ("2025-03-14", "bad_period"),  # a day: not a report's period
        ("2099", "future_period"),
        ("2019", "before_compound"),
    ],
)
def test_a_period_a_report_cannot_cover_is_refused_with_the_reason(world, text, code):
    # given compound A, delivered in 2023
    compound = report_dataset(world, roll_up=False)
    # when / then
    with pytest.raises(DomainError) as refused:
        report_period(text, compound)
    assert refused.value.code == code and refused.value.field == "period"


def test_the_default_period_is_the_last_full_year(world):
    # when
    period = report_period("", world.compound_a)
    # then
    assert period.code == default_period() == str(timezone.localdate().year - 1)


def test_the_report_reads_in_a_fixed_number_of_queries(world):
    # given compound A's report, then more of everything (action items with photos, activities, voices)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.testing.insights_report_factories import after_photo

    compound = report_dataset(world)
    user = world.users["secretary"]
    report_content(user=user, compound=compound, period=P2025)  # (the user's memberships are cached)
    with CaptureQueriesContext(connection) as first:
        report_content(user=user, compound=compound, period=P2025)
    for n in range(5):
        item = ActionItemFactory.create(compound=compound, status=ActionStatus.DONE, done_at=at(2025, 7, n + 1))
        after_photo(item, at(2025, 7, n + 1))
    # when the report is read again
    with CaptureQueriesContext(connection) as second:
        content = report_content(user=user, compound=compound, period=P2025)
    # then as many queries as before
    assert len(content.actions) == 6
    assert len(second) == len(first) <= 20
