"""The estate's authorization matrix (DESIGN rule 2): every role × every action, on the pages and over the API.

One table says, for each role of ``gongzhi.testing.world``, which actions it may take. Compound A is the
roles' own compound; compound B lies in the same sub-district but outside every role's scope except the
supervisors'. Allowed means the page or answer is given (and, for the phone, the full number is in it);
denied means 403 or 404 with none of the protected data in the body, and nothing changed. Anonymous visitors
are sent to the log-in page (pages) or get 401 (API).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from gongzhi.api.tests.helpers import db_state
from gongzhi.estates.models import BindingStatus, HouseBinding
from gongzhi.testing.world import ALL_ROLES, World

pytestmark = pytest.mark.django_db

# Columns of the table.
OVERVIEW_A = "overview A"  # compound A's overview page (KPIs, house matrix)
OVERVIEW_B = "overview B"  # compound B's overview page
HOUSES_A = "houses A"  # compound A's house list
HOUSE_A = "house A"  # the page of house_a (the resident's own house)
HOUSE_B = "house B"  # the page of a house in compound B
PHONE_A = "phone A"  # the full mobile number of house_a's owner
IMPORT_A = "import A"  # compound A's ledger imports
EXPORT_A = "export A"  # compound A's house ledger as a spreadsheet
DECIDE = "decide"  # approve the applicant's request to be bound to house_a2
COLUMNS = (OVERVIEW_A, OVERVIEW_B, HOUSES_A, HOUSE_A, HOUSE_B, PHONE_A, IMPORT_A, EXPORT_A, DECIDE)

# Y = allowed, . = denied.
# fmt: off
TABLE: dict[str, str] = {
    #                            ov-A ov-B hs-A h-A  h-B  ph-A imp-A exp-A decide
    "secretary":                 "Y    .    Y    Y    .    Y    Y     Y     Y",
    "grid_worker":               "Y    .    Y    Y    .    Y    .     .     Y",
    "community_staff":           "Y    .    Y    Y    .    .    Y     .     Y",  # no phones: no export
    "property_manager":          "Y    .    Y    Y    .    Y    Y     Y     Y",
    "customer_service":          "Y    .    Y    Y    .    Y    Y     Y     Y",
    "technician":                "Y    .    Y    Y    .    .    .     .     .",
    "finance":                   "Y    .    Y    Y    .    .    .     .     .",
    "representative":            "Y    .    .    .    .    .    .     .     .",
    "liaison":                   ".    .    .    .    .    .    .     .     .",
    "officer":                   ".    .    .    .    .    .    .     .     .",
    "lawyer":                    ".    .    .    .    .    .    .     .     .",
    "sub_district_supervisor":   "Y    Y    .    .    .    .    .     .     .",
    "district_supervisor":       "Y    Y    .    .    .    .    .     .     .",
    "resident":                  ".    .    .    Y    .    .    .     .     .",
    "applicant":                 ".    .    .    .    .    .    .     .     .",
    "stranger":                  ".    .    .    .    .    .    .     .     .",
    "superuser":                 "Y    Y    Y    Y    Y    Y    Y     Y     Y",
    "anonymous":                 ".    .    .    .    .    .    .     .     .",  # → log-in page / 401
}
# fmt: on


def allowed(role: str, column: str) -> bool:
    marks = TABLE[role].split()
    assert len(marks) == len(COLUMNS), f"row {role} has {len(marks)} cells"
    return marks[COLUMNS.index(column)] == "Y"


def test_the_table_covers_every_role_of_the_world() -> None:
    assert set(TABLE) == set(ALL_ROLES)


@pytest.fixture
def matrix_world(world: World) -> World:
    """The role world, with an owner on house_b too, so that leaks from compound B can be seen."""
    world.house_b.owner_name = "王五"
    world.house_b.owner_phone = "13800000003"
    world.house_b.save()
    return world


@dataclass(frozen=True)
class Action:
    method: str
    url: Callable[[World], str]
    secrets: tuple[str, ...]  # must not be in the body of a refusal
    data: dict[str, Any] | None = None
    json: bool = False


def _binding(w: World) -> HouseBinding:
    return HouseBinding.objects.get(house=w.house_a2, user=w.users["applicant"])


def _binding_status(w: World) -> str:
    return _binding(w).status


A_SECRETS = ("张三", "李四", "13800000001", "13800000002")
B_SECRETS = ("B小区", "王五", "13800000003")

PAGES: dict[str, Action] = {
    OVERVIEW_A: Action("get", lambda w: reverse("estates:compound_detail", args=["aaa"]), ("A小区", *A_SECRETS)),
    OVERVIEW_B: Action("get", lambda w: reverse("estates:compound_detail", args=["bbb"]), B_SECRETS),
    HOUSES_A: Action("get", lambda w: reverse("estates:house_list", args=["aaa"]), A_SECRETS),
    HOUSE_A: Action("get", lambda w: reverse("estates:house_detail", args=[w.house_a.pk]), ("张三", "13800000001")),
    HOUSE_B: Action("get", lambda w: reverse("estates:house_detail", args=[w.house_b.pk]), B_SECRETS),
    PHONE_A: Action("get", lambda w: reverse("estates:house_detail", args=[w.house_a.pk]), ("13800000001",)),
    IMPORT_A: Action("get", lambda w: reverse("estates:import_list", args=["aaa"]), ("A小区", *A_SECRETS)),
    EXPORT_A: Action("get", lambda w: reverse("estates:export_houses", args=["aaa"]), A_SECRETS),
    DECIDE: Action(
        "post",
        lambda w: reverse("estates:binding_decide", args=[_binding(w).pk]),
        ("李四", "13800000002"),
        data={"decision": "approve", "reason": ""},
    ),
}

API: dict[str, Action] = {
    OVERVIEW_A: Action("get", lambda w: "/api/estates/compounds/aaa", ("A小区", *A_SECRETS)),
    OVERVIEW_B: Action("get", lambda w: "/api/estates/compounds/bbb", B_SECRETS),
    HOUSES_A: Action("get", lambda w: "/api/estates/compounds/aaa/houses", A_SECRETS),
    HOUSE_A: Action("get", lambda w: f"/api/estates/houses/{w.house_a.pk}", ("张三", "13800000001")),
    HOUSE_B: Action("get", lambda w: f"/api/estates/houses/{w.house_b.pk}", B_SECRETS),
    PHONE_A: Action("get", lambda w: f"/api/estates/houses/{w.house_a.pk}", ("13800000001",)),
    DECIDE: Action(
        "post",
        lambda w: f"/api/estates/bindings/{_binding(w).pk}/decide",
        ("李四", "13800000002"),
        data={"approve": True, "reason": ""},
        json=True,
    ),
}


def _request(client: Any, action: Action, w: World) -> Any:
    url = action.url(w)
    if action.method == "get":
        return client.get(url)
    if action.json:
        return client.post(url, action.data, content_type="application/json")
    return client.post(url, action.data)


def _body(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def _assert_allowed(column: str, response: Any, w: World) -> None:
    body = _body(response)
    if column == EXPORT_A:
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    elif column == PHONE_A:
        assert response.status_code == 200
        assert "13800000001" in body, "the full number should be shown"
    elif column == DECIDE:
        assert response.status_code in (200, 302)
        assert _binding_status(w) == BindingStatus.APPROVED
    else:
        assert response.status_code == 200, response.status_code


def _assert_denied(column: str, action: Action, response: Any, w: World, before: dict[str, Any]) -> None:
    body = _body(response)
    if column == PHONE_A:
        # the page may be open (a resident's own house) but never with the full number
        assert response.status_code in (200, 403, 404)
    else:
        assert response.status_code in (403, 404), response.status_code
    leaked = [s for s in action.secrets if s in body]
    assert not leaked, f"refusal leaks {leaked}"
    if column == DECIDE:
        assert _binding_status(w) == BindingStatus.PENDING
        assert db_state() == before


def _cells(actions: dict[str, Action]) -> list[Any]:
    return [pytest.param(role, column, id=f"{role}-{column}") for role in ALL_ROLES for column in actions]


@pytest.mark.parametrize(("role", "column"), _cells(PAGES))
def test_page_access_follows_the_table(matrix_world: World, client_for: Any, role: str, column: str) -> None:
    # given
    w = matrix_world
    action = PAGES[column]
    client = client_for(w.users[role])
    before = db_state()
    # when
    response = _request(client, action, w)
    # then
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
        assert db_state() == before
    elif allowed(role, column):
        _assert_allowed(column, response, w)
    else:
        _assert_denied(column, action, response, w, before)


@pytest.mark.parametrize(("role", "column"), _cells(API))
def test_api_access_follows_the_table(matrix_world: World, client_for: Any, role: str, column: str) -> None:
    # given
    w = matrix_world
    action = API[column]
    client = client_for(w.users[role])
    before = db_state()
    # when
    response = _request(client, action, w)
    # then
    if role == "anonymous":
        assert response.status_code == 401
        assert not [s for s in action.secrets if s in _body(response)]
        assert db_state() == before
    elif allowed(role, column):
        _assert_allowed(column, response, w)
    else:
        _assert_denied(column, action, response, w, before)
