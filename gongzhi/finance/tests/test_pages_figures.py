"""Collection figures pages on a hand-computed dataset (KPIS.md), by compound, building and phase; query counts."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.finance.services import bill_create, bill_reduce, payment_record
from gongzhi.testing.factories import CompoundFactory, HouseFactory, PhaseFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _january_2026():
    with time_machine.travel(datetime.datetime(2026, 1, 10, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def dataset(world, keeper, manager):
    """Compound A (billing period 2025, counted to the end of 2025; a year before: 2024 to the end of 2024):

    building 1 — 101: 2024 ¥1000 (paid 600 on 2024-06-01, 400 on 2025-03-01), 2025 ¥1200 (paid 2025-02-01);
                 102: 2024 ¥800 (unpaid), 2025 ¥1000 (−¥100 approved 2025-04-01, paid 500 on 2025-05-01);
    building 0栋 (phase 二期) — 201: 2025 ¥500 unpaid.
    Compound B: 2025 ¥1000, ¥250 paid on 2025-07-01.

    2025:  collection = (1200 + 500) ÷ (1200 + 900 + 500) = 1700 ÷ 2600 = 65.4%
           arrears at 2026-01-01 = (1800 + 2600) − (600 + 400 + 1200 + 500) = 1700
           arrears at 2025-01-01 = 1800 − 600 = 1200; recovered in 2025 = 400; recovery = 400 ÷ 1200 = 33.3%
    2024:  collection = 600 ÷ 1800 = 33.3%; arrears at 2025-01-01 = 1200; recovered 0; recovery: no data
    """
    root = world.users["superuser"]

    def bill(house, period, amount):
        return bill_create(actor=keeper if house.compound_id == world.compound_a.pk else root, house=house,
                           period=period, amount_due=amount)  # fmt: skip

    def pay(b, amount, day, actor=keeper):
        payment_record(actor=actor, bill=b, amount=amount, channel="bank", paid_on=day)

    old_a = bill(world.house_a, "2024", "1000")
    pay(old_a, "600", D(2024, 6, 1))
    pay(old_a, "400", D(2025, 3, 1))
    pay(bill(world.house_a, "2025", "1200"), "1200", D(2025, 2, 1))
    bill(world.house_a2, "2024", "800")
    new_a2 = bill(world.house_a2, "2025", "1000")
    bill_reduce(actor=keeper, bill=new_a2, amount="100", reason="困难户", approver=manager, approved_on=D(2025, 4, 1))
    pay(new_a2, "500", D(2025, 5, 1))
    phase = PhaseFactory.create(compound=world.compound_a, name="二期")
    other = HouseFactory.create(unit__building__compound=world.compound_a, unit__building__name="0栋", room="201",
                                phase=phase)  # fmt: skip
    other.building.sort_key = 99  # after building 1, though "0栋" sorts before it by name
    other.building.save(update_fields=["sort_key"])
    bill(other, "2025", "500")
    pay(bill(world.house_b, "2025", "1000"), "250", D(2025, 7, 1), actor=root)
    return other


def _card(page: str, name: str) -> str:
    text = page.split(f'id="kpi-{name}"')[1].split("</div>\n  </div>")[0]
    return re.sub(r"<[^>]+>", " ", text)


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_the_compound_cards_show_the_four_kpis_with_numerators_denominators_and_the_year_before(
    world, client_for, keeper, dataset
):
    # when the finance staff open compound A's figures for 2025
    page = client_for(keeper).get(reverse("finance:figures_compound", args=["aaa"]) + "?period=2025").content.decode()
    # then each card matches the hand computation
    collection = _squash(_card(page, "collection"))
    assert "65.4%" in collection and "¥1,700.00 paid of ¥2,600.00 receivable" in collection
    assert "+32.1 pp (+96.2%) on a year before (33.3%)" in collection
    arrears = _squash(_card(page, "arrears"))
    assert "¥1,700.00" in arrears and "+41.7% on a year before (¥1,200.00)" in arrears
    recovered = _squash(_card(page, "recovered"))
    assert "¥400.00" in recovered and "A year before: ¥0.00" in recovered
    recovery = _squash(_card(page, "recovery"))
    assert "33.3%" in recovery and "¥400.00 recovered of ¥1,200.00 owed" in recovery
    assert "A year before: no data" in recovery
    assert "Billing period 2025, counted to the end of" in page and "compared with 2024" in page


def test_by_building_and_by_phase(world, client_for, keeper, dataset):
    client = client_for(keeper)
    url = reverse("finance:figures_compound", args=["aaa"])
    # by building: building 1 collected 1700 of 2100, 0栋 nothing of 500
    response = client.get(url + "?period=2025&by=building")
    rows = {name: f for name, f in response.context["rows"]}
    first = world.house_a.building.name
    assert list(rows) == [first, "0栋"]  # in the estate's order (sort key), not by name
    assert (rows[first].collection.now.numerator, rows[first].collection.now.denominator) == (1700, 2100)
    assert (rows["0栋"].collection.now.numerator, rows["0栋"].collection.now.denominator) == (0, 500)
    assert rows["0栋"].arrears.now == 500 and rows[first].recovered.now == 400
    table = _squash(re.sub(r"<[^>]+>", " ", response.content.decode().split('id="figures-by-group"')[1]))
    assert "81.0%" in table and "0.0%" in table and "A year before: no data" in table
    # by phase: the houses without a phase, and 二期
    response = client.get(url + "?period=2025&by=phase")
    rows = {name: f for name, f in response.context["rows"]}
    assert set(rows) == {"二期", "No phase"}
    assert rows["二期"].collection.now.denominator == 500 and rows["No phase"].collection.now.denominator == 2100


def test_the_figures_page_lists_every_compound_read_and_their_total(world, client_for, dataset):
    # when the sub-district supervisor opens the figures of 2025
    response = client_for(world.users["sub_district_supervisor"]).get(reverse("finance:figures") + "?period=2025")
    # then both compounds are listed, and the total counts both
    rows = {c.code: f for c, f in response.context["rows"]}
    assert set(rows) == {"aaa", "bbb"}
    assert (rows["bbb"].collection.now.numerator, rows["bbb"].collection.now.denominator) == (250, 1000)
    total = response.context["total"]
    assert (total.collection.now.numerator, total.collection.now.denominator) == (1950, 3600)
    assert "54.2%" in _squash(_card(response.content.decode(), "collection"))


def test_the_community_secretary_reads_only_compound_a(world, client_for, dataset):
    response = client_for(world.users["secretary"]).get(reverse("finance:figures") + "?period=2025")
    assert [c.code for c, _f in response.context["rows"]] == ["aaa"]
    assert response.context["total"].collection.now.denominator == 2600


def test_figures_as_of_an_earlier_day(world, client_for, keeper, dataset):
    # as of 2025-03-31: paid for 2025's bills 1200; the reduction (approved 2025-04-01) not yet counted
    response = client_for(keeper).get(reverse("finance:figures_compound", args=["aaa"]) + "?period=2025&at=2025-03-31")
    collection = response.context["whole"].collection.now
    assert (collection.numerator, collection.denominator) == (1200, 2700)


def test_a_month_period_and_a_bad_period(world, client_for, keeper, dataset):
    client = client_for(keeper)
    url = reverse("finance:figures_compound", args=["aaa"])
    # a month holds no yearly bill: no data, never 0%
    page = client.get(url + "?period=2025-03").content.decode()
    assert "No data" in _card(page, "collection")
    # a bad period is reported and the figures fall back to this year
    response = client.get(url + "?period=2025Q5")
    assert list(response.context["form"].errors) == ["period"]
    assert response.context["window"].period.label == "2026"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_figures_pages_cost_the_same_queries_however_many_compounds_buildings_and_bills(world, client_for, dataset):
    client = client_for(world.users["superuser"])
    list_url = reverse("finance:figures") + "?period=2025"
    compound_url = reverse("finance:figures_compound", args=["aaa"]) + "?period=2025"
    few_list, few_compound = _queries(client, list_url), _queries(client, compound_url)
    # when three more compounds with bills appear, and compound A gets three more buildings with bills
    root = world.users["superuser"]
    for i in range(3):
        compound = CompoundFactory.create(community=world.compound_a.community)
        house = HouseFactory.create(unit__building__compound=compound)
        bill_create(actor=root, house=house, period="2025", amount_due="100")
        house = HouseFactory.create(unit__building__compound=world.compound_a, unit__building__name=f"新{i}栋")
        bill_create(actor=root, house=house, period="2025", amount_due="100")
    # then both pages cost the same
    assert _queries(client, list_url) == few_list
    assert _queries(client, compound_url) == few_compound
