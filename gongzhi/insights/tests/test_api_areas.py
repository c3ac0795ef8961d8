"""``GET /api/insights/areas/{pk}/kpis/``: each compound's KPIs and the area's total, scoped like the dashboard;
invalid, missing, oversized, malicious and unauthorized input; documented in OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.api.tests.helpers import db_state, error_of
from gongzhi.insights.tests.test_area_pages import build_areas

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(world: Any) -> dict[str, Any]:
    return build_areas(world)


def path(area: Any) -> str:
    return f"/api/insights/areas/{area.pk}/kpis/"


def kpi(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return next(r for r in rows if r["key"] == key)


def test_the_api_gives_each_compounds_kpis_and_the_total(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    r = client_for(world.users["sub_district_supervisor"]).get(path(areas["sub"]), {"period": "2025"})
    assert r.status_code == 200
    body = r.json()
    assert body["area"] == {"id": areas["sub"].pk, "name": "四新街道", "level": "sub_district"}
    assert (body["period"], body["as_of"], body["year_before"]["period"]) == ("2025", "2025-12-31", "2024")
    assert [c["code"] for c in body["compounds"]] == ["aaa", "bbb", "ccc", "ddd"]
    assert body["compounds"][0]["delivered_on"] == "2023-06-30"
    a = kpi(body["compounds"][0]["kpis"], "estates_occupancy_rate")
    assert (a["numerator"], a["denominator"], a["display"]) == (1, 2, "50.0%")
    total = kpi(body["total"]["kpis"], "estates_occupancy_rate")
    assert (total["numerator"], total["denominator"], total["display"]) == (4, 6, "66.7%")
    assert total["year_before"]["denominator"] == 6 and total["change_pp"] == pytest.approx(16.6667, abs=1e-3)
    assert kpi(body["total"]["kpis"], "voices_complaint")["numerator"] == 6
    assert kpi(body["compounds"][3]["kpis"], "voices_complaint")["no_data"] is True


def test_the_api_is_scoped_like_the_page(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    body = client_for(world.users["property_manager"]).get(path(areas["sub"]), {"period": "2025"}).json()
    assert [c["code"] for c in body["compounds"]] == ["aaa", "ccc"]
    total = kpi(body["total"]["kpis"], "estates_occupancy_rate")
    assert (total["numerator"], total["denominator"]) == (3, 5)


def test_the_api_filters_by_cohort(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    body = (
        client_for(world.users["sub_district_supervisor"])
        .get(path(areas["sub"]), {"period": "2025", "cohort": 2021})
        .json()
    )
    assert body["cohort"] == 2021 and [c["code"] for c in body["compounds"]] == ["ccc", "ddd"]
    assert kpi(body["total"]["kpis"], "estates_occupancy_rate")["denominator"] == 3


def test_the_api_pages_the_compounds_and_totals_them_all(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    client = client_for(world.users["sub_district_supervisor"])
    body = client.get(path(areas["sub"]), {"period": "2025", "page": 2, "page_size": 3}).json()
    assert (body["count"], body["page"], body["pages"]) == (4, 2, 2)
    assert [c["code"] for c in body["compounds"]] == ["ddd"]
    assert kpi(body["total"]["kpis"], "estates_occupancy_rate")["denominator"] == 6
    assert client.get(path(areas["sub"]), {"period": "2025", "page": 9}).json()["compounds"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "period"),
        ({"period": "2025-13"}, "period"),
        ({"period": "20251" * 4}, "period"),
        ({"period": "<script>alert(1)</script>"}, "period"),
        ({"period": "2025", "cohort": "abc"}, "cohort"),
        ({"period": "2025", "cohort": "1999"}, "cohort"),
        ({"period": "2025", "cohort": "2022"}, "cohort"),  # a year no compound of the area was delivered in
        ({"period": "2025", "page_size": "1000"}, "page_size"),
        ({"period": "2025", "page": "0"}, "page"),
        ({"period": "2025", "cohort": "2023x"}, "cohort"),
    ],
)
def test_the_api_refuses_bad_input_and_changes_nothing(
    world: Any, client_for: Any, areas: dict[str, Any], query: dict[str, str], field: str
) -> None:
    client = client_for(world.users["sub_district_supervisor"])
    before = db_state()
    r = client.get(path(areas["sub"]), query)
    assert r.status_code == 400
    assert error_of(r)["field"] == field
    assert "<script>" not in r.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999", "0", "-1", "abc"])
def test_the_api_does_not_find_unknown_areas(world: Any, client_for: Any, areas: dict[str, Any], pk: str) -> None:
    r = client_for(world.users["superuser"]).get(f"/api/insights/areas/{pk}/kpis/", {"period": "2025"})
    assert r.status_code in (400, 404)
    assert error_of(r)["code"] in ("not_found", "invalid")
    if pk == "999999":
        assert r.status_code == 404


def test_the_api_hides_areas_out_of_scope_and_refuses_non_readers(
    world: Any, client_for: Any, areas: dict[str, Any]
) -> None:
    # community B holds no compound of A物业: as unknown as an area that does not exist
    r = client_for(world.users["property_manager"]).get(path(areas["b"].community), {"period": "2025"})
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    # a resident reads no KPI at all
    r = client_for(world.users["resident"]).get(path(areas["sub"]), {"period": "2025"})
    assert r.status_code == 403 and error_of(r)["code"] == "forbidden"
    # and the anonymous visitor must log in
    r = client_for(None).get(path(areas["sub"]), {"period": "2025"})
    assert r.status_code == 401


def test_the_api_refuses_writes(world: Any, client_for: Any, areas: dict[str, Any]) -> None:
    r = client_for(world.users["superuser"]).post(path(areas["sub"]) + "?period=2025")
    assert r.status_code in (403, 405)


def test_the_area_endpoint_is_documented_in_openapi(client: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/insights/areas/{pk}/kpis/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"pk", "period", "cohort", "page", "page_size"} <= names
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    assert "total" in (operation.get("description", "") + operation.get("summary", "")).lower()
