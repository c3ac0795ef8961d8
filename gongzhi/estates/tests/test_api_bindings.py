"""API: residents ask to be bound to a house, staff decide, residents withdraw (an explicit state machine)."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.api.tests.helpers import db_state, error_of
from gongzhi.core.models import AuditEvent
from gongzhi.estates import api as estates_api
from gongzhi.estates.models import BindingStatus, HouseBinding, Relation, Resident

pytestmark = pytest.mark.django_db

URL = "/api/estates/bindings"


def _post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data, content_type="application/json")


def _pending(world: Any) -> HouseBinding:
    """The applicant's request for house A2, waiting for a decision."""
    return HouseBinding.objects.get(house=world.house_a2, user=world.users["applicant"])


def _approved(world: Any) -> HouseBinding:
    """The resident's approved binding to house A."""
    return HouseBinding.objects.get(house=world.house_a, user=world.users["resident"])


# ---------------------------------------------------------------- request


def test_resident_asks_to_be_bound_to_a_house(world: Any, client_for: Any) -> None:
    # given a registered person with no house
    client = client_for(world.users["stranger"])
    # when
    response = _post(client, URL, {"house_id": world.house_a2.pk, "relation": "tenant"})
    # then
    assert response.status_code == 201
    body = response.json()
    house = world.house_a2
    label = f"{house.building.name}{house.unit.name}102"
    assert (body["status"], body["relation"], body["house"]["label"]) == ("pending", "tenant", label)
    binding = HouseBinding.objects.get(pk=body["id"])
    assert (binding.user, binding.house, binding.relation) == (world.users["stranger"], world.house_a2, Relation.TENANT)
    assert AuditEvent.objects.filter(verb="binding.request", object_id=str(binding.pk)).exists()


def test_the_request_shows_in_my_requests_and_in_the_deciders_queue(world: Any, client_for: Any) -> None:
    # given
    _post(client_for(world.users["stranger"]), URL, {"house_id": world.house_a.pk, "relation": "family"})
    # when
    mine = client_for(world.users["stranger"]).get(f"{URL}/mine").json()
    queue = client_for(world.users["secretary"]).get(f"{URL}/pending").json()
    # then
    assert [(b["house"]["id"], b["status"]) for b in mine] == [(world.house_a.pk, "pending")]
    assert {b["applicant"]["name"] for b in queue["items"]} == {"applicant", "stranger"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"house_id": 1, "relation": "landlord"}, "relation"),
        ({"house_id": 1}, "relation"),
        ({"relation": "owner"}, "house_id"),
        ({"house_id": "1 OR 1=1", "relation": "owner"}, "house_id"),
        ({"house_id": 0, "relation": "owner"}, "house_id"),
        ({"house_id": 2**70, "relation": "owner"}, "house_id"),
        ({"house_id": 1, "relation": "<script>alert(1)</script>"}, "relation"),
        ({"house_id": 1, "relation": "owner" * 1000}, "relation"),
        ({"house_id": 1, "relation": "owner", "status": "approved"}, "status"),
    ],
)
def test_binding_request_with_bad_input_is_400_and_changes_nothing(
    world: Any, client_for: Any, data: dict[str, Any], field: str
) -> None:
    # given
    client = client_for(world.users["stranger"])
    before = db_state()
    # when
    response = _post(client, URL, data)
    # then
    assert response.status_code == 400
    body = error_of(response)
    assert field in {e["field"] for e in body["errors"]}
    assert db_state() == before


def test_binding_request_with_no_body_is_400(world: Any, client_for: Any) -> None:
    client = client_for(world.users["stranger"])
    before = db_state()
    response = client.post(URL)
    assert response.status_code == 400
    assert db_state() == before


def test_binding_request_for_unknown_house_is_404(world: Any, client_for: Any) -> None:
    client = client_for(world.users["stranger"])
    before = db_state()
    response = _post(client, URL, {"house_id": 999999, "relation": "owner"})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert db_state() == before


def test_asking_twice_for_the_same_house_is_409(world: Any, client_for: Any) -> None:
    # given the applicant already waits for house A2
    client = client_for(world.users["applicant"])
    before = db_state()
    # when
    response = _post(client, URL, {"house_id": world.house_a2.pk, "relation": "owner"})
    # then
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"
    assert db_state() == before


def test_bound_resident_asking_again_for_their_house_is_409(world: Any, client_for: Any) -> None:
    response = _post(client_for(world.users["resident"]), URL, {"house_id": world.house_a.pk, "relation": "family"})
    assert response.status_code == 409


def test_binding_request_needs_login(world: Any, client_for: Any) -> None:
    before = db_state()
    response = _post(client_for(None), URL, {"house_id": world.house_a2.pk, "relation": "owner"})
    assert response.status_code == 401
    assert db_state() == before


