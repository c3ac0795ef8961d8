"""Selectors behind the estate pages: the house matrix, the overview figures, the binding cascade and hints."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core import crypto
from gongzhi.estates import selectors
from gongzhi.estates.models import House, HouseBinding, HouseStatus, Relation, Resident
from gongzhi.insights.kpis import occupancy_rate, permanent_residents
from gongzhi.testing.factories import (
    BuildingFactory,
    CompoundFactory,
    HouseFactory,
    ResidentFactory,
    UnitFactory,
    house_with_history,
)

pytestmark = pytest.mark.django_db


def _rooms(matrix):
    return [
        (mb.building.name, mu.unit.name, floor, [r.room for r in rooms])
        for mb in matrix
        for mu in mb.units
        for floor, rooms in mu.floors
    ]


def test_house_matrix_orders_buildings_units_floors_top_first_and_rooms_naturally():
    # given two buildings, the second with two units, rooms created out of order
    compound = CompoundFactory.create()
    b1 = BuildingFactory.create(compound=compound, name="1栋", sort_key=1)
    b2 = BuildingFactory.create(compound=compound, name="2栋", sort_key=2)
    u1 = UnitFactory.create(building=b1, name="1单元", sort_key=1)
    u21 = UnitFactory.create(building=b2, name="1单元", sort_key=1)
    u22 = UnitFactory.create(building=b2, name="2单元", sort_key=2)
    for unit, room, floor in [
        (u22, "201", 2),
        (u1, "1002", 10),
        (u1, "102", 1),
        (u1, "1001", 10),
        (u1, "101", 1),
        (u21, "301", 3),
    ]:
        HouseFactory.create(unit=unit, room=room, floor=floor)
    # when the matrix is built
    matrix = selectors.house_matrix(compound=compound)
    # then
    assert _rooms(matrix) == [
        ("1栋", "1单元", 10, ["1001", "1002"]),
        ("1栋", "1单元", 1, ["101", "102"]),
        ("2栋", "1单元", 3, ["301"]),
        ("2栋", "2单元", 2, ["201"]),
    ]
    assert [mb.total for mb in matrix] == [4, 2]


def test_house_matrix_cells_carry_status_words_and_mark():
    house = HouseFactory.create(room="101", floor=1)
    house_with_history(house, (HouseStatus.RENTED, datetime.date(2024, 1, 1)))
    (cell,) = selectors.house_matrix(compound=house.compound)[0].units[0].floors[0][1]
    assert (cell.id, cell.room, cell.status) == (house.pk, "101", HouseStatus.RENTED)
    assert cell.label == "101 Rented out"
    assert cell.mark == "Let"


def test_house_matrix_of_one_building_leaves_the_others_out():
    compound = CompoundFactory.create()
    h1 = HouseFactory.create(unit__building__compound=compound)
    h2 = HouseFactory.create(unit__building__compound=compound)
    matrix = selectors.house_matrix(compound=compound, building_id=h2.building_id)
    assert [mb.building.pk for mb in matrix] == [h2.building_id]
    assert h1.building_id != h2.building_id


def test_house_matrix_takes_three_queries_however_many_houses():
    compound = CompoundFactory.create()
    unit = UnitFactory.create(building__compound=compound)
    for i in range(40):
        HouseFactory.create(unit=unit, room=f"{i + 1}01", floor=i + 1)
    with CaptureQueriesContext(connection) as ctx:
        selectors.house_matrix(compound=compound)
    assert len(ctx.captured_queries) == 3


def test_compound_overview_calls_the_kpi_definitions():
    # given two delivered houses, one occupied since 2024-01-01, and residents moving in and out
    compound = CompoundFactory.create()
    occupied = house_with_history(
        HouseFactory.create(unit__building__compound=compound), (HouseStatus.OCCUPIED, datetime.date(2024, 1, 1))
    )
    HouseFactory.create(unit=occupied.unit)
    ResidentFactory.create(house=occupied, moved_in_on=datetime.date(2024, 1, 1))
    ResidentFactory.create(
        house=occupied, moved_in_on=datetime.date(2024, 1, 1), moved_out_on=datetime.date(2024, 5, 1)
    )
    at = datetime.date(2024, 6, 1)
    # when
    overview = selectors.compound_overview(compound=compound, at=at)
    # then it agrees with insights.kpis, and counts houses by status
    assert overview.occupancy == occupancy_rate(House.objects.filter(compound=compound), at)
    assert (overview.occupancy.numerator, overview.occupancy.denominator) == (1, 2)
    assert overview.permanent_residents == permanent_residents(Resident.objects.filter(compound=compound), at) == 1
    counts = {s.status: s.count for s in overview.status_counts}
    assert counts == {"undelivered": 0, "vacant": 1, "renovating": 0, "occupied": 1, "rented": 0}
    assert overview.houses == 2


def test_compound_rows_give_each_compound_its_own_figures(world):
    house_with_history(world.house_b, (HouseStatus.OCCUPIED, datetime.date(2024, 1, 1)))
    compounds = selectors.compounds_search(user=world.users["district_supervisor"])
    rows = {r.compound.code: r for r in selectors.compound_rows(compounds, at=datetime.date(2025, 1, 1))}
    assert (rows["aaa"].houses, rows["aaa"].occupancy.numerator, rows["aaa"].permanent_residents) == (2, 0, 1)
    assert (rows["bbb"].houses, rows["bbb"].occupancy.numerator, rows["bbb"].permanent_residents) == (1, 1, 0)


def test_compounds_search_stays_in_the_users_scope(world):
    assert [c.code for c in selectors.compounds_search(user=world.users["secretary"], q="小区")] == ["aaa"]
    assert list(selectors.compounds_search(user=world.users["stranger"])) == []


def test_binding_cascade_drops_picks_that_do_not_belong_together(world):
    # a unit of compound B under a building of compound A is ignored
    cascade = selectors.binding_cascade(
        compound_code="aaa", building_id=world.house_a.building_id, unit_id=world.house_b.unit_id
    )
    assert cascade.building == world.house_a.building
    assert cascade.unit is None and cascade.rooms == []
    # a building of compound B under compound A is ignored
    cascade = selectors.binding_cascade(compound_code="aaa", building_id=world.house_b.building_id)
    assert cascade.building is None


def test_binding_cascade_offers_rooms_of_the_chosen_unit_only(world):
    cascade = selectors.binding_cascade(
        compound_code="aaa", building_id=world.house_a.building_id, unit_id=world.house_a.unit_id
    )
    assert [r.room for r in cascade.rooms] == ["101", "102"]
    # and loads nothing but structure from the house rows
    assert {"owner_name", "owner_phone", "status", "area"} <= cascade.rooms[0].get_deferred_fields()


def test_binding_rows_hint_when_the_applicant_has_the_owners_mobile(world):
    applicant = world.users["applicant"]
    binding = HouseBinding.objects.get(user=applicant)
    # the ledger holds the phone with its hash, or (older rows) only the encrypted phone
    world.house_a2.owner_phone = applicant.phone
    world.house_a2.owner_phone_hash = crypto.phone_hash(applicant.phone)
    world.house_a2.save()
    assert selectors.binding_rows(selectors.bindings_pending(world.users["secretary"]))[0].owner_phone_matches
    world.house_a2.owner_phone_hash = ""
    world.house_a2.save()
    assert selectors.binding_rows([HouseBinding.objects.select_related("house", "user").get(pk=binding.pk)])[
        0
    ].owner_phone_matches
    world.house_a2.owner_phone = "13011112222"
    world.house_a2.save()
    assert not selectors.binding_rows([HouseBinding.objects.select_related("house", "user").get(pk=binding.pk)])[
        0
    ].owner_phone_matches


def test_binding_for_decision_is_scoped_to_the_deciders_compounds(world):
    from gongzhi.core.errors import NotAllowed, NotFound

    binding = HouseBinding.objects.get(user=world.users["applicant"])
    assert selectors.binding_for_decision(user=world.users["secretary"], pk=binding.pk) == binding
    with pytest.raises(NotAllowed):
        selectors.binding_for_decision(user=world.users["technician"], pk=binding.pk)
    with pytest.raises(NotFound):
        selectors.binding_for_decision(user=world.users["secretary"], pk=10**9)


def test_bindings_open_of_lists_pending_and_refused_requests_only(world):
    user = world.users["stranger"]
    for house, status in ((world.house_a, "pending"), (world.house_a2, "refused"), (world.house_b, "withdrawn")):
        HouseBinding.objects.create(
            community_id=house.community_id,
            compound=house.compound,
            house=house,
            user=user,
            relation=Relation.FAMILY,
            status=status,
        )
    assert sorted(b.status for b in selectors.bindings_open_of(user)) == ["pending", "refused"]


def test_overview_changes_on_a_year_before_are_signed():
    # given a compound that lost its only occupied house and one of two permanent residents
    compound = CompoundFactory.create()
    house = house_with_history(
        HouseFactory.create(unit__building__compound=compound),
        (HouseStatus.OCCUPIED, datetime.date(2023, 7, 1)),
        (HouseStatus.VACANT, datetime.date(2024, 7, 1)),
    )
    ResidentFactory.create(house=house, moved_in_on=datetime.date(2023, 7, 1))
    ResidentFactory.create(house=house, moved_in_on=datetime.date(2023, 7, 1), moved_out_on=datetime.date(2024, 7, 1))
    overview = selectors.compound_overview(compound=compound, at=datetime.date(2024, 12, 1))
    pp = overview.occupancy_change_pp
    rel = overview.permanent_residents_change
    assert pp is not None and (pp.sign, pp.size) == ("−", 100.0)
    assert rel is not None and (rel.sign, rel.size) == ("−", 0.5)


def test_year_before_of_29_february_is_28_february():
    assert selectors.year_before(datetime.date(2024, 2, 29)) == datetime.date(2023, 2, 28)
    assert selectors.year_before(datetime.date(2025, 3, 1)) == datetime.date(2024, 3, 1)
