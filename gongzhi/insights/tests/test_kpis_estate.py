"""Occupancy and permanent residents on a hand-computed dataset (KPIS.md)."""

from __future__ import annotations

import datetime

import pytest

from gongzhi.estates.models import House, HouseStatus, Resident
from gongzhi.insights.kpis import Ratio, occupancy_rate, permanent_residents
from gongzhi.testing.factories import CompoundFactory, HouseFactory, ResidentFactory, UnitFactory, house_with_history

pytestmark = pytest.mark.django_db

D = datetime.date
V, R, OC, T, U = (
    HouseStatus.VACANT,
    HouseStatus.RENOVATING,
    HouseStatus.OCCUPIED,
    HouseStatus.RENTED,
    HouseStatus.UNDELIVERED,
)


@pytest.fixture
def five_houses() -> list[House]:
    """Five houses of one compound, with the histories the comments tell."""
    unit = UnitFactory.create(building__compound=CompoundFactory.create())

    def house(room: str, delivered: datetime.date | None) -> House:
        return HouseFactory.create(unit=unit, room=room, floor=int(room[:-2]), delivered_on=delivered)

    return [
        # h1: delivered 2023-06-30, moved in 2023-07-10, moved out (vacant) 2024-05-01
        house_with_history(house("101", D(2023, 6, 30)), (V, D(2023, 6, 30)), (OC, D(2023, 7, 10)), (V, D(2024, 5, 1))),
        # h2: renovated, then rented out from 2024-01-01
        house_with_history(house("102", D(2023, 6, 30)), (V, D(2023, 6, 30)), (R, D(2023, 9, 1)), (T, D(2024, 1, 1))),
        # h3: vacant all along
        house_with_history(house("201", D(2023, 6, 30)), (V, D(2023, 6, 30))),
        # h4: delivered late (2024-03-01), moved in the same day
        house_with_history(house("202", D(2024, 3, 1)), (V, D(2024, 3, 1)), (OC, D(2024, 3, 1))),
        # h5: not delivered
        house_with_history(house("301", None), (U, D(2023, 6, 30))),
    ]


@pytest.mark.parametrize(
    ("at", "occupied", "delivered"),
    [
        (D(2023, 6, 29), 0, 0),  # nothing delivered yet: no data
        (D(2023, 6, 30), 0, 3),  # h1-h3 delivered, none moved in
        (D(2023, 7, 10), 1, 3),  # h1 moves in that very day: counted
        (D(2023, 12, 31), 1, 3),  # h2 renovating is not occupied
        (D(2024, 1, 1), 2, 3),  # h2 rented out counts as occupied
        (D(2024, 3, 1), 3, 4),  # h4 delivered and moved in on the same day
        (D(2024, 5, 1), 3, 4),  # h1 moves out on 5-1: not "before d", still counted that day
        (D(2024, 5, 2), 2, 4),  # ... and gone the day after
    ],
)
def test_occupancy_rate_follows_the_status_history(five_houses, at, occupied, delivered):
    # when
    rate = occupancy_rate(House.objects.all(), at)
    # then
    assert (rate.numerator, rate.denominator) == (occupied, delivered)


def test_occupancy_with_no_delivered_house_is_no_data_not_zero(five_houses):
    rate = occupancy_rate(House.objects.all(), D(2020, 1, 1))
    assert rate == Ratio(0, 0)
    assert rate.value is None


def test_permanent_residents_counts_move_in_and_move_out_dates():
    # given: three permanent residents and one who is not
    house = HouseFactory.create()
    ResidentFactory.create(house=house, moved_in_on=D(2024, 1, 1))
    ResidentFactory.create(house=house, moved_in_on=D(2024, 2, 1), moved_out_on=D(2024, 6, 1))
    ResidentFactory.create(house=house, moved_in_on=D(2024, 3, 1))
    ResidentFactory.create(house=house, moved_in_on=D(2024, 1, 1), is_permanent=False)
    residents = Resident.objects.all()
    # then
    assert permanent_residents(residents, D(2023, 12, 31)) == 0
    assert permanent_residents(residents, D(2024, 2, 1)) == 2  # moved in that day counts
    assert permanent_residents(residents, D(2024, 3, 15)) == 3
    assert permanent_residents(residents, D(2024, 6, 1)) == 3  # moved out that day: not before d
    assert permanent_residents(residents, D(2024, 6, 2)) == 2
