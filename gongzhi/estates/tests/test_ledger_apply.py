"""Applying a house ledger: what gets created and updated, history, residents, audit, idempotence."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.core import crypto
from gongzhi.core.models import AuditEvent
from gongzhi.estates.ledger.errors import LedgerRejected
from gongzhi.estates.ledger.services import ledger_export, ledger_file_import
from gongzhi.estates.models import Building, Compound, House, HouseEvent, HouseStatus, Phase, Resident, Unit
from gongzhi.testing.factories import CompoundFactory, HouseFactory, ResidentFactory, UserFactory, house_with_history

from .ledger_files import house, houses, media_tmp, xlsx_bytes  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_tmp")]


def run_import(compound: Compound, rows: list[dict[str, Any]], *, dry_run: bool = False, **kwargs: Any) -> Any:
    plan, _result = ledger_file_import(
        actor=None,
        compound=compound,
        ledger="houses",
        fileobj=io.BytesIO(xlsx_bytes(rows, **kwargs)),
        name="houses.xlsx",
        dry_run=dry_run,
    )
    return plan


def test_new_rows_create_phase_building_unit_and_houses():
    # given an empty compound
    compound = CompoundFactory.create()
    # when a ledger of four houses in 3栋 1单元 is imported
    plan = run_import(compound, houses(4))
    # then the structure and houses exist, with phone encrypted and hashed
    assert (plan.created, plan.updated, plan.unchanged) == (4, 0, 0)
    building = Building.objects.get(compound=compound)
    assert (building.name, building.sort_key, building.community_id) == ("3栋", 3, compound.community_id)
    assert Unit.objects.get(building=building).sort_key == 1
    assert Phase.objects.get(compound=compound).name == "一期"
    h = House.objects.get(compound=compound, room="101")
    assert (h.floor, h.area, h.status, h.owner_name) == (1, Decimal("128.56"), HouseStatus.OCCUPIED, "张三")
    assert h.owner_phone == "13800000000"
    assert h.owner_phone_hash == crypto.phone_hash("13800000000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT owner_phone FROM estates_house WHERE id = %s", [h.pk])
        stored = cursor.fetchone()[0]
    assert stored and "13800000000" not in stored


def test_new_occupied_house_gets_delivery_and_move_in_events():
    # given an empty compound
    compound = CompoundFactory.create()
    # when an occupied house delivered 2023-06-30 and moved into 2024-03-15 is imported
    run_import(compound, [house()])
    # then its history says vacant from delivery, occupied from the move-in
    events = list(HouseEvent.objects.filter(house__compound=compound).values_list("status", "effective_on", "source"))
    assert events == [
        (HouseStatus.VACANT, datetime.date(2023, 6, 30), "ledger"),
        (HouseStatus.OCCUPIED, datetime.date(2024, 3, 15), "ledger"),
    ]


def test_new_vacant_house_is_vacant_from_delivery():
    compound = CompoundFactory.create()
    run_import(compound, [house(status="空置", moved_in_on=None, permanent_residents=0)])
    assert list(HouseEvent.objects.values_list("status", "effective_on")) == [
        (HouseStatus.VACANT, datetime.date(2023, 6, 30))
    ]


def test_status_change_of_stored_house_is_an_event_on_move_in_date():
    # given a stored vacant house
    compound = CompoundFactory.create()
    run_import(compound, [house(status="空置", moved_in_on=None, permanent_residents=0)])
    # when the ledger says it became occupied on 2024-03-15
    plan = run_import(compound, [house(permanent_residents=0)])
    # then one update, one new event at the move-in date, and the house status follows
    assert (plan.created, plan.updated) == (0, 1)
    h = House.objects.get(compound=compound)
    assert (h.status, h.moved_in_on) == (HouseStatus.OCCUPIED, datetime.date(2024, 3, 15))
    assert list(h.events.values_list("status", "effective_on")) == [
        (HouseStatus.VACANT, datetime.date(2023, 6, 30)),
        (HouseStatus.OCCUPIED, datetime.date(2024, 3, 15)),
    ]


def test_status_change_to_vacant_is_dated_on_the_import_day():
    compound = CompoundFactory.create()
    run_import(compound, [house(permanent_residents=0)])
    run_import(compound, [house(status="空置", permanent_residents=0)])
    last = HouseEvent.objects.order_by("-effective_on", "-id").first()
    assert last is not None
    assert (last.status, last.effective_on) == (HouseStatus.VACANT, timezone.localdate())


def test_reimporting_the_same_file_changes_nothing():
    # given a compound imported from a file
    compound = CompoundFactory.create()
    rows = houses(6)
    run_import(compound, rows)
    counts = (House.objects.count(), HouseEvent.objects.count(), Resident.objects.count(), AuditEvent.objects.count())
    # when the same file is imported again
    plan = run_import(compound, rows)
    # then nothing is created or updated, and only the import itself is audited
    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 6)
    assert (House.objects.count(), HouseEvent.objects.count(), Resident.objects.count()) == counts[:3]
    assert AuditEvent.objects.count() == counts[3] + 1


def test_permanent_residents_are_created_unnamed_to_reach_the_count():
    compound = CompoundFactory.create()
    run_import(compound, [house(permanent_residents=3)])
    residents = Resident.objects.filter(house__compound=compound)
    assert residents.count() == 3
    assert set(residents.values_list("name", "relation", "source", "is_permanent", "moved_in_on")) == {
        ("", "family", "ledger", True, datetime.date(2024, 3, 15))
    }


def test_lower_count_moves_out_ledger_residents_but_never_named_ones():
    # given a house with 3 ledger residents and one named resident with an account
    compound = CompoundFactory.create()
    run_import(compound, [house(permanent_residents=3)])
    h = House.objects.get(compound=compound)
    named = ResidentFactory.create(house=h, name="李四", user=UserFactory.create())
    # when the ledger says 2 permanent residents
    plan = run_import(compound, [house(permanent_residents=2)])
    # then two unnamed ledger residents moved out today; the named one stays
    assert plan.updated == 1
    current = Resident.objects.filter(house=h, moved_out_on__isnull=True)
    assert current.count() == 2
    assert named in current
    assert Resident.objects.filter(house=h, moved_out_on=timezone.localdate(), name="").count() == 2


def test_count_below_registered_residents_is_a_row_error():
    # given a house with two named residents
    compound = CompoundFactory.create()
    run_import(compound, [house(permanent_residents=0)])
    h = House.objects.get(compound=compound)
    ResidentFactory.create_batch(2, house=h)
    # when the ledger says 1
    with pytest.raises(LedgerRejected) as rejected:
        run_import(compound, [house(permanent_residents=1)])
    # then the row is refused and nothing changed
    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "常住人数")]
    assert Resident.objects.filter(house=h, moved_out_on__isnull=True).count() == 2


def test_every_created_and_updated_house_is_audited_with_before_and_after():
    compound = CompoundFactory.create()
    run_import(compound, houses(2))
    assert AuditEvent.objects.filter(verb="house.ledger_create").count() == 2
    run_import(compound, [house(room="101", floor=1, area=99)])
    update = AuditEvent.objects.get(verb="house.ledger_update")
    assert update.before == {"area": "128.56"}
    assert update.after == {"area": "99.00"}
    assert AuditEvent.objects.filter(verb="ledger.import", object_type="estates.compound").count() == 2


def test_columns_missing_from_the_file_leave_stored_values_alone():
    # given a house with an owner and phone
    compound = CompoundFactory.create()
    run_import(compound, [house()])
    # when a file without 业主姓名 and 联系电话 changes its area
    keys = ["building", "unit", "room", "area", "status", "moved_in_on"]
    plan = run_import(compound, [house(area=100)], keys=keys)
    # then the owner is kept
    h = House.objects.get(compound=compound)
    assert plan.updated == 1
    assert (h.owner_name, h.owner_phone, str(h.area)) == ("张三", "13800000000", "100.00")


def test_export_then_import_changes_nothing():
    # given a compound with houses from a ledger and from staff, one with a named resident and history
    compound = CompoundFactory.create()
    run_import(compound, houses(5))
    staff_house = HouseFactory.create(unit__building__compound=compound, room="901", floor=9, owner_name="=SUM(A1)")
    house_with_history(staff_house, (HouseStatus.VACANT, datetime.date(2023, 6, 30)))
    ResidentFactory.create(house=House.objects.get(compound=compound, room="101"), name="王五")
    out = io.BytesIO()
    ledger_export(actor=None, compound=compound, ledger="houses", out=out)
    # when the export is imported back
    plan, _result = ledger_file_import(
        actor=None, compound=compound, ledger="houses", fileobj=io.BytesIO(out.getvalue()), name="export.xlsx"
    )
    # then nothing changes
    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 6)


def test_any_bad_row_changes_nothing():
    compound = CompoundFactory.create()
    rows = [*houses(3), house(room="999", area=0)]
    with pytest.raises(LedgerRejected):
        run_import(compound, rows)
    assert House.objects.count() == 0
    assert Building.objects.count() == 0


def test_dry_run_reports_counts_and_changes_nothing():
    compound = CompoundFactory.create()
    plan = run_import(compound, houses(3), dry_run=True)
    assert plan.created == 3
    assert House.objects.count() == 0


def test_html_in_owner_name_is_stored_as_text():
    compound = CompoundFactory.create()
    run_import(compound, [house(owner_name="<script>alert(1)</script>")])
    assert House.objects.get(compound=compound).owner_name == "<script>alert(1)</script>"


def test_each_new_house_gets_its_own_rows_residents_and_history():
    # given rows that differ in status and residents
    compound = CompoundFactory.create()
    rows = [
        house(room="101", floor=1, permanent_residents=1),
        house(room="102", floor=1, status="空置", moved_in_on=None, permanent_residents=0),
        house(room="201", floor=2, status="出租", moved_in_on=datetime.date(2024, 5, 1), permanent_residents=4),
    ]
    # when imported
    run_import(compound, rows)
    # then every house has exactly its own residents and events
    by_room = {h.room: h for h in House.objects.filter(compound=compound)}
    assert {room: h.residents.count() for room, h in by_room.items()} == {"101": 1, "102": 0, "201": 4}
    assert list(by_room["201"].events.values_list("status", "effective_on")) == [
        (HouseStatus.VACANT, datetime.date(2023, 6, 30)),
        (HouseStatus.RENTED, datetime.date(2024, 5, 1)),
    ]
    assert list(by_room["102"].events.values_list("status", flat=True)) == [HouseStatus.VACANT]
    assert set(AuditEvent.objects.filter(verb="house.ledger_create").values_list("object_id", flat=True)) == {
        str(h.pk) for h in by_room.values()
    }


def test_the_template_example_row_imports_as_one_house():
    from gongzhi.estates.ledger.services import ledger_template

    compound = CompoundFactory.create()
    out = io.BytesIO()
    ledger_template(ledger="houses", out=out)
    plan, result = ledger_file_import(
        actor=None, compound=compound, ledger="houses", fileobj=io.BytesIO(out.getvalue()), name="template.xlsx"
    )
    assert (plan.created, result.unknown_columns) == (1, [])
    h = House.objects.get(compound=compound)
    assert (h.building.name, h.unit.name, h.room, h.floor, h.owner_name) == ("3栋", "1单元", "1702", 17, "张三")


def test_a_new_phase_is_delivered_with_its_first_house():
    compound = CompoundFactory.create()
    run_import(
        compound, [house(room="101", floor=1), house(room="102", floor=1, delivered_on=datetime.date(2023, 5, 1))]
    )
    assert Phase.objects.get(compound=compound).delivered_on == datetime.date(2023, 5, 1)


def test_a_new_phone_is_encrypted_hashed_and_audited_masked():
    compound = CompoundFactory.create()
    run_import(compound, [house()])
    plan = run_import(compound, [house(phone="13912345678")])
    h = House.objects.get(compound=compound)
    assert plan.updated == 1
    assert (h.owner_phone, h.owner_phone_hash) == ("13912345678", crypto.phone_hash("13912345678"))
    update = AuditEvent.objects.get(verb="house.ledger_update")
    assert (update.before, update.after) == ({"phone": "***"}, {"phone": "139****5678"})


@pytest.mark.parametrize(
    ("first", "corrected", "occupied_at", "empty_at"),
    [
        # an earlier move-in date: occupied from the earlier date on
        (datetime.date(2025, 8, 12), datetime.date(2024, 1, 2), datetime.date(2024, 3, 1), datetime.date(2023, 12, 1)),
        # a later move-in date: no longer occupied between the old and the new date
        (datetime.date(2024, 1, 2), datetime.date(2025, 1, 1), datetime.date(2025, 2, 1), datetime.date(2024, 6, 1)),
    ],
)
def test_a_corrected_move_in_date_rewrites_the_occupancy_history(first, corrected, occupied_at, empty_at):
    from gongzhi.insights.kpis import occupancy_rate

    # given a lived-in house imported with one move-in date
    compound = CompoundFactory.create()
    run_import(compound, [house(moved_in_on=first)])
    # when the ledger is imported again with the move-in date corrected (the status unchanged)
    plan = run_import(compound, [house(moved_in_on=corrected)])
    # then the house's date and its occupancy at past dates follow the correction
    assert plan.updated == 1
    assert House.objects.get(compound=compound).moved_in_on == corrected
    houses_qs = House.objects.filter(compound=compound)
    assert occupancy_rate(houses_qs, occupied_at).numerator == 1
    assert occupancy_rate(houses_qs, empty_at).numerator == 0
