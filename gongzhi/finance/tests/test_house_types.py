"""Fee standards per house type: each house is billed by the standard of its own type (the phase's of that type
before the compound's); a house whose type has no standard is listed as missing; the standards form and page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.core.errors import DomainError
from gongzhi.estates.models import House, HouseStatus, HouseType
from gongzhi.finance.models import Bill, FeeStandard
from gongzhi.finance.services import bill_plan, bills_generate, fee_standard_set
from gongzhi.testing.factories import HouseFactory, PhaseFactory, UnitFactory, house_with_history

from .helpers import finance_state

pytestmark = pytest.mark.django_db
D = datetime.date
V, OC, U = HouseStatus.VACANT, HouseStatus.OCCUPIED, HouseStatus.UNDELIVERED
RES, VILLA, COM = HouseType.RESIDENTIAL, HouseType.VILLA, HouseType.COMMERCIAL


@pytest.fixture
def mixed(world: Any, keeper: Any) -> dict[str, House]:
    """Compound A (the world's own houses taken out of billing) with these standards from 2024-01:
    住宅 ¥2.50 (70% while vacant), 别墅 ¥4.00 (80% while vacant) for the compound; 别墅 ¥5.00 for phase 二期."""
    compound = world.compound_a
    House.objects.filter(pk__in=[world.house_a.pk, world.house_a2.pk]).update(delivered_on=None, status=U)
    phase = PhaseFactory.create(compound=compound, name="二期")
    on = D(2024, 1, 1)
    fee_standard_set(actor=keeper, compound=compound, rate="2.50", vacant_percent=70, effective_from=on)
    fee_standard_set(
        actor=keeper, compound=compound, house_type=VILLA, rate="4.00", vacant_percent=80, effective_from=on
    )
    fee_standard_set(actor=keeper, compound=compound, phase=phase, house_type=VILLA, rate="5.00", effective_from=on)
    unit = UnitFactory.create(building__compound=compound)

    def house(room: str, area: str, house_type: str, status: str, in_phase: bool = False) -> House:
        h = HouseFactory.create(
            unit=unit,
            room=room,
            floor=int(room[:-2]),
            area=Decimal(area),
            house_type=house_type,
            phase=phase if in_phase else None,
            delivered_on=D(2023, 6, 30),
        )
        return house_with_history(h, (status, D(2023, 6, 30)))

    return {
        "flat": house("101", "100.00", RES, OC),
        "flat_vacant": house("102", "90.00", RES, V),
        "villa": house("103", "200.00", VILLA, OC),
        "villa_vacant": house("104", "150.50", VILLA, V),
        "villa_phase": house("105", "300.00", VILLA, OC, in_phase=True),
        "flat_phase": house("106", "120.00", RES, OC, in_phase=True),
    }


# March 2025, by hand (area × the rate of the house's type × the vacant percentage when 空置):
#   flat          住宅, compound:             100.00 × 2.50         = 250.00
#   flat_vacant   住宅, vacant:               90.00 × 2.50 × 70%    = 157.50
#   villa         别墅, compound:             200.00 × 4.00         = 800.00
#   villa_vacant  别墅, vacant:               150.50 × 4.00 × 80%   = 481.60
#   villa_phase   别墅 in 二期 (phase wins):   300.00 × 5.00         = 1500.00
#   flat_phase    住宅 in 二期: 二期 has only a 别墅 standard, so the compound's 住宅 one applies
#                                             120.00 × 2.50         = 300.00
EXPECTED_MARCH = {
    "flat": "250.00",
    "flat_vacant": "157.50",
    "villa": "800.00",
    "villa_vacant": "481.60",
    "villa_phase": "1500.00",
    "flat_phase": "300.00",
}


def test_each_house_is_billed_by_the_standard_of_its_own_type(world: Any, keeper: Any, mixed: dict[str, House]) -> None:
    # given residential and villa houses and standards of both types in one compound
    # when March 2025 is generated
    plan = bills_generate(actor=keeper, compound=world.compound_a, period="2025-03")
    # then each bill follows its house's type (and the phase's standard of that type before the compound's)
    by_house = {b.house_id: b for b in Bill.objects.filter(period="2025-03")}
    assert {name: str(by_house[h.pk].amount_due) for name, h in mixed.items()} == EXPECTED_MARCH
    assert plan.total == Decimal("3489.10") and plan.missing_standard == []
    villa_standard = FeeStandard.objects.get(phase=None, house_type=VILLA)
    assert by_house[mixed["villa"].pk].standard_id == villa_standard.pk
    phase_villa = FeeStandard.objects.get(phase__isnull=False, house_type=VILLA)
    assert by_house[mixed["villa_phase"].pk].standard_id == phase_villa.pk


def test_a_whole_year_of_a_vacant_villa_is_hand_computed(world: Any, keeper: Any, mixed: dict[str, House]) -> None:
    # when the year 2025 is generated: 150.50 × 12 × 4.00 × 80% = 150.50 × 38.40 = 5779.20
    bills_generate(actor=keeper, compound=world.compound_a, period="2025")
    bill = Bill.objects.get(period="2025", house=mixed["villa_vacant"])
    # then the villa paid the villa rate at the villa's vacant percentage, every month
    assert (str(bill.amount_due), bill.months, bill.vacant_months) == ("5779.20", 12, 12)
    assert bill.basis == [{"from": "2025-01", "months": 12, "rate": "4.0000", "percent": 80}]


def test_a_house_whose_type_has_no_standard_is_listed_as_missing(
    world: Any, keeper: Any, mixed: dict[str, House], client_for: Any
) -> None:
    # given a commercial house, and no commercial standard in the compound
    shop = HouseFactory.create(
        unit=mixed["flat"].unit, room="107", floor=1, house_type=COM, delivered_on=D(2023, 6, 30)
    )
    house_with_history(shop, (OC, D(2023, 6, 30)))
    before = finance_state()
    # when March 2025 is previewed, then the shop alone is the house without a fee standard …
    plan = bill_plan(compound=world.compound_a, period="2025-03")
    assert plan.missing_standard == [shop.pk] and plan.count == 6
    page = client_for(keeper).get(reverse("finance:billing", args=["aaa"]), {"period": "2025-03"}).content.decode()
    assert 'id="count-missing">1<' in page
    assert f"{shop.building.name}{shop.unit.name}107" in page.split('id="missing-houses"')[1].split("</ul>")[0]
    # … and generating is refused, exactly as for a month without any standard, and nothing changes
    with pytest.raises(DomainError) as refused:
        bills_generate(actor=keeper, compound=world.compound_a, period="2025-03")
    assert refused.value.code == "no_fee_standard" and "1 house" in refused.value.message
    assert finance_state() == before


def test_a_villa_in_a_compound_with_only_a_residential_standard_is_missing(world: Any) -> None:
    # given compound B with a residential standard, its residential house and a villa
    admin = world.users["superuser"]
    fee_standard_set(actor=admin, compound=world.compound_b, rate="2.00", effective_from=D(2024, 1, 1))
    villa = HouseFactory.create(unit=world.house_b.unit, room="201", floor=2, house_type=VILLA)
    # when March 2025 is planned
    plan = bill_plan(compound=world.compound_b, period="2025-03")
    # then the residential house would be billed and the villa is listed as without a standard
    assert plan.missing_standard == [villa.pk]
    assert [b.house_id for b in plan.new] == [world.house_b.pk]


def test_house_types_cost_no_query_per_house(world: Any, keeper: Any, mixed: dict[str, House]) -> None:
    # given the generation's queries for the six houses
    with CaptureQueriesContext(connection) as few:
        bill_plan(compound=world.compound_a, period="2025-03")
    # when ten more houses of each type are added
    unit = mixed["flat"].unit
    for i in range(20):
        HouseFactory.create(unit=unit, room=f"3{i:02d}", floor=3, house_type=VILLA if i % 2 else RES)
    with CaptureQueriesContext(connection) as many:
        plan = bill_plan(compound=world.compound_a, period="2025-03")
    # then the plan takes the same number of queries
    assert plan.count == 26
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The standards page -----------------------------------------------------------------------------------------


def _standards(world: Any, name: str = "finance:standards") -> str:
    return reverse(name, args=[world.compound_a.code])


def test_the_form_offers_the_house_types_with_residential_first(world: Any, client_for: Any, keeper: Any) -> None:
    # when the finance staff open the standards page
    response = client_for(keeper).get(_standards(world))
    # then the type is a required choice of the three types, residential by default
    field = response.context["standard_form"].fields["house_type"]
    assert field.required and [v for v, _label in field.choices] == [RES, VILLA, COM]
    assert response.context["standard_form"]["house_type"].value() == RES
    assert '<option value="residential" selected>' in response.content.decode()


def test_a_villa_standard_is_set_from_the_page(world: Any, client_for: Any, keeper: Any, standard: Any) -> None:
    # given the residential standard of ¥2.50 from 2024-01
    client = client_for(keeper)
    # when a villa standard of ¥4.20 from 2030-01 is set
    response = client.post(
        _standards(world, "finance:standard_new"),
        {"house_type": "villa", "rate": "4.20", "vacant_percent": "80", "effective_from": "2030-01"},
    )
    # then it is a villa standard and the residential one is still open (each type has its own history)
    assert response.status_code == 302
    villa = FeeStandard.objects.get(house_type=VILLA)
    assert (villa.rate, villa.vacant_percent, villa.effective_from) == (Decimal("4.2000"), 80, D(2030, 1, 1))
    standard.refresh_from_db()
    assert standard.effective_to is None


@pytest.mark.parametrize("house_type", ["", "castle"])
def test_a_standard_without_a_valid_type_is_refused_and_nothing_changes(
    world: Any, client_for: Any, keeper: Any, house_type: str
) -> None:
    before = finance_state()
    # when the form is sent with no type or an unknown one
    response = client_for(keeper).post(
        _standards(world, "finance:standard_new"),
        {"house_type": house_type, "rate": "4.20", "vacant_percent": "80", "effective_from": "2030-01"},
    )
    # then the type is the one error and nothing changed
    assert response.status_code == 200
    assert list(response.context["standard_form"].errors) == ["house_type"]
    assert finance_state() == before


def test_the_page_shows_the_type_in_the_history_and_whats_in_force_per_type(
    world: Any, client_for: Any, keeper: Any, mixed: dict[str, House]
) -> None:
    # given residential and villa standards in force (see ``mixed``)
    page = client_for(world.users["resident"]).get(_standards(world)).content.decode()
    # then "in force today" has a group per type, residential first, each with its rates
    in_force = page.split('id="standards-in-force"')[1].split('id="commitments"')[0]
    groups = in_force.split("data-type-group>")[1:]
    assert [g.split("<")[0] for g in groups] == ["Residential", "Villa"]
    assert "2.50" in groups[0] and "4.00" not in groups[0]
    assert "4.00" in groups[1] and "5.00" in groups[1] and "二期" in groups[1]
    # and the history names every standard's type
    history = page.split('id="standard-history"')[1]
    rows = history.split("<tr>")[2:]
    assert sorted(r.split("<td>")[2].split("</td>")[0] for r in rows) == ["Residential", "Villa", "Villa"]
