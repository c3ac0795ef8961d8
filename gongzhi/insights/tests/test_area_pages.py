"""The community and sub-district dashboards (insights:area): the table of compounds side by side with the area's
total (sums of numerators and denominators), its filters, sorting, charts, links and xlsx, read from rollups.

The dataset (``areas``), on the role world's sub-district 四新街道 (A社区: A小区 "aaa" and C小区 "ccc", both of
A物业; B社区: B小区 "bbb" and D小区 "ddd" of other companies), measured for 2025 and 2024:

- occupancy at the end of 2025: A 1/2, B 1/1, C 2/3, D no houses → supervisor 4/6 = 66.7% (a mean of the
  rates would be 72.2%); A物业's manager A + C = 3/5 = 60.0% (mean 58.3%). End of 2024: B 0/1 → 3/6 = 50.0%.
- complaints in 2025: A 3, B 2, C 1, D none (no data) → 6; A物业: 4. Praise: A 1.
- delivered: A and B in 2023, C and D in 2021.
"""

from __future__ import annotations

import datetime
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from gongzhi.estates.models import Area, HouseStatus
from gongzhi.insights.periods import MONTH, YEAR
from gongzhi.insights.rollups import rollups_recompute
from gongzhi.testing.factories import CompoundFactory, HouseFactory, UnitFactory, house_with_history
from gongzhi.testing.voices_factories import VoiceFactory
from gongzhi.voices.models import Kind

pytestmark = pytest.mark.django_db
D = datetime.date
SH = ZoneInfo("Asia/Shanghai")


def build_areas(world: Any, *, months: bool = False) -> dict[str, Any]:
    """The hand-computed dataset of the module docstring, rolled up for 2024 and 2025 (years; months too)."""
    a, b = world.compound_a, world.compound_b
    c = CompoundFactory.create(
        code="ccc", name="C小区", community=a.community, property_company=a.property_company,
        delivered_on=D(2021, 5, 1),
    )  # fmt: skip
    d = CompoundFactory.create(code="ddd", name="D小区", community=b.community, delivered_on=D(2021, 9, 1))
    house_with_history(world.house_a, (HouseStatus.OCCUPIED, D(2023, 7, 1)))
    house_with_history(world.house_a2, (HouseStatus.VACANT, D(2023, 6, 30)))
    house_with_history(world.house_b, (HouseStatus.VACANT, D(2023, 6, 30)), (HouseStatus.OCCUPIED, D(2025, 3, 1)))
    unit = UnitFactory.create(building__compound=c)
    for n, status in enumerate((HouseStatus.OCCUPIED, HouseStatus.OCCUPIED, HouseStatus.VACANT), start=1):
        house = HouseFactory.create(unit=unit, room=f"{n}01", floor=n, delivered_on=D(2021, 5, 1))
        house_with_history(house, (status, D(2021, 6, 1)))
    at = datetime.datetime(2025, 5, 10, 10, tzinfo=SH)
    for compound, kind, n in (
        (a, Kind.COMPLAINT, 3),
        (a, Kind.PRAISE, 1),
        (b, Kind.COMPLAINT, 2),
        (c, Kind.COMPLAINT, 1),
    ):
        for _ in range(n):
            VoiceFactory.create(compound=compound, kind=kind, submitted_at=at)
    compounds = [a, b, c, d]
    grains = (MONTH, YEAR) if months else (YEAR,)
    rollups_recompute(compounds, D(2024, 1, 1), D(2025, 12, 31), grains=grains)
    return {"a": a, "b": b, "c": c, "d": d, "sub": a.community.parent, "community_a": a.community}


@pytest.fixture
def areas(world: Any) -> dict[str, Any]:
    return build_areas(world)


def url(area: Area) -> str:
    return f"/insights/areas/{area.pk}/"


def get(client: Any, area: Area, **params: Any) -> Any:
    return client.get(url(area), {"period": "2025", **params})


def codes(response: Any) -> list[str]:
    return [row["compound"].code for row in response.context["rows"]]


def total(response: Any, key: str) -> Any:
    return next(c for c in response.context["total"] if c.key == key)