def test_binding_requests_are_rate_limited(world: Any, client_for: Any, monkeypatch: Any) -> None:
    # given a limit of one write a minute
    monkeypatch.setattr(estates_api.WRITE_THROTTLE, "num_requests", 1)
    client = client_for(world.users["stranger"])
    _post(client, URL, {"house_id": world.house_a.pk, "relation": "family"})
    before = db_state()
    # when
    response = _post(client, URL, {"house_id": world.house_b.pk, "relation": "family"})
    # then
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    assert db_state() == before


# ---------------------------------------------------------------- my requests and the queue


def test_my_requests_are_only_mine(world: Any, client_for: Any) -> None:
    body = client_for(world.users["applicant"]).get(f"{URL}/mine").json()
    assert [(b["house"]["id"], b["status"]) for b in body] == [(world.house_a2.pk, "pending")]
    assert client_for(world.users["stranger"]).get(f"{URL}/mine").json() == []


def test_my_requests_need_login(world: Any, client_for: Any) -> None:
    assert client_for(None).get(f"{URL}/mine").status_code == 401


def test_decider_who_calls_households_sees_the_applicants_full_phone(world: Any, client_for: Any) -> None:
    body = client_for(world.users["customer_service"]).get(f"{URL}/pending").json()
    (item,) = body["items"]
    assert item["applicant"] == {"name": "applicant", "phone": world.users["applicant"].phone}
    assert item["house_owner_name"] == "李四"


def test_other_deciders_see_the_applicants_phone_masked(world: Any, client_for: Any) -> None:
    body = client_for(world.users["community_staff"]).get(f"{URL}/pending").json()
    (item,) = body["items"]
    phone = world.users["applicant"].phone
    assert item["applicant"]["phone"] == f"{phone[:3]}****{phone[-4:]}"
    assert item["house_owner_name"] == "李四"


@pytest.mark.parametrize(
    "role", ["technician", "finance", "representative", "sub_district_supervisor", "resident", "applicant", "lawyer"]
)
def test_queue_is_empty_for_those_who_do_not_decide(world: Any, client_for: Any, role: str) -> None:
    response = client_for(world.users[role]).get(f"{URL}/pending")
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert "李四" not in response.content.decode()


def test_queue_refuses_bad_paging(world: Any, client_for: Any) -> None:
    response = client_for(world.users["secretary"]).get(f"{URL}/pending?page=0")
    assert response.status_code == 400
    assert error_of(response)["field"] == "page"


def test_queue_needs_login(world: Any, client_for: Any) -> None:
    assert client_for(None).get(f"{URL}/pending").status_code == 401


# ---------------------------------------------------------------- decide


def test_decider_approves_and_the_applicant_joins_the_household(world: Any, client_for: Any) -> None:
    # given
    binding = _pending(world)
    # when
    response = _post(client_for(world.users["secretary"]), f"{URL}/{binding.pk}/decide", {"approve": True})
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    binding.refresh_from_db()
    assert (binding.status, binding.decided_by) == (BindingStatus.APPROVED, world.users["secretary"])
    assert Resident.objects.filter(house=world.house_a2, user=world.users["applicant"]).exists()
    assert AuditEvent.objects.filter(verb="binding.approve", object_id=str(binding.pk)).exists()
    # and the applicant now opens their house
    assert client_for(world.users["applicant"]).get(f"/api/estates/houses/{world.house_a2.pk}").status_code == 200


def test_decider_refuses_with_a_reason_the_resident_sees_verbatim(world: Any, client_for: Any) -> None:
    # given a reason with markup in it
    binding = _pending(world)
    reason = "<b>房号不符</b> <script>alert(1)</script>"
    # when
    response = _post(
        client_for(world.users["property_manager"]),
        f"{URL}/{binding.pk}/decide",
        {"approve": False, "reason": reason},
    )
    # then it is stored as text and answered as JSON (never as a page that would run it)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    binding.refresh_from_db()
    assert (binding.status, binding.reason) == (BindingStatus.REFUSED, reason)
    mine = client_for(world.users["applicant"]).get(f"{URL}/mine").json()
    assert mine[0]["reason"] == reason
    assert not Resident.objects.filter(house=world.house_a2, user=world.users["applicant"]).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"approve": False}, "reason"),
        ({"approve": False, "reason": "   "}, "reason"),
        ({"approve": False, "reason": "x" * 201}, "reason"),
        ({"approve": False, "reason": "bad\x00byte"}, "reason"),
        ({"approve": "yes"}, "approve"),
        ({"approve": 1}, "approve"),
        ({"reason": "ok"}, "approve"),
        ({"approve": True, "decided_by": 1}, "decided_by"),
    ],
)
def test_decision_with_bad_input_is_400_and_changes_nothing(
    world: Any, client_for: Any, data: dict[str, Any], field: str
) -> None:
    # given
    client = client_for(world.users["secretary"])
    binding = _pending(world)
    before = db_state()
    # when
    response = _post(client, f"{URL}/{binding.pk}/decide", data)
    # then
    assert response.status_code == 400
    assert error_of(response)["field"] == field
    assert db_state() == before


