"""A house's type (住宅, 别墅, 商业): on the house page, edited by ledger editors, and the ledger's optional 房屋类型
column — imported, exported, round-tripped, a bad word a row error, a file without it leaving types alone."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from gongzhi.api.tests.helpers import db_state
from gongzhi.core.models import AuditEvent
from gongzhi.estates.ledger.check import ledger_read
from gongzhi.estates.ledger.errors import LedgerRejected
from gongzhi.estates.ledger.houses import HOUSES
from gongzhi.estates.ledger.services import ledger_export, ledger_file_import
from gongzhi.estates.models import Compound, House, HouseType
from gongzhi.testing.factories import CompoundFactory

from .ledger_files import KEYS, house, media_tmp, read_xlsx, xlsx_bytes  # noqa: F401

pytestmark = pytest.mark.django_db
RES, VILLA, COM = HouseType.RESIDENTIAL, HouseType.VILLA, HouseType.COMMERCIAL
OLD_KEYS = [k for k in KEYS if k != "house_type"]  # a file written before 房屋类型 existed


def run_import(compound: Compound, rows: list[dict[str, Any]], **kwargs: Any) -> Any:
    plan, _result = ledger_file_import(
        actor=None,
        compound=compound,
        ledger="houses",
        fileobj=io.BytesIO(xlsx_bytes(rows, **kwargs)),
        name="houses.xlsx",
    )
    return plan


def types_of(compound: Compound) -> dict[str, str]:
    return dict(House.objects.filter(compound=compound).values_list("room", "house_type"))


# --- The house page ---------------------------------------------------------------------------------------------


def test_a_new_house_is_residential_and_its_page_says_so(world: Any, client_for: Any) -> None:
    page = client_for(world.users["customer_service"]).get(reverse("estates:house_detail", args=[world.house_a.pk]))
    assert world.house_a.house_type == RES
    assert '<dd id="house-type">Residential</dd>' in page.content.decode()


def test_a_ledger_editor_changes_the_type_and_it_is_audited(world: Any, client_for: Any) -> None:
    # given the property manager on house a (residential)
    staff = world.users["property_manager"]
    client = client_for(staff)
    # when they make it a villa
    response = client.post(reverse("estates:house_type", args=[world.house_a.pk]), {"house_type": "villa"})
    # then they are back on the house page, which says villa, and the change is audited with before and after
    assert response.status_code == 302
    assert response["Location"] == reverse("estates:house_detail", args=[world.house_a.pk])
    world.house_a.refresh_from_db()
    assert world.house_a.house_type == VILLA
    event = AuditEvent.objects.get(verb="house.type", object_id=str(world.house_a.pk))
    assert (event.actor, event.before, event.after) == (staff, {"house_type": RES}, {"house_type": VILLA})
    page = client.get(response["Location"]).content.decode()
    assert '<dd id="house-type">Villa</dd>' in page and "The house type is saved." in page


def test_the_type_form_is_offered_to_ledger_editors_only(world: Any, client_for: Any) -> None:
    url = reverse("estates:house_detail", args=[world.house_a.pk])
    action = f'action="{reverse("estates:house_type", args=[world.house_a.pk])}"'
    assert action in client_for(world.users["secretary"]).get(url).content.decode()
    assert action not in client_for(world.users["technician"]).get(url).content.decode()


def test_a_role_that_does_not_edit_the_ledger_may_not_change_the_type(world: Any, client_for: Any) -> None:
    before = db_state()
    response = client_for(world.users["grid_worker"]).post(
        reverse("estates:house_type", args=[world.house_a.pk]), {"house_type": "villa"}
    )
    assert response.status_code == 403
    assert db_state() == before


@pytest.mark.parametrize("value", ["", "castle"])
def test_an_unknown_type_is_refused_on_the_page_and_nothing_changes(world: Any, client_for: Any, value: str) -> None:
    before = db_state()
    response = client_for(world.users["secretary"]).post(
        reverse("estates:house_type", args=[world.house_a.pk]), {"house_type": value}
    )
    assert response.status_code == 200
    assert list(response.context["type_form"].errors) == ["house_type"]
    assert db_state() == before


# --- The ledger's 房屋类型 column -------------------------------------------------------------------------------


@pytest.mark.usefixtures("media_tmp")
def test_the_ledger_column_sets_each_houses_type_and_empty_means_residential() -> None:
    # given a new compound
    compound = CompoundFactory.create()
    # when a ledger gives 住宅, 别墅, 商业, an empty cell and the English alias
    rows = [
        house(room="101", house_type="住宅"),
        house(room="102", house_type="别墅"),
        house(room="103", house_type="商业"),
        house(room="104", house_type=None),
        house(room="105", house_type="Villa"),
    ]
    plan = run_import(compound, rows)
    # then every house has its type
    assert plan.created == 5
    assert types_of(compound) == {"101": RES, "102": VILLA, "103": COM, "104": RES, "105": VILLA}


@pytest.mark.usefixtures("media_tmp")
def test_a_new_type_updates_a_stored_house_and_is_audited() -> None:
    compound = CompoundFactory.create()
    run_import(compound, [house(room="101")])
    # when the same house comes back as 商业
    plan = run_import(compound, [house(room="101", house_type="商业")])
    # then it is updated, with the change in the audit trail
    assert (plan.created, plan.updated) == (0, 1)
    assert types_of(compound) == {"101": COM}
    event = AuditEvent.objects.get(verb="house.ledger_update")
    assert (event.before, event.after) == ({"house_type": RES}, {"house_type": COM})


@pytest.mark.usefixtures("media_tmp")
def test_a_file_without_the_column_imports_and_keeps_the_stored_types() -> None:
    # given a villa and a shop from an earlier ledger
    compound = CompoundFactory.create()
    run_import(compound, [house(room="101", house_type="别墅"), house(room="102", house_type="商业")])
    # when an old file without 房屋类型 changes the villa's area and adds a house
    plan = run_import(compound, [house(room="101", area=150), house(room="102"), house(room="103")], keys=OLD_KEYS)
    # then the types stay, the new house is residential
    assert (plan.created, plan.updated, plan.unchanged) == (1, 1, 1)
    assert types_of(compound) == {"101": VILLA, "102": COM, "103": RES}


@pytest.mark.usefixtures("media_tmp")
def test_export_writes_the_type_words_and_importing_it_back_changes_nothing() -> None:
    # given houses of every type
    compound = CompoundFactory.create()
    run_import(
        compound,
        [house(room="101", house_type="别墅"), house(room="102", house_type="商业"), house(room="103")],
    )
    out = io.BytesIO()
    ledger_export(actor=None, compound=compound, ledger="houses", out=out)
    # then the export has the 房屋类型 column with the words
    rows = read_xlsx(out.getvalue())
    header = list(rows[0])
    column = next(i for i, h in enumerate(header) if h is not None and str(h).startswith("房屋类型"))
    assert {r[header.index(next(h for h in header if str(h).startswith("房号")))]: r[column] for r in rows[1:]} == {
        "101": "别墅",
        "102": "商业",
        "103": "住宅",
    }
    # and imported back, it changes nothing
    plan, _result = ledger_file_import(
        actor=None, compound=compound, ledger="houses", fileobj=io.BytesIO(out.getvalue()), name="export.xlsx"
    )
    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 3)
    assert types_of(compound) == {"101": VILLA, "102": COM, "103": RES}


def test_an_unknown_type_word_is_a_row_error() -> None:
    result = ledger_read(HOUSES, io.BytesIO(xlsx_bytes([house(house_type="洋房")])), "houses.xlsx")
    with translation.override("en"):
        errors = [(e.row, e.column, e.message) for e in result.errors.items]
    assert errors == [(2, "房屋类型", "Write one of 住宅, 别墅, 商业 (or leave it empty for 住宅).")]
    assert result.rows == []


@pytest.mark.usefixtures("media_tmp")
def test_a_ledger_with_a_bad_type_changes_nothing() -> None:
    # given a compound with a villa
    compound = CompoundFactory.create()
    run_import(compound, [house(room="101", house_type="别墅")])
    before = db_state()
    # when a ledger with one good row and one bad type is imported, then it is refused and nothing changed
    with pytest.raises(LedgerRejected):
        run_import(compound, [house(room="101", house_type="住宅"), house(room="102", house_type="别野")])
    assert db_state() == before
    assert types_of(compound) == {"101": VILLA}
