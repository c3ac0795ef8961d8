"""Staff pages: the house list (search, filters, masking) and the house page (facts, residents, history)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from gongzhi.core import crypto
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import HouseStatus, Relation
from gongzhi.testing.factories import (
    HouseFactory,
    PhaseFactory,
    ResidentFactory,
    UnitFactory,
    house_with_history,
)

pytestmark = pytest.mark.django_db


def _list(client, code="aaa", **params):
    return client.get(reverse("estates:house_list", args=[code]), params)


def _with_phone(house, phone):
    house.owner_phone = phone
    house.owner_phone_hash = crypto.phone_hash(phone)
    house.save()
    return house


# --- house list ------------------------------------------------------------------------------------------------


def test_house_list_searches_by_room_owner_name_and_building(world, client_for):
    client = client_for(world.users["customer_service"])
    by_room = _list(client, q="102").content.decode()
    by_owner = _list(client, q="张三").content.decode()
    by_building = _list(client, q=world.house_a.building.name).content.decode()
    assert "李四" in by_room and "张三" not in by_room
    assert "张三" in by_owner and "李四" not in by_owner
    assert "张三" in by_building and "李四" in by_building


def test_house_list_finds_an_owner_by_the_full_mobile_number_only(world, client_for):
    # given owner phones stored encrypted with their keyed hash
    _with_phone(world.house_a, "13800000001")
    _with_phone(world.house_a2, "13800000002")
    client = client_for(world.users["grid_worker"])
    # when searching by all 11 digits (spaces tolerated), and by a part of the number
    exact = _list(client, q="138 0000 0002").content.decode()
    partial = _list(client, q="1380000").content.decode()
    # then the exact number finds its house; a part finds nothing (phones are not stored in clear)
    assert "李四" in exact and "张三" not in exact
    assert "李四" not in partial and "张三" not in partial


def test_house_list_finds_a_house_by_a_residents_mobile(world, client_for):
    ResidentFactory.create(
        house=world.house_a2, name="王五", phone="13700000007", phone_hash=crypto.phone_hash("13700000007")
    )
    html = _list(client_for(world.users["secretary"]), q="13700000007").content.decode()
    assert "李四" in html and "张三" not in html


def test_house_list_filters_by_building_phase_and_status(world, client_for):
    # given a phase-2 building with a rented house
    phase2 = PhaseFactory.create(compound=world.compound_a, name="二期")
    other = HouseFactory.create(
        unit__building__compound=world.compound_a, unit__building__name="8栋", phase=phase2, owner_name="赵六"
    )
    house_with_history(other, (HouseStatus.RENTED, datetime.date(2024, 1, 1)))
    client = client_for(world.users["secretary"])
    by_building = _list(client, building=other.building_id).content.decode()
    by_phase = _list(client, phase=phase2.pk).content.decode()
    by_status = _list(client, status=HouseStatus.VACANT).content.decode()
    assert "赵六" in by_building and "张三" not in by_building
    assert "赵六" in by_phase and "张三" not in by_phase
    assert "赵六" not in by_status and "张三" in by_status and "李四" in by_status


def test_house_list_reports_a_bad_filter_and_still_applies_the_others(world, client_for):
    # given a building of compound B and an unknown status
    client = client_for(world.users["secretary"])
    response = _list(client, building=world.house_b.building_id, status="sold", q="张")
    html = response.content.decode()
    # then both bad filters are reported; the search text still applies
    assert response.status_code == 200
    assert html.count('class="error"') == 2
    assert "张三" in html and "李四" not in html


def test_house_list_shows_50_houses_a_page(world, client_for):
    unit = UnitFactory.create(building__compound=world.compound_a, building__name="7栋")
    for i in range(60):
        HouseFactory.create(unit=unit, room=f"{i // 4 + 1}{i % 4 + 1:02d}", floor=i // 4 + 1, owner_name="分页")
    client = client_for(world.users["secretary"])
    first = _list(client, building=unit.building_id).content.decode()
    second = _list(client, building=unit.building_id, page=2).content.decode()
    assert first.count("<td>分页</td>") == 50
    assert second.count("<td>分页</td>") == 10
    assert f"building={unit.building_id}&amp;page=2" in first


def test_house_list_masks_phones_for_roles_that_do_not_call_households(world, client_for):
    _with_phone(world.house_a, "13812345678")
    masked = _list(client_for(world.users["technician"])).content.decode()
    full = _list(client_for(world.users["grid_worker"])).content.decode()
    assert "138****5678" in masked and "13812345678" not in masked
    assert "13812345678" in full


def test_house_list_is_audited_without_the_search_text(world, client_for):
    _with_phone(world.house_a, "13800000001")
    staff = world.users["secretary"]
    _list(client_for(staff), q="13800000001")
    event = AuditEvent.objects.get(verb="house.list", actor=staff)
    assert event.object_id == str(world.compound_a.pk)
    assert "13800000001" not in str(event.after)
    assert event.after == {"shown": 1, "full_phones": True, "searched": True}


@pytest.mark.parametrize("role", ["representative", "sub_district_supervisor", "resident", "liaison"])
def test_house_list_is_refused_to_roles_without_household_access(world, client_for, role):
    assert _list(client_for(world.users[role])).status_code == 403


def test_house_list_shows_html_in_owner_names_escaped(world, client_for):
    world.house_a.owner_name = "<img src=x onerror=alert(1)>"
    world.house_a.save()
    html = _list(client_for(world.users["secretary"])).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# --- house page ------------------------------------------------------------------------------------------------


def _detail(client, house):
    return client.get(reverse("estates:house_detail", args=[house.pk]))


def test_house_page_shows_facts_in_chinese_dates_residents_and_history(world, client_for):
    # given an occupied house with a current and a moved-out resident
    house = world.house_a2
    house_with_history(
        house, (HouseStatus.RENOVATING, datetime.date(2023, 8, 1)), (HouseStatus.OCCUPIED, datetime.date(2024, 3, 5))
    )
    house.moved_in_on = datetime.date(2024, 3, 5)
    house.save()
    ResidentFactory.create(house=house, name="李四", relation=Relation.OWNER)
    ResidentFactory.create(
        house=house, name="李小五", relation=Relation.TENANT, is_permanent=False, moved_out_on=datetime.date(2024, 2, 1)
    )
    # when a customer-service agent opens the house
    html = _detail(client_for(world.users["customer_service"]), house).content.decode()
    # then the facts, both residents and the history are on the page
    assert "98.50 m²" in html
    assert "2023年6月30日" in html  # delivered
    assert "2024年3月5日" in html  # moved in
    assert "李四" in html and "李小五" in html
    assert "2024年2月1日" in html  # moved out
    history = html[html.index('id="history-title"') :]
    assert history.index("Occupied") < history.index("Renovating")  # newest first
    assert "from 2023年8月1日" in history
    assert "Owner" in html and "Tenant" in html


def test_opening_a_house_page_is_audited(world, client_for):
    staff = world.users["technician"]
    _detail(client_for(staff), world.house_a)
    event = AuditEvent.objects.get(verb="house.view", actor=staff)
    assert event.object_id == str(world.house_a.pk)
    assert event.community_id == world.compound_a.community_id


def test_house_page_masks_the_owners_mobile_unless_the_role_calls_households(world, client_for):
    _with_phone(world.house_a, "13812345678")
    assert "138****5678" in _detail(client_for(world.users["finance"]), world.house_a).content.decode()
    assert "13812345678" in _detail(client_for(world.users["secretary"]), world.house_a).content.decode()


def test_resident_opens_their_own_house_with_neighbours_names_masked(world, client_for):
    # given another member of the resident's household
    ResidentFactory.create(house=world.house_a, name="张小明", phone="13911112222")
    response = _detail(client_for(world.users["resident"]), world.house_a)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<td>resident</td>" in html  # their own name, in full
    assert "张*明" in html and "张小明" not in html
    assert "139****2222" in html
    assert "张*" in html and "张三" not in html  # the ledger owner, masked
    assert 'action="/estates/houses/' not in html  # no status form


@pytest.mark.parametrize("role", ["resident", "applicant", "stranger", "representative", "officer"])
def test_another_households_house_is_refused(world, client_for, role):
    # the resident is bound to house a only; the applicant's request for a2 is still pending
    response = _detail(client_for(world.users[role]), world.house_a2)
    assert response.status_code == 403
    assert "You do not have access to this page." in response.content.decode()


def test_house_page_of_another_compound_is_refused_to_staff(world, client_for):
    assert _detail(client_for(world.users["secretary"]), world.house_b).status_code == 403


def test_unknown_house_is_not_found(world, client_for):
    assert client_for(world.users["secretary"]).get(reverse("estates:house_detail", args=[999999])).status_code == 404


def test_anonymous_visitor_is_asked_to_log_in(world, client_for):
    response = _detail(client_for(None), world.house_a)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_house_page_shows_html_in_names_escaped(world, client_for):
    ResidentFactory.create(house=world.house_a, name="<script>x()</script>")
    world.house_a.owner_name = "<b>owner</b>"
    world.house_a.save()
    html = _detail(client_for(world.users["secretary"]), world.house_a).content.decode()
    assert "<script>x()</script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "<b>owner</b>" not in html and "&lt;b&gt;owner&lt;/b&gt;" in html


@pytest.mark.parametrize(("role", "shown", "hidden"), [("technician", "张*", "张三"), ("secretary", "张三", "张*")])
def test_house_list_masks_owner_names_except_for_those_who_call_households(world, client_for, role, shown, hidden):
    # when
    body = client_for(world.users[role]).get(reverse("estates:house_list", args=["aaa"])).content.decode()
    # then
    assert shown in body
    assert hidden not in body
