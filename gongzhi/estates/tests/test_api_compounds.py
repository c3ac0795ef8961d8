"""API: compounds in scope, and one compound's overview with occupancy and permanent residents at a date."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from gongzhi.api.tests.helpers import error_of
from gongzhi.estates.models import Compound, HouseStatus
from gongzhi.testing.factories import (
    CompoundFactory,
    HouseFactory,
    ResidentFactory,
    UnitFactory,
    house_with_history,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def _occupancy_compound() -> Compound:
    """Five houses with a hand-written history (see the expected figures in the tests)."""
    compound = CompoundFactory.create(code="occ", name="入住率小区", delivered_on=D(2023, 6, 30))
    unit = UnitFactory.create(building__compound=compound)
    h1, h2, h3, h4, h5 = (HouseFactory.create(unit=unit, room=f"{n}01", floor=n) for n in range(1, 6))
    house_with_history(h1, (HouseStatus.VACANT, D(2023, 6, 30)), (HouseStatus.OCCUPIED, D(2023, 7, 15)))
    house_with_history(
        h2,
        (HouseStatus.VACANT, D(2023, 6, 30)),
        (HouseStatus.RENOVATING, D(2024, 1, 10)),
        (HouseStatus.OCCUPIED, D(2024, 5, 1)),
    )
    house_with_history(h3, (HouseStatus.RENTED, D(2023, 9, 1)), (HouseStatus.VACANT, D(2024, 3, 1)))
    h4.delivered_on = D(2024, 12, 1)
    h4.save()
    house_with_history(h4, (HouseStatus.UNDELIVERED, D(2023, 6, 30)), (HouseStatus.OCCUPIED, D(2024, 12, 15)))
    house_with_history(h5, (HouseStatus.VACANT, D(2023, 6, 30)))
    ResidentFactory.create(house=h1, moved_in_on=D(2023, 7, 15))
    ResidentFactory.create(house=h1, moved_in_on=D(2023, 7, 15), is_permanent=False)
    ResidentFactory.create(house=h2, moved_in_on=D(2024, 5, 1))
    ResidentFactory.create(house=h3, moved_in_on=D(2023, 9, 1), moved_out_on=D(2024, 3, 1))
    return compound


# ---------------------------------------------------------------- list


def test_compound_list_shows_only_compounds_in_scope(world: Any, client_for: Any) -> None:
    # when a property manager of compound A lists compounds
    response = client_for(world.users["property_manager"]).get("/api/estates/compounds")
    # then
    assert response.status_code == 200
    body = response.json()
    assert [c["code"] for c in body["items"]] == ["aaa"]
    assert body["count"] == 1
    assert body["items"][0] == {
        "code": "aaa",
        "name": "A小区",
        "community": "A社区",
        "sub_district": "四新街道",
        "district": "汉阳区",
        "property_company": "A物业",
        "address": "",
        "delivered_on": "2023-06-30",
        "houses": 2,
    }


def test_supervisor_lists_every_compound_of_their_sub_district(world: Any, client_for: Any) -> None:
    response = client_for(world.users["sub_district_supervisor"]).get("/api/estates/compounds")
    assert [c["code"] for c in response.json()["items"]] == ["aaa", "bbb"]


@pytest.mark.parametrize("role", ["resident", "applicant", "stranger", "liaison", "officer", "lawyer"])
def test_compound_list_is_empty_for_people_without_estate_roles(world: Any, client_for: Any, role: str) -> None:
    response = client_for(world.users[role]).get("/api/estates/compounds")
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert response.json()["count"] == 0


def test_compound_list_searches_name_and_code(world: Any, client_for: Any) -> None:
    client = client_for(world.users["superuser"])
    assert [c["code"] for c in client.get("/api/estates/compounds?q=B小").json()["items"]] == ["bbb"]
    assert [c["code"] for c in client.get("/api/estates/compounds?q=aa").json()["items"]] == ["aaa"]


def test_compound_list_search_never_widens_the_scope(world: Any, client_for: Any) -> None:
    response = client_for(world.users["technician"]).get("/api/estates/compounds?q=B")
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    "q",
    ["<script>alert(1)</script>", "' OR 1=1 --", "aaa'; DROP TABLE estates_compound; --", "%", "_"],
)
def test_compound_list_treats_malicious_search_as_plain_text(world: Any, client_for: Any, q: str) -> None:
    # when
    response = client_for(world.users["superuser"]).get("/api/estates/compounds", {"q": q})
    # then nothing matches and nothing breaks
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert Compound.objects.count() == 2


@pytest.mark.parametrize("q", ["x" * 51, "a\x00b"])
def test_compound_list_refuses_oversized_or_binary_search(world: Any, client_for: Any, q: str) -> None:
    response = client_for(world.users["superuser"]).get("/api/estates/compounds", {"q": q})
    assert response.status_code == 400
    assert error_of(response)["field"] == "q"


def test_compound_list_paginates(world: Any, client_for: Any) -> None:
    client = client_for(world.users["superuser"])
    first = client.get("/api/estates/compounds?page_size=1").json()
    second = client.get("/api/estates/compounds?page_size=1&page=2").json()
    past_the_end = client.get("/api/estates/compounds?page_size=1&page=3").json()
    assert (first["count"], first["pages"], [c["code"] for c in first["items"]]) == (2, 2, ["aaa"])
    assert [c["code"] for c in second["items"]] == ["bbb"]
    assert past_the_end["items"] == []


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page_size=0", "page_size=101"])
def test_compound_list_refuses_bad_paging(world: Any, client_for: Any, query: str) -> None:
    response = client_for(world.users["superuser"]).get(f"/api/estates/compounds?{query}")
    assert response.status_code == 400
    assert error_of(response)["field"] in {"page", "page_size"}


def test_compound_list_needs_login(world: Any, client_for: Any) -> None:
    response = client_for(None).get("/api/estates/compounds")
    assert response.status_code == 401
    assert "A小区" not in response.content.decode()


# ---------------------------------------------------------------- detail


@pytest.mark.parametrize(
    ("at", "numerator", "denominator", "value", "permanent"),
    [
        ("2023-01-01", 0, 0, None, 0),  # nothing delivered yet: no data, not 0%
        ("2023-08-01", 1, 4, 0.25, 1),
        ("2024-03-01", 2, 4, 0.5, 2),  # h3 moved out that day: still occupied, its resident still counted
        ("2024-03-02", 1, 4, 0.25, 1),
        ("2024-06-01", 2, 4, 0.5, 2),
        ("2025-01-01", 3, 5, 0.6, 2),
    ],
)
def test_compound_detail_gives_occupancy_and_permanent_residents_at_a_date(
    world: Any, client_for: Any, at: str, numerator: int, denominator: int, value: float | None, permanent: int
) -> None:
    # given the hand-written compound
    _occupancy_compound()
    # when
    response = client_for(world.users["superuser"]).get(f"/api/estates/compounds/occ?at={at}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["occupancy"] == {"at": at, "numerator": numerator, "denominator": denominator, "value": value}
    assert body["permanent_residents"] == permanent


def test_compound_detail_measures_today_by_default(world: Any, client_for: Any) -> None:
    # given
    _occupancy_compound()
    # when
    body = client_for(world.users["superuser"]).get("/api/estates/compounds/occ").json()
    # then: today h1, h2, h4 are occupied of 5 delivered; the two current permanent residents
    assert body["occupancy"]["numerator"] == 3
    assert body["occupancy"]["denominator"] == 5
    assert body["permanent_residents"] == 2
    assert body["houses"] == 5
    assert body["status_counts"] == {"undelivered": 0, "vacant": 2, "renovating": 0, "occupied": 3, "rented": 0}


@pytest.mark.parametrize("role", ["representative", "sub_district_supervisor", "district_supervisor", "finance"])
def test_compound_detail_is_open_to_estate_viewers(world: Any, client_for: Any, role: str) -> None:
    response = client_for(world.users[role]).get("/api/estates/compounds/aaa")
    assert response.status_code == 200
    assert response.json()["name"] == "A小区"


@pytest.mark.parametrize("role", ["resident", "applicant", "stranger", "liaison", "officer", "lawyer"])
def test_compound_detail_is_403_without_an_estate_role(world: Any, client_for: Any, role: str) -> None:
    response = client_for(world.users[role]).get("/api/estates/compounds/aaa")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert "A小区" not in response.content.decode()


def test_compound_detail_of_another_compound_is_403(world: Any, client_for: Any) -> None:
    response = client_for(world.users["secretary"]).get("/api/estates/compounds/bbb")
    assert response.status_code == 403
    assert "B小区" not in response.content.decode()


@pytest.mark.parametrize("code", ["nope", "x" * 41, "<script>", "a%00b", "aaa' OR '1'='1"])
def test_compound_detail_of_unknown_or_impossible_code_is_404(world: Any, client_for: Any, code: str) -> None:
    response = client_for(world.users["superuser"]).get(f"/api/estates/compounds/{code}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("at", ["yesterday", "2024-13-01", "2024-02-30", "1800-01-01", "2200-01-01", "x" * 500])
def test_compound_detail_refuses_a_bad_date(world: Any, client_for: Any, at: str) -> None:
    response = client_for(world.users["superuser"]).get("/api/estates/compounds/aaa", {"at": at})
    assert response.status_code == 400
    assert error_of(response)["field"] == "at"


def test_compound_detail_needs_login(world: Any, client_for: Any) -> None:
    response = client_for(None).get("/api/estates/compounds/aaa")
    assert response.status_code == 401
    assert "A小区" not in response.content.decode()