def test_the_total_row_adds_up_numerators_and_denominators_never_a_mean_of_rates(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    # given the sub-district supervisor
    client = client_for(world.users["sub_district_supervisor"])
    # when they open the sub-district's dashboard for 2025
    r = get(client, areas["sub"])
    # then every compound of the sub-district is a row, by name, and the total sums the compounds' figures
    assert r.status_code == 200
    assert codes(r) == ["aaa", "bbb", "ccc", "ddd"]
    occupancy = total(r, "estates_occupancy_rate")
    assert (occupancy.display, occupancy.figures) == ("66.7%", "4 / 6")  # a mean of rates would be 72.2%
    assert occupancy.change == "+33.3% / +16.7 pp"  # against 3 / 6 at the end of 2024
    assert (total(r, "voices_complaint").display, total(r, "voices_praise").display) == ("6", "1")
    body = r.content.decode()
    assert 'id="area-total"' in body and "66.7%" in body and "4 / 6" in body
    assert "4 compounds in your scope, 2025" in body


def test_a_compound_without_records_reads_no_data_never_zero(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    r = get(client_for(world.users["sub_district_supervisor"]), areas["sub"])
    d_row = next(row for row in r.context["rows"] if row["compound"].code == "ddd")
    cells = {c.key: c for c in d_row["cells"]}
    assert cells["estates_occupancy_rate"].display == "no data" and cells["estates_occupancy_rate"].no_data
    assert cells["voices_complaint"].display == "no data"


def test_a_period_not_rolled_up_reads_no_data(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    r = get(client_for(world.users["sub_district_supervisor"]), areas["sub"], period="2022")
    assert r.status_code == 200
    assert {c.display for c in r.context["total"]} == {"no data"}


def test_a_property_manager_sees_only_its_companys_compounds_and_their_total(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    # given A物业's manager (compounds A and C of the sub-district)
    client = client_for(world.users["property_manager"])
    # when they open the sub-district's dashboard
    r = get(client, areas["sub"])
    # then only A and C are listed, and the total is theirs: 3 / 5 occupied, 4 complaints
    assert codes(r) == ["aaa", "ccc"]
    assert (total(r, "estates_occupancy_rate").display, total(r, "estates_occupancy_rate").figures) == (
        "60.0%",
        "3 / 5",
    )
    assert total(r, "voices_complaint").display == "4"
    body = r.content.decode()
    assert "B小区" not in body and "D小区" not in body
    # and the cohort filter offers only their delivery years
    assert r.context["form"].fields["cohort"].choices == [("", "All cohorts"), ("2023", "2023"), ("2021", "2021")]


def test_a_community_dashboard_lists_the_compounds_of_that_community(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    r = get(client_for(world.users["sub_district_supervisor"]), areas["community_a"])
    assert codes(r) == ["aaa", "ccc"]
    assert total(r, "estates_occupancy_rate").figures == "3 / 5"


def test_a_district_dashboard_lists_every_compound_below_it(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    r = get(client_for(world.users["district_supervisor"]), areas["sub"].parent)
    assert codes(r) == ["aaa", "bbb", "ccc", "ddd"]
    assert total(r, "estates_occupancy_rate").figures == "4 / 6"


def test_the_cohort_filter_keeps_the_compounds_delivered_that_year(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    client = client_for(world.users["sub_district_supervisor"])
    # when the supervisor keeps the compounds delivered in 2021
    r = get(client, areas["sub"], cohort="2021")
    # then C and D remain, and the total is theirs
    assert codes(r) == ["ccc", "ddd"]
    assert total(r, "estates_occupancy_rate").figures == "2 / 3"
    assert total(r, "voices_complaint").display == "1"
    assert "delivered in 2021" in r.content.decode()
    # and 2023 keeps A and B
    assert codes(get(client, areas["sub"], cohort="2023")) == ["aaa", "bbb"]


def test_the_search_finds_compounds_by_name_or_code(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    client = client_for(world.users["sub_district_supervisor"])
    assert codes(get(client, areas["sub"], q="C小")) == ["ccc"]
    assert codes(get(client, areas["sub"], q="dd")) == ["ddd"]
    r = get(client, areas["sub"], q="no such")
    assert r.context["rows"] == [] and 'id="area-empty"' in r.content.decode()


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "' OR 1=1 --", "%", "_"])
def test_a_malicious_search_is_plain_text_and_escaped(
    world: Any, client_for: Any, areas: dict[str, Any], q: str
) -> None:
    r = get(client_for(world.users["sub_district_supervisor"]), areas["sub"], q=q)
    assert r.status_code == 200 and r.context["rows"] == []
    assert "<script>alert(1)" not in r.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-estates_occupancy_rate", ["bbb", "ccc", "aaa", "ddd"]),  # no data last, either way
        ("estates_occupancy_rate", ["aaa", "ccc", "bbb", "ddd"]),
        ("-voices_complaint", ["aaa", "bbb", "ccc", "ddd"]),
        ("-name", ["ddd", "ccc", "bbb", "aaa"]),
        ("community", ["aaa", "ccc", "bbb", "ddd"]),
        ("cohort", ["ccc", "ddd", "aaa", "bbb"]),
    ],
)
def test_the_table_sorts_by_a_column(
    world: Any, client_for: Any, areas: dict[str, Any], sort: str, expected: list[str]
) -> None:
    r = get(client_for(world.users["sub_district_supervisor"]), areas["sub"], sort=sort)
    assert codes(r) == expected
    # the total does not depend on the order
    assert total(r, "estates_occupancy_rate").figures == "4 / 6"


def test_a_column_header_toggles_its_sort(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    r = get(client_for(world.users["sub_district_supervisor"]), areas["sub"], sort="-voices_complaint", cohort="2023")
    headers = {h["key"]: h for h in r.context["headers"]}
    assert headers["voices_complaint"]["sort"] == "voices_complaint"
    assert headers["voices_complaint"]["aria"] == "descending"
    assert headers["estates_occupancy_rate"]["sort"] == "-estates_occupancy_rate"
    assert headers["name"]["sort"] == "name"
    # the links keep the other filters
    assert 'href="?period=2025&amp;cohort=2023&amp;sort=voices_complaint"' in r.content.decode()


def test_every_figure_links_to_its_drill_down_and_every_name_to_the_compound(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    r = get(client_for(world.users["sub_district_supervisor"]), areas["sub"])
    row = r.context["rows"][0]
    assert row["url"] == "/insights/compounds/aaa/?period=2025"
    cells = {c.key: c for c in row["cells"]}
    assert cells["voices_complaint"].url == "/insights/compounds/aaa/kpis/voices_complaint/?period=2025"
    assert cells["estates_occupancy_rate"].url == "/insights/compounds/aaa/kpis/estates_occupancy_rate/?period=2025"


def test_the_table_has_a_column_for_every_registered_kpi(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    from gongzhi.insights.registry import definitions

    r = get(client_for(world.users["sub_district_supervisor"]), areas["sub"])
    keys = [d.key for d in definitions()]
    assert [c.key for c in r.context["rows"][0]["cells"]] == keys
    assert [c.key for c in r.context["total"]] == keys
    assert [h["key"] for h in r.context["headers"]][3:] == keys


def test_the_compounds_chart_shows_the_chosen_kpi_with_links(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    r = get(
        client_for(world.users["sub_district_supervisor"]),
        areas["sub"],
        kpi="voices_complaint",
        sort="-voices_complaint",
    )
    spec = r.context["compare_spec"]
    assert spec["type"] == "bar" and spec["unit"] == "count"
    assert spec["x"] == ["A小区", "B小区", "C小区", "D小区"]
    assert spec["series"][0]["data"] == [3.0, 2.0, 1.0, None]
    assert spec["links"][0][0] == "/insights/compounds/aaa/kpis/voices_complaint/?period=2025"
    body = r.content.decode()
    assert 'id="chart-area-compare"' in body and 'data-spec="chart-area-compare"' in body


def test_the_trend_sums_the_areas_monthly_rollups(world: Any, client_for: Any) -> None:
    # given the dataset rolled up per month too
    data = build_areas(world, months=True)
    # when the supervisor charts occupancy over 2025
    r = get(client_for(world.users["sub_district_supervisor"]), data["sub"])
    spec = r.context["trend_spec"]
    # then the line has the 12 months of 2025 and the same months of 2024, summed over the compounds
    assert spec["x"][0] == "2025-01" and spec["x"][-1] == "2025-12"
    area, before = spec["series"][0]["data"], spec["series"][1]["data"]
    assert area[1] == pytest.approx(3 / 6, abs=1e-6)  # February 2025: B not yet occupied
    assert area[2] == pytest.approx(4 / 6, abs=1e-6)  # March: B moved in
    assert before[11] == pytest.approx(3 / 6, abs=1e-6)  # December 2024
    assert ("2025-03", "66.7%", "50.0%") in r.context["trend_rows"]


def test_the_table_is_paginated_and_the_total_covers_every_page(
    world: Any, client_for: Any, areas: dict[str, Any], monkeypatch: Any
) -> None:
    from gongzhi.insights.views import area as views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    client = client_for(world.users["sub_district_supervisor"])
    r = get(client, areas["sub"], page="2", sort="-name")
    assert codes(r) == ["bbb", "aaa"]
    assert total(r, "estates_occupancy_rate").figures == "4 / 6"
    assert "page=1" in r.content.decode()


def test_the_table_downloads_as_xlsx_with_the_same_filters(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    client = client_for(world.users["sub_district_supervisor"])
    # when the supervisor downloads the 2021 cohort
    r = get(client, areas["sub"], cohort="2021", format="xlsx")
    # then the sheet holds C and D and their total
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert "2025" in rows[0][0] and "2021" in rows[0][0]
    headers = rows[1]
    assert headers[:4] == ("Compound", "Code", "Community", "Delivery date")
    col = headers.index("Occupancy rate (%)")
    assert headers[col + 1 : col + 3] == ("Occupancy rate: numerator", "Occupancy rate: denominator")
    assert [r[1] for r in rows[2:]] == ["ccc", "ddd", None]
    assert rows[2][col] == pytest.approx(66.7)
    assert rows[3][col] == "no data"
    assert rows[4][0] == "Total" and rows[4][col : col + 3] == (pytest.approx(66.7), 2, 3)


def test_the_xlsx_of_a_property_manager_holds_only_its_compounds(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    r = get(client_for(world.users["property_manager"]), areas["sub"], format="xlsx")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[2:]] == ["aaa", "ccc", None]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"period": "2025Q9"}, "period", "is not a period"),
        ({"period": "2025" * 5}, "period", "A period is at most 10 characters: 2025, 2025Q1 or 2025-03."),
        ({"cohort": "1999"}, "cohort", "No compound of this area in your scope was delivered in that year."),
        ({"cohort": "abc"}, "cohort", "No compound of this area in your scope was delivered in that year."),
        ({"kpi": "nope"}, "kpi", "There is no such KPI."),
        ({"kpi": "<script>x</script>"}, "kpi", "There is no such KPI."),
        ({"sort": "password"}, "sort", "The table cannot be sorted by that column."),
        ({"sort": "--name"}, "sort", "The table cannot be sorted by that column."),
        ({"q": "x" * 51}, "q", "Search for at most 50 characters."),
        ({"q": "a\x01b"}, "q", "The search may not contain control characters."),
        ({"q": "a\x00b"}, "q", None),  # Django's own message
    ],
)
def test_bad_filters_are_refused_with_the_reason_and_change_nothing(
    world: Any, client_for: Any, areas: dict[str, Any], params: dict[str, str], field: str, message: str | None
) -> None:
    from gongzhi.api.tests.helpers import db_state
    from gongzhi.insights.models import KpiRollup

    client = client_for(world.users["sub_district_supervisor"])
    before, rollups = db_state(), KpiRollup.objects.count()
    # when the filters are not valid (the page and its xlsx)
    for extra in ({}, {"format": "xlsx"}):
        r = get(client, areas["sub"], **params, **extra)
        # then the page says why, beside the field, and shows no figures
        assert r.status_code == 400
        body = r.content.decode()
        assert f'id="error-{field}"' in body and 'id="filter-error"' in body
        assert message is None or message in body
        assert 'id="area-table"' not in body and "<script>x</script>" not in body
    assert db_state() == before and KpiRollup.objects.count() == rollups


def test_an_unknown_area_or_one_out_of_scope_is_not_found(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    manager = client_for(world.users["property_manager"])
    # B社区 holds no compound of A物业: not found, as an area that does not exist
    assert manager.get(url(areas["b"].community)).status_code == 404
    assert manager.get("/insights/areas/999999/").status_code == 404
    assert manager.get("/insights/areas/99999999999999999999/").status_code == 404
    assert manager.get("/insights/areas/abc/").status_code == 404


def test_who_reads_no_kpi_gets_the_forbidden_page(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    assert client_for(world.users["resident"]).get(url(areas["sub"])).status_code == 403
    assert client_for(world.users["liaison"]).get("/insights/areas/").status_code == 403


def test_the_area_picker_lists_the_areas_in_scope_and_opens_one(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    client = client_for(world.users["property_manager"])
    # the list: the district, the sub-district and community A (B holds none of A物业's compounds)
    r = client.get("/insights/areas/")
    assert r.status_code == 200
    assert [a.name for a in r.context["areas"]] == ["汉阳区", "四新街道", "A社区"]
    assert "B社区" not in r.content.decode()
    # choosing one opens its dashboard, keeping the period
    r = client.get("/insights/areas/", {"area": areas["sub"].pk, "period": "2024"})
    assert r.status_code == 302 and r["Location"] == f"{url(areas['sub'])}?period=2024"
    # an area out of scope, or not a number, is not found
    assert client.get("/insights/areas/", {"area": areas["b"].community.pk}).status_code == 404
    assert client.get("/insights/areas/", {"area": "<script>"}).status_code == 404
    # the dashboard carries the picker
    assert 'id="area-picker"' in get(client, areas["sub"]).content.decode()


def test_the_default_period_is_this_year(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    from gongzhi.insights.periods import today

    r = client_for(world.users["sub_district_supervisor"]).get(url(areas["sub"]))
    assert r.status_code == 200 and r.context["period"].code == str(today().year)