@pytest.mark.parametrize(
    "role", ["technician", "finance", "representative", "sub_district_supervisor", "applicant", "resident", "lawyer"]
)
def test_decision_by_someone_who_may_not_decide_is_403_and_changes_nothing(
    world: Any, client_for: Any, role: str
) -> None:
    # given
    client = client_for(world.users[role])
    binding = _pending(world)
    before = db_state()
    # when
    response = _post(client, f"{URL}/{binding.pk}/decide", {"approve": True})
    # then
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert db_state() == before


def test_decision_on_another_compound_is_403(world: Any, client_for: Any) -> None:
    # given a request for a house of compound B
    _post(client_for(world.users["stranger"]), URL, {"house_id": world.house_b.pk, "relation": "owner"})
    binding = HouseBinding.objects.get(house=world.house_b)
    client = client_for(world.users["secretary"])
    before = db_state()
    # when compound A's secretary tries to approve it
    response = _post(client, f"{URL}/{binding.pk}/decide", {"approve": True})
    # then
    assert response.status_code == 403
    assert db_state() == before


@pytest.mark.parametrize("binding_id", ["999999", "0", str(2**70)])
def test_decision_on_unknown_request_is_404(world: Any, client_for: Any, binding_id: str) -> None:
    client = client_for(world.users["superuser"])
    before = db_state()
    response = _post(client, f"{URL}/{binding_id}/decide", {"approve": True})
    assert response.status_code == 404
    assert db_state() == before


def test_deciding_twice_is_409_and_keeps_the_first_decision(world: Any, client_for: Any) -> None:
    # given an approved request
    client = client_for(world.users["secretary"])
    binding = _pending(world)
    _post(client, f"{URL}/{binding.pk}/decide", {"approve": True})
    before = db_state()
    # when someone refuses it afterwards
    response = _post(client, f"{URL}/{binding.pk}/decide", {"approve": False, "reason": "changed my mind"})
    # then
    assert response.status_code == 409
    assert error_of(response)["code"] == "illegal_transition"
    assert db_state() == before
    binding.refresh_from_db()
    assert binding.status == BindingStatus.APPROVED


def test_deciding_a_withdrawn_request_is_409(world: Any, client_for: Any) -> None:
    binding = _pending(world)
    _post(client_for(world.users["applicant"]), f"{URL}/{binding.pk}/withdraw", {})
    client = client_for(world.users["secretary"])
    before = db_state()
    response = _post(client, f"{URL}/{binding.pk}/decide", {"approve": True})
    assert response.status_code == 409
    assert db_state() == before


def test_decision_needs_login(world: Any, client_for: Any) -> None:
    binding = _pending(world)
    before = db_state()
    response = _post(client_for(None), f"{URL}/{binding.pk}/decide", {"approve": True})
    assert response.status_code == 401
    assert db_state() == before


# ---------------------------------------------------------------- withdraw


def test_applicant_withdraws_their_pending_request(world: Any, client_for: Any) -> None:
    # given
    binding = _pending(world)
    # when
    response = client_for(world.users["applicant"]).post(f"{URL}/{binding.pk}/withdraw")
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    binding.refresh_from_db()
    assert binding.status == BindingStatus.WITHDRAWN
    assert AuditEvent.objects.filter(verb="binding.withdraw", object_id=str(binding.pk)).exists()
    assert client_for(world.users["secretary"]).get(f"{URL}/pending").json()["items"] == []


@pytest.mark.parametrize("role", ["stranger", "secretary", "resident", "superuser"])
def test_someone_elses_request_cannot_be_withdrawn_and_is_not_even_found(
    world: Any, client_for: Any, role: str
) -> None:
    # given the applicant's pending request
    client = client_for(world.users[role])
    binding = _pending(world)
    before = db_state()
    # when anybody else tries to withdraw it
    response = client.post(f"{URL}/{binding.pk}/withdraw")
    # then it does not exist for them
    assert response.status_code == 404
    assert db_state() == before


def test_withdrawing_an_approved_binding_is_409(world: Any, client_for: Any) -> None:
    client = client_for(world.users["resident"])
    before = db_state()
    response = client.post(f"{URL}/{_approved(world).pk}/withdraw")
    assert response.status_code == 409
    assert error_of(response)["code"] == "illegal_transition"
    assert db_state() == before


def test_withdrawing_twice_is_409(world: Any, client_for: Any) -> None:
    client = client_for(world.users["applicant"])
    binding = _pending(world)
    client.post(f"{URL}/{binding.pk}/withdraw")
    before = db_state()
    response = client.post(f"{URL}/{binding.pk}/withdraw")
    assert response.status_code == 409
    assert db_state() == before


def test_withdrawing_an_unknown_request_is_404(world: Any, client_for: Any) -> None:
    response = client_for(world.users["applicant"]).post(f"{URL}/999999/withdraw")
    assert response.status_code == 404


def test_withdrawing_needs_login(world: Any, client_for: Any) -> None:
    binding = _pending(world)
    before = db_state()
    response = client_for(None).post(f"{URL}/{binding.pk}/withdraw")
    assert response.status_code == 401
    assert db_state() == before
