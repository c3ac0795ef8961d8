"""The peer comparison (insights:peers): compound A against its community (C), its sub-district (B, C, D) and its
delivery cohort (B: delivered in 2023 in the same district), on the dataset of test_area_pages.py.

Occupancy 2025: A 1/2 = 50.0%; community C 2/3 = 66.7% (−16.7 pp, rank 2 of 2); sub-district B + C + D = 3/4 =
75.0% (−25.0 pp, rank 3 of 3); cohort B 1/1 = 100.0% (−50.0 pp, rank 2 of 2). Complaints: A 3; community C 1
(mean 1.0, +2, rank 1 of 2); sub-district B 2 + C 1, D no data = 3 (mean 1.5, +1.5, rank 1 of 3).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from gongzhi.api.tests.helpers import db_state
from gongzhi.insights.tests.test_area_pages import build_areas

pytestmark = pytest.mark.django_db
URL = "/insights/compounds/aaa/peers/"


@pytest.fixture
def areas(world: Any) -> dict[str, Any]:
    return build_areas(world)


def row(response: Any, key: str) -> dict[str, Any]:
    return next(r for r in response.context["rows"] if r["definition"].key == key)


def test_the_compound_is_compared_with_its_community_sub_district_and_cohort(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    # when the sub-district supervisor compares compound A with its peers in 2025
    r = client_for(world.users["sub_district_supervisor"]).get(URL, {"period": "2025"})
    assert r.status_code == 200
    assert [g.key for g in r.context["groups"]] == ["community", "sub_district", "cohort"]
    assert [[c.code for c in g.members] for g in r.context["groups"]] == [["ccc"], ["bbb", "ccc", "ddd"], ["bbb"]]
    # then occupancy: each group's rate of sums, the rank and the difference in percentage points
    occupancy = row(r, "estates_occupancy_rate")
    assert occupancy["own"] == "50.0%"
    assert [(f["display"], f["figures"], f["rank"], f["ranked"], f["difference"]) for f in occupancy["figures"]] == [
        ("66.7%", "2 / 3", 2, 2, "−16.7 pp"),
        ("75.0%", "3 / 4", 3, 3, "−25.0 pp"),
        ("100.0%", "1 / 1", 2, 2, "−50.0 pp"),
    ]
    # and complaints: the group's sum, compared with its mean per compound with data
    complaints = row(r, "voices_complaint")
    assert [(f["display"], f["mean"], f["rank"], f["ranked"], f["difference"]) for f in complaints["figures"]] == [
        ("1", "1.0", 1, 2, "+2"),
        ("3", "1.5", 1, 3, "+1.5"),
        ("2", "2.0", 1, 2, "+1"),
    ]
    body = r.content.decode()
    assert "−25.0 pp" in body and "3 / 4" in body


def test_the_chart_compares_the_compound_with_each_group(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    r = client_for(world.users["sub_district_supervisor"]).get(URL, {"period": "2025", "kpi": "voices_complaint"})
    spec = r.context["chart_spec"]
    assert spec["type"] == "bar" and spec["unit"] == "count"
    assert spec["x"][0] == "A小区" and len(spec["x"]) == 4
    assert spec["series"][0]["data"] == [3.0, 1.0, 1.5, 2.0]
    assert 'id="chart-peers"' in r.content.decode()


def test_peers_outside_the_scope_count_but_are_not_named_or_linked(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    # given A物业's manager, whose scope holds A and C but not B and D
    r = client_for(world.users["property_manager"]).get(URL, {"period": "2025"})
    assert r.status_code == 200
    # then the sub-district's figure still counts B and D
    assert row(r, "estates_occupancy_rate")["figures"][1]["figures"] == "3 / 4"
    # but the lists name and link only A and C; B and D are "other compound N"
    lists = {g.key: members for g, members in r.context["lists"]}
    assert [(m["name"], m["url"]) for m in lists["sub_district"]] == [
        ("other compound 1", None),  # B 100%
        ("C小区", "/insights/compounds/ccc/?period=2025"),  # 66.7%
        ("A小区", "/insights/compounds/aaa/?period=2025"),  # 50%
        ("other compound 2", None),  # D no data
    ]
    body = r.content.decode()
    assert "B小区" not in body and "D小区" not in body
    assert "/compounds/bbb/" not in body and "/compounds/ddd/" not in body
    assert "bbb" not in body and "ddd" not in body
    # and the page leads to the dashboards of the compound's sub-district and community
    assert f'href="/insights/areas/{areas["sub"].pk}/?period=2025"' in body
    assert f'href="/insights/areas/{areas["community_a"].pk}/?period=2025"' in body


def test_peers_in_scope_are_named_and_linked(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    r = client_for(world.users["sub_district_supervisor"]).get(URL, {"period": "2025"})
    lists = {g.key: members for g, members in r.context["lists"]}
    assert [m["name"] for m in lists["sub_district"]] == ["B小区", "C小区", "A小区", "D小区"]
    assert [m["rank"] for m in lists["sub_district"]] == [1, 2, 3, None]
    assert lists["cohort"][0]["url"] == "/insights/compounds/bbb/?period=2025"


def test_the_comparison_downloads_as_xlsx_without_naming_peers(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    r = client_for(world.users["property_manager"]).get(URL, {"period": "2025", "format": "xlsx"})
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    headers = rows[1]
    assert headers[:2] == ("KPI", "A小区")
    occupancy = next(line for line in rows[2:] if line[0] == "Occupancy rate (%)")
    sub = headers.index("Sub-district 四新街道")
    assert occupancy[1] == pytest.approx(50.0)
    assert occupancy[sub : sub + 4] == (pytest.approx(75.0), None, "3/3", pytest.approx(-25.0))
    text = " ".join(str(v) for line in rows for v in line if v is not None)
    assert "B小区" not in text and "D小区" not in text


def test_a_compound_without_a_delivery_date_has_no_cohort(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    areas["a"].delivered_on = None
    areas["a"].save()
    r = client_for(world.users["sub_district_supervisor"]).get(URL, {"period": "2025"})
    assert [g.key for g in r.context["groups"]] == ["community", "sub_district"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"period": "2025Q5"}, "period", "is not a period"),
        ({"period": "x" * 11}, "period", "A period is at most 10 characters"),
        ({"kpi": "<script>x</script>"}, "kpi", "There is no such KPI."),
    ],
)
def test_bad_input_is_refused_with_the_reason(
    world: Any, client_for: Any, areas: dict[str, Any], params: dict[str, str], field: str, message: str
) -> None:
    client = client_for(world.users["secretary"])
    before = db_state()
    for extra in ({}, {"format": "xlsx"}):
        r = client.get(URL, {**params, **extra})
        assert r.status_code == 400
        body = r.content.decode()
        assert f'id="error-{field}"' in body and 'id="peers-table"' not in body
        assert message in body
        assert "<script>x</script>" not in body
    assert db_state() == before


def test_an_unknown_compound_is_not_found_and_one_out_of_scope_forbidden(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    client = client_for(world.users["secretary"])
    assert client.get("/insights/compounds/zzz/peers/").status_code == 404
    assert client.get("/insights/compounds/bbb/peers/").status_code == 403
    assert client.get("/insights/compounds/%3Cscript%3E/peers/").status_code == 404
