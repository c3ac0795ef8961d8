"""API: a compound's house list (search, filters, masking) and one house's page (scope, masking, audit)."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.api.tests.helpers import db_state, error_of
from gongzhi.core import crypto
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import House, HouseStatus, Resident
from gongzhi.testing.factories import HouseFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def _rooms(response: Any) -> list[str]:
    return [h["room"] for h in response.json()["items"]]


# ---------------------------------------------------------------- list


def test_house_list_shows_full_names_and_phones_to_contact_roles(world: Any, client_for: Any) -> None:
    # when customer service (who call households) list compound A
    response = client_for(world.users["customer_service"]).get("/api/estates/compounds/aaa/houses")
    # then
    assert response.status_code == 200
    first = response.json()["items"][0]
    assert (first["room"], first["owner_name"], first["owner_phone"]) == ("101", "张三", "13800000001")
    assert response.json()["count"] == 2


@pytest.mark.parametrize("role", ["technician", "finance", "community_staff"])
def test_house_list_masks_names_and_phones_for_household_viewers_who_do_not_call(
    world: Any, client_for: Any, role: str
) -> None:
    # when
    response = client_for(world.users[role]).get("/api/estates/compounds/aaa/houses")
    # then lists mask names and phone numbers alike (DESIGN rule 7); the house page shows the name
    assert response.status_code == 200
    first = response.json()["items"][0]
    assert (first["owner_name"], first["owner_phone"]) == ("张*", "138****0001")
    assert "13800000001" not in response.content.decode()


def test_house_list_searches_room_owner_name_and_phone(world: Any, client_for: Any) -> None:
    # given the owner's phone has its search hash, as the ledger import and the services store it
    House.objects.filter(pk=world.house_a.pk).update(owner_phone_hash=crypto.phone_hash("13800000001"))
    client = client_for(world.users["secretary"])
    assert _rooms(client.get("/api/estates/compounds/aaa/houses?q=102")) == ["102"]
    assert _rooms(client.get("/api/estates/compounds/aaa/houses", {"q": "李四"})) == ["102"]
    assert _rooms(client.get("/api/estates/compounds/aaa/houses", {"q": "138 0000 0001"})) == ["101"]


def test_house_list_filters_by_status_and_building(world: Any, client_for: Any) -> None:
    # given a second building with an occupied house
    other = HouseFactory.create(unit__building__compound=world.compound_a, status=HouseStatus.OCCUPIED)
    client = client_for(world.users["secretary"])
    # then
    assert _rooms(client.get("/api/estates/compounds/aaa/houses?status=occupied")) == [other.room]
    assert _rooms(client.get(f"/api/estates/compounds/aaa/houses?building={other.building_id}")) == [other.room]
    assert _rooms(client.get(f"/api/estates/compounds/aaa/houses?building={world.house_b.building_id}")) == []


def test_house_list_paginates(world: Any, client_for: Any) -> None:
    client = client_for(world.users["secretary"])
    body = client.get("/api/estates/compounds/aaa/houses?page_size=1&page=2").json()
    assert (body["count"], body["pages"], body["page"], [h["room"] for h in body["items"]]) == (2, 2, 2, ["102"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=sold", "status"),
        ("building=abc", "building"),
        ("building=0", "building"),
        (f"building={2**70}", "building"),
        ("page_size=500", "page_size"),
        ("q=" + "x" * 51, "q"),
        ("q=%00", "q"),
    ],
)
def test_house_list_refuses_bad_filters(world: Any, client_for: Any, query: str, field: str) -> None:
    response = client_for(world.users["secretary"]).get(f"/api/estates/compounds/aaa/houses?{query}")
    assert response.status_code == 400
    assert error_of(response)["field"] == field


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "101' OR '1'='1", "'; DELETE FROM estates_house; --"])
def test_house_list_treats_malicious_search_as_plain_text(world: Any, client_for: Any, q: str) -> None:
    # given
    before = db_state()
    # when
    response = client_for(world.users["secretary"]).get("/api/estates/compounds/aaa/houses", {"q": q})
    # then nothing matches and nothing changed (the audit of the list view itself is a read: test below)
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert db_state() == before


def test_house_list_view_is_audited_without_the_search_text(world: Any, client_for: Any) -> None:
    # when
    client_for(world.users["customer_service"]).get("/api/estates/compounds/aaa/houses", {"q": "张三"})
    # then
    event = AuditEvent.objects.get(verb="house.list")
    assert (event.actor, event.object_id) == (world.users["customer_service"], str(world.compound_a.pk))
    assert event.after == {"shown": 1, "full_phones": True, "searched": True}
    assert "张三" not in str(event.after)


@pytest.mark.parametrize(
    "role", ["representative", "sub_district_supervisor", "district_supervisor", "resident", "stranger", "lawyer"]
)
def test_house_list_is_403_for_roles_that_see_no_households(world: Any, client_for: Any, role: str) -> None:
    response = client_for(world.users[role]).get("/api/estates/compounds/aaa/houses")
    assert response.status_code == 403
    assert "张三" not in response.content.decode()


def test_house_list_of_another_compound_is_403(world: Any, client_for: Any) -> None:
    response = client_for(world.users["secretary"]).get("/api/estates/compounds/bbb/houses")
    assert response.status_code == 403


def test_house_list_of_unknown_compound_is_404(world: Any, client_for: Any) -> None:
    response = client_for(world.users["superuser"]).get("/api/estates/compounds/nope/houses")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_house_list_needs_login(world: Any, client_for: Any) -> None:
    response = client_for(None).get("/api/estates/compounds/aaa/houses")
    assert response.status_code == 401
    assert "张三" not in response.content.decode()


# ---------------------------------------------------------------- one house


def test_house_page_shows_residents_history_and_full_phone_to_phone_viewers(world: Any, client_for: Any) -> None:
    # when
    response = client_for(world.users["grid_worker"]).get(f"/api/estates/houses/{world.house_a.pk}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["room"], body["owner_name"], body["owner_phone"]) == ("101", "张三", "13800000001")
    assert [r["name"] for r in body["residents"]] == ["resident"]
    assert body["history"] == []


def test_house_page_masks_the_phone_for_household_viewers_who_do_not_call(world: Any, client_for: Any) -> None:
    body = client_for(world.users["technician"]).get(f"/api/estates/houses/{world.house_a.pk}").json()
    assert (body["owner_name"], body["owner_phone"]) == ("张三", "138****0001")


def test_house_page_view_is_audited(world: Any, client_for: Any) -> None:
    # when
    client_for(world.users["secretary"]).get(f"/api/estates/houses/{world.house_a.pk}")
    # then
    event = AuditEvent.objects.get(verb="house.view")
    assert (event.actor, event.object_id, event.community_id) == (
        world.users["secretary"],
        str(world.house_a.pk),
        world.house_a.community_id,
    )


def test_resident_sees_their_own_house_masked_except_themselves(world: Any, client_for: Any) -> None:
    # given the resident's own phone on their resident record
    Resident.objects.filter(user=world.users["resident"]).update(phone=world.users["resident"].phone)
    ResidentFactory.create(house=world.house_a, name="家人甲", phone="13655556666")
    # when
    response = client_for(world.users["resident"]).get(f"/api/estates/houses/{world.house_a.pk}")
    # then the ledger owner and other household members are masked, the resident themself is not
    assert response.status_code == 200
    body = response.json()
    assert (body["owner_name"], body["owner_phone"]) == ("张*", "138****0001")
    residents = {(r["name"], r["phone"]) for r in body["residents"]}
    assert residents == {("resident", world.users["resident"].phone), ("家*甲", "136****6666")}


@pytest.mark.parametrize(
    ("role", "house"), [("resident", "house_a2"), ("resident", "house_b"), ("applicant", "house_a2")]
)
def test_resident_cannot_open_another_household(world: Any, client_for: Any, role: str, house: str) -> None:
    # given
    target = getattr(world, house)
    # when
    response = client_for(world.users[role]).get(f"/api/estates/houses/{target.pk}")
    # then
    assert response.status_code == 403
    assert "李四" not in response.content.decode()
    assert not AuditEvent.objects.filter(verb="house.view").exists()
    assert AuditEvent.objects.filter(verb="access.denied", actor=world.users[role]).exists()


@pytest.mark.parametrize("role", ["representative", "sub_district_supervisor", "liaison", "officer", "stranger"])
def test_house_page_is_403_for_roles_that_see_no_households(world: Any, client_for: Any, role: str) -> None:
    response = client_for(world.users[role]).get(f"/api/estates/houses/{world.house_a.pk}")
    assert response.status_code == 403
    assert "张三" not in response.content.decode()


def test_house_page_of_another_compound_is_403(world: Any, client_for: Any) -> None:
    response = client_for(world.users["secretary"]).get(f"/api/estates/houses/{world.house_b.pk}")
    assert response.status_code == 403


@pytest.mark.parametrize("house_id", ["999999", "0", "-1", str(2**70)])
def test_house_page_of_unknown_house_is_404(world: Any, client_for: Any, house_id: str) -> None:
    response = client_for(world.users["superuser"]).get(f"/api/estates/houses/{house_id}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("house_id", ["abc", "1.5", "1%20OR%201=1"])
def test_house_page_with_a_malformed_id_is_400(world: Any, client_for: Any, house_id: str) -> None:
    response = client_for(world.users["superuser"]).get(f"/api/estates/houses/{house_id}")
    assert response.status_code == 400
    assert error_of(response)["field"] == "house_id"


def test_house_page_needs_login(world: Any, client_for: Any) -> None:
    response = client_for(None).get(f"/api/estates/houses/{world.house_a.pk}")
    assert response.status_code == 401
    assert "张三" not in response.content.decode()
