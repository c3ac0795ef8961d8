"""The insights index and the compound dashboard: what they show, bad input, xlsx, constant queries."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.insights.models import Honour, KpiRollup
from gongzhi.insights.registry import definitions
from gongzhi.testing.factories import CompoundFactory
from gongzhi.testing.voices_factories import VoiceFactory

from .dashboard_data import build, t

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world: Any) -> dict[str, Any]:
    return build(world)


def dashboard(code: str = "aaa", **params: str) -> str:
    url = reverse("insights:compound", args=[code])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def spec(html: str, chart_id: str) -> dict[str, Any]:
    m = re.search(rf'<script id="chart-{chart_id}" type="application/json">(.*?)</script>', html, re.S)
    assert m, chart_id
    return json.loads(m.group(1))


def test_the_dashboard_shows_every_registered_kpi_by_section(world: Any, data: Any, client_for: Any) -> None:
    # given: a property manager of compound A
    client = client_for(world.users["property_manager"])
    # when: the dashboard of 2025 is opened
    r = client.get(dashboard(period="2025"))
    # then: every registered KPI has a card, in its section, with its figure and the year before
    assert r.status_code == 200
    html = r.content.decode()
    for d in definitions():
        assert f'data-kpi="{d.key}"' in html
    assert 'id="kpis-voices"' in html and 'id="kpis-fees"' in html
    cards = {v.definition.key: v for section in r.context["sections"] for v in section.cards}
    occupancy = cards["estates_occupancy_rate"]
    assert occupancy.display == "50.0%" and occupancy.parts == "2 / 4"
    complaints = cards["voices_complaint"]
    assert complaints.display == "2" and complaints.year_before == "1" and complaints.change == "+100.0%"
    satisfaction = cards["voices_satisfaction_rate"]
    assert satisfaction.display == "100.0%" and satisfaction.parts == "2 / 2"  # V2: its latest rating (basic)
    collection = cards["fees_collection_rate"]
    assert collection.parts == "600 / 1,900"
    assert "+" in cards["estates_occupancy_rate"].change and "pp" in cards["estates_occupancy_rate"].change
    # each figure links to its drill-down for the same period
    assert reverse("insights:drill", args=["aaa", "voices_complaint"]) + "?period=2025" in html
    # the honour is listed
    assert "区级最美小区" in html


def test_a_kpi_without_data_reads_no_data_never_zero(world: Any, client_for: Any) -> None:
    # given: compound A with no records and no rollups
    client = client_for(world.users["secretary"])
    # when
    r = client.get(dashboard(period="2025"))
    # then: every card reads "no data"
    assert r.status_code == 200
    cards = [c for s in r.context["sections"] for c in s.cards]
    assert cards and all(c.display == "no data" and c.no_data for c in cards)
    assert "gz-nodata" in r.content.decode()


def test_the_charts_read_the_monthly_rollups(world: Any, data: Any, client_for: Any) -> None:
    client = client_for(world.users["property_manager"])
    html = client.get(dashboard(period="2025")).content.decode()
    # occupancy: 24 months up to December 2025; 25% in January 2025 (1 of 4), 50% from June
    occ = spec(html, "occupancy")
    assert occ["type"] == "line" and occ["unit"] == "rate" and len(occ["x"]) == 24
    assert occ["x"][-1] == "2025-12"
    i_jan, i_jun = occ["x"].index("2025-01"), occ["x"].index("2025-06")
    assert occ["series"][0]["data"][i_jan] == 0.25 and occ["series"][0]["data"][i_jun] == 0.5
    assert (
        occ["links"][0][i_jun] == reverse("insights:drill", args=["aaa", "estates_occupancy_rate"]) + "?period=2025-06"
    )
    # voices by kind per month: stacked counts, two complaints in March 2025
    voices = spec(html, "voices")
    assert voices["type"] == "stacked" and len(voices["x"]) == 12
    names = [s["name"] for s in voices["series"]]
    march = voices["x"].index("2025-03")
    assert voices["series"][names.index("Complaints")]["data"][march] == 2
    # rates per month; fee collection by year; joint work per month
    rates = spec(html, "rates")
    assert [s["name"] for s in rates["series"]] == ["Response rate", "Resolution rate", "Satisfaction rate"]
    collection = spec(html, "collection")
    years = collection["x"]
    assert years[-1] == "2025" and collection["series"][0]["data"][years.index("2024")] == 0.5
    assert spec(html, "arrears")["series"][0]["data"][years.index("2025")] == 2100.0  # 800 + 400 + 900
    joint = spec(html, "joint")
    assert joint["series"][0]["data"][march] == 1
    # each chart has its table beneath, and a months without rollup reads "no data"
    assert html.count('class="gz-chart"') == html.count("<table>")
    assert "no data" in html


def test_sections_registered_later_get_charts_without_changes(world: Any, data: Any, client_for: Any) -> None:
    # given: a KPI of another section registered by another app (here: for the test only)
    from gongzhi.insights.registry import _REGISTRY, COUNT, KpiDefinition, Measure

    d = KpiDefinition(key="zz_test_things", label="Things", unit=COUNT, section="zz_test", order=990,
                      compute=lambda ctx: {c: Measure.count(3) for c in ctx.compound_ids})  # fmt: skip
    _REGISTRY[d.key] = d
    try:
        # when
        html = client_for(world.users["secretary"]).get(dashboard(period="2025")).content.decode()
    finally:
        del _REGISTRY[d.key]
    # then: a card (no data: nothing rolled up) and a chart of its own
    assert 'data-kpi="zz_test_things"' in html
    assert spec(html, "zz_test-count")["series"][0]["name"] == "Things"


def test_the_default_period_is_this_year_to_date(world: Any, client_for: Any) -> None:
    from gongzhi.insights.periods import today

    r = client_for(world.users["secretary"]).get(dashboard())
    assert r.status_code == 200
    assert r.context["period"].code == str(today().year)
    assert r.context["as_of"] == today()


@pytest.mark.parametrize("period", ["2025Q1", "2025-03"])
def test_quarters_and_months_can_be_picked(world: Any, data: Any, client_for: Any, period: str) -> None:
    r = client_for(world.users["secretary"]).get(dashboard(period=period))
    assert r.status_code == 200
    cards = {c.definition.key: c for s in r.context["sections"] for c in s.cards}
    assert cards["voices_complaint"].display == "2"  # both complaints are of March
    assert f'href="?period={period}" aria-current="true"' in r.content.decode()


@pytest.mark.parametrize("period", ["2025-13", "abc", "1999", "2025Q5", "<script>alert(1)</script>", "9" * 500])
def test_a_bad_period_is_a_clear_error_not_a_crash(world: Any, client_for: Any, period: str) -> None:
    # given
    client = client_for(world.users["secretary"])
    before = KpiRollup.objects.count()
    # when
    r = client.get(reverse("insights:compound", args=["aaa"]), {"period": period})
    # then: 400 with the reason, the input escaped, nothing written
    assert r.status_code == 400
    html = r.content.decode()
    assert "is not a period" in html
    assert "<script>alert(1)</script>" not in html
    assert KpiRollup.objects.count() == before


def test_an_unknown_compound_is_404_and_one_out_of_scope_403(world: Any, client_for: Any) -> None:
    client = client_for(world.users["property_manager"])
    assert client.get(dashboard("nope")).status_code == 404
    assert client.get(dashboard("bbb")).status_code == 403


def test_a_script_in_the_search_is_escaped(world: Any, client_for: Any) -> None:
    client = client_for(world.users["sub_district_supervisor"])
    r = client.get(reverse("insights:index"), {"q": "<script>alert(1)</script>"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_index_sends_one_compound_to_its_dashboard(world: Any, client_for: Any) -> None:
    r = client_for(world.users["property_manager"]).get(reverse("insights:index"))
    assert r.status_code == 302 and r["Location"] == reverse("insights:compound", args=["aaa"])


def test_the_index_lists_several_compounds_with_search_and_pages(world: Any, client_for: Any) -> None:
    # given: 25 more compounds in compound B's community (the sub-district supervisor measures them all)
    for i in range(25):
        CompoundFactory.create(code=f"x{i:02d}", name=f"测试小区{i:02d}", community=world.compound_b.community)
    client = client_for(world.users["sub_district_supervisor"])
    # when / then: a page of 20, a second page, search by name
    r = client.get(reverse("insights:index"))
    assert r.status_code == 200 and len(r.context["page"].object_list) == 20
    assert r.context["page"].paginator.count == 27
    assert client.get(reverse("insights:index"), {"page": 2}).context["page"].number == 2
    found = client.get(reverse("insights:index"), {"q": "测试小区07"}).context["page"].object_list
    assert [c.code for c in found] == ["x07"]
    assert reverse("insights:compound", args=["aaa"]) in r.content.decode()


def test_the_index_links_the_area_dashboards_when_they_exist(world: Any, client_for: Any) -> None:
    from django.urls import NoReverseMatch

    r = client_for(world.users["sub_district_supervisor"]).get(reverse("insights:index"))
    try:
        url = reverse("insights:area", args=[world.compound_a.community_id])
    except NoReverseMatch:
        pytest.skip("the area dashboard is not there yet")
    assert url in r.content.decode()


def test_the_kpi_table_downloads_as_xlsx(world: Any, data: Any, client_for: Any) -> None:
    r = client_for(world.users["property_manager"]).get(dashboard(period="2025", format="xlsx"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert "A小区" in rows[0][0]
    assert rows[1][:3] == ("Section", "KPI", "Value")
    by_label = {row[1]: row for row in rows[2:]}
    assert by_label["Occupancy rate"][2] == 50.0 and by_label["Occupancy rate"][3] == 2
    assert by_label["Complaints"][2] == 2 and by_label["Complaints"][6] == 100.0
    assert len(rows) == 2 + len(definitions())


def test_every_chart_table_downloads_as_xlsx(world: Any, data: Any, client_for: Any) -> None:
    client = client_for(world.users["property_manager"])
    r = client.get(dashboard(period="2025"))
    for chart in r.context["charts"]:
        x = client.get(dashboard(period="2025", format="xlsx", table=chart.id))
        assert x.status_code == 200, chart.id
        rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
        assert len(rows) == 2 + len(chart.spec["x"])
    occ = list(load_workbook(io.BytesIO(client.get(dashboard(period="2025", format="xlsx", table="occupancy")).content))
               .active.iter_rows(values_only=True))  # fmt: skip
    assert occ[1] == ("Month", "Occupancy rate (%)")
    assert ("2025-06", 50.0) in occ
    assert client.get(dashboard(period="2025", format="xlsx", table="nope")).status_code == 404


def test_the_dashboard_takes_a_constant_number_of_queries(world: Any, client_for: Any) -> None:
    # given: compound A with a small dataset, measured once
    client = client_for(world.users["secretary"])
    build(world)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(dashboard(period="2025")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    # when: ten times the voices, more honours and rollups of more months
    for i in range(40):
        VoiceFactory.create(compound=world.compound_a, submitted_at=t(2025, 1 + i % 12, 3))
    for year in range(2015, 2024):
        Honour.objects.create(community=world.compound_a.community, compound=world.compound_a, year=year,
                              title="文明小区", awarded_by="街道")  # fmt: skip
    from gongzhi.insights.periods import MONTH, YEAR
    from gongzhi.insights.rollups import rollups_recompute

    from .dashboard_data import TODAY, D

    rollups_recompute([world.compound_a], D(2025, 1, 1), D(2025, 12, 31), today=TODAY, grains=(MONTH, YEAR))
    # then: the same number of queries
    assert count() == small


def test_the_index_takes_a_constant_number_of_queries(world: Any, client_for: Any) -> None:
    client = client_for(world.users["sub_district_supervisor"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("insights:index")).status_code == 200
        return len(ctx.captured_queries)

    two = count()
    for i in range(8):
        CompoundFactory.create(code=f"y{i}", community=world.compound_b.community)
    assert count() == two


def test_a_property_manager_of_two_companies_compounds_sees_the_list(world: Any, client_for: Any) -> None:
    # given: a second compound of the same property company
    CompoundFactory.create(code="ccc", name="C小区", community=world.compound_a.community,
                           property_company=world.orgs["property"])  # fmt: skip
    r = client_for(world.users["property_manager"]).get(reverse("insights:index"))
    assert r.status_code == 200
    codes = [c.code for c in r.context["page"].object_list]
    assert codes == ["aaa", "ccc"]
