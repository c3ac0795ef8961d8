"""Staff pages: the compound list and the compound overview with its house matrix (房态图)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind, Role
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import HouseStatus
from gongzhi.estates.views import pages
from gongzhi.testing.factories import (
    BuildingFactory,
    CompoundFactory,
    HouseFactory,
    OrganizationFactory,
    ResidentFactory,
    UnitFactory,
    UserFactory,
    house_with_history,
    member,
)

pytestmark = pytest.mark.django_db


def _overview(client, code="aaa", **params):
    return client.get(reverse("estates:compound_detail", args=[code]), params)


# --- compound list ---------------------------------------------------------------------------------------------


def test_compound_list_shows_only_compounds_in_scope_with_houses_occupancy_and_residents(world, client_for):
    # given compound A with one occupied house out of two and one permanent resident
    house_with_history(world.house_a2, (HouseStatus.OCCUPIED, datetime.date(2024, 1, 1)))
    # when its community secretary opens the compound list
    response = client_for(world.users["secretary"]).get(reverse("estates:compound_list"))
    # then A is listed with its figures, B (another community) is not
    html = response.content.decode()
    assert response.status_code == 200
    assert "A小区" in html
    assert "B小区" not in html
    assert "50.0%" in html
    assert "1 / 2" in html


def test_compound_list_searches_by_name_and_code(world, client_for):
    # given a sub-district supervisor, who sees both compounds
    client = client_for(world.users["sub_district_supervisor"])
    # when searching by name, then by code
    by_name = client.get(reverse("estates:compound_list"), {"q": "B小"}).content.decode()
    by_code = client.get(reverse("estates:compound_list"), {"q": "AAA"}).content.decode()
    # then each search finds its compound only
    assert "B小区" in by_name and "A小区" not in by_name
    assert "A小区" in by_code and "B小区" not in by_code


def test_compound_list_says_so_when_nothing_matches(world, client_for):
    response = client_for(world.users["secretary"]).get(reverse("estates:compound_list"), {"q": "nothing-like-it"})
    assert "nothing-like-it" in response.content.decode()
    assert 'class="empty"' in response.content.decode()


def test_compound_list_shows_an_empty_state_to_staff_without_compounds(world, client_for):
    # given a police officer: staff, but no estate role
    response = client_for(world.users["officer"]).get(reverse("estates:compound_list"))
    assert response.status_code == 200
    assert 'class="empty"' in response.content.decode()


def test_compound_list_paginates(client_for):
    # given a property company managing 25 compounds
    company = OrganizationFactory.create(kind=OrgKind.PROPERTY)
    for i in range(25):
        CompoundFactory.create(code=f"p{i:02d}", name=f"分页小区{i:02d}", property_company=company)
    manager = UserFactory.create()
    member(manager, company, Role.PROPERTY_MANAGER)
    client = client_for(manager)
    # when the manager opens pages 1 and 2
    first = client.get(reverse("estates:compound_list")).content.decode()
    second = client.get(reverse("estates:compound_list"), {"page": 2}).content.decode()
    # then 20 compounds are on page one, the other 5 on page two
    assert first.count("分页小区") == 20
    assert second.count("分页小区") == 5
    assert "page=2" in first


def test_resident_opening_the_compound_list_lands_on_their_home(world, client_for):
    response = client_for(world.users["resident"]).get(reverse("estates:compound_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("estates:resident_home")


def test_html_in_compound_names_is_shown_escaped(world, client_for):
    # given a compound whose name carries markup
    world.compound_a.name = "<script>alert(1)</script>小区"
    world.compound_a.save()
    world.house_a.building.name = "<b>1栋</b>"
    world.house_a.building.save()
    client = client_for(world.users["secretary"])
    # when the list and the overview are shown
    listing = client.get(reverse("estates:compound_list")).content.decode()
    overview = _overview(client).content.decode()
    # then the markup is text
    for html in (listing, overview):
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;小区" in html
    assert "<b>1栋</b>" not in overview


# --- overview: KPI cards ---------------------------------------------------------------------------------------


def test_overview_shows_occupancy_as_of_the_chosen_date_with_numerator_and_denominator(world, client_for):
    # given house a2 occupied from 2024-01-01 (both houses delivered 2023-06-30)
    house_with_history(world.house_a2, (HouseStatus.OCCUPIED, datetime.date(2024, 1, 1)))
    client = client_for(world.users["property_manager"])
    # when the overview is asked for a day before and a day after the move-in
    before = _overview(client, at="2023-12-31").content.decode()
    after = _overview(client, at="2024-06-01").content.decode()
    # then occupancy goes from 0 of 2 to 1 of 2, dated in Chinese convention
    assert "0.0%" in before and "0 occupied of 2 delivered houses" in before
    assert "50.0%" in after and "1 occupied of 2 delivered houses" in after
    assert "2024年6月1日" in after


def test_overview_compares_occupancy_and_residents_with_a_year_before(world, client_for):
    # given house a2 occupied from 2024-01-01 and a second permanent resident since then
    house_with_history(world.house_a2, (HouseStatus.OCCUPIED, datetime.date(2024, 1, 1)))
    ResidentFactory.create(house=world.house_a2, moved_in_on=datetime.date(2024, 1, 1))
    # when the overview is shown for 2024-07-15
    html = _overview(client_for(world.users["secretary"]), at="2024-07-15").content.decode()
    # then occupancy rose 50 points on 2023-07-15 (0 of 2 then); there were no permanent residents then
    # (the world's resident moved in on 2024-01-01 too), so their change has no relative value
    assert "+50.0 pp on a year before (0.0% on 2023年7月15日)" in html
    assert "A year before: 0" in html


def test_overview_shows_the_relative_change_of_permanent_residents(world, client_for):
    # given 2 permanent residents on 2024-07-15 and 3 a year later
    ResidentFactory.create(house=world.house_a2, moved_in_on=datetime.date(2023, 7, 1))
    ResidentFactory.create(house=world.house_a2, moved_in_on=datetime.date(2025, 1, 1))
    html = _overview(client_for(world.users["secretary"]), at="2025-07-15").content.decode()
    assert "+50.0% on a year before (2)" in html


def test_overview_says_no_data_for_a_year_before_the_delivery(world, client_for):
    html = _overview(client_for(world.users["secretary"]), at="2024-03-01").content.decode()
    assert "A year before: no data" in html


def test_overview_shows_permanent_residents_at_the_date(world, client_for):
    # given a second permanent resident who moved in on 2025-03-01
    ResidentFactory.create(house=world.house_a2, moved_in_on=datetime.date(2025, 3, 1))
    client = client_for(world.users["grid_worker"])
    before = _overview(client, at="2025-02-28").content.decode()
    after = _overview(client, at="2025-03-01").content.decode()
    assert re.search(r'Permanent residents</h2>\s*<div class="kpi">1<', before)
    assert re.search(r'Permanent residents</h2>\s*<div class="kpi">2<', after)


def test_overview_says_no_data_when_no_house_is_delivered_at_the_date(world, client_for):
    # when the date lies before the houses' delivery
    html = _overview(client_for(world.users["secretary"]), at="2020-01-01").content.decode()
    # then the rate is "no data", never 0%
    assert "No data" in html
    assert "0.0%" not in html


def test_overview_refuses_a_future_date_and_shows_today(world, client_for):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _overview(client_for(world.users["secretary"]), at=tomorrow.isoformat())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a date no later than today." in html
    assert timezone.localdate().strftime("%Y年%-m月%-d日") in html


def test_overview_reports_a_malformed_date(world, client_for):
    response = _overview(client_for(world.users["secretary"]), at="31/02/2024")
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


def test_overview_counts_houses_by_status(world, client_for):
    house_with_history(world.house_a2, (HouseStatus.RENTED, datetime.date(2024, 1, 1)))
    html = _overview(client_for(world.users["secretary"])).content.decode()
    assert re.search(r"Rented out</span></dt><dd>1</dd>", html)
    assert re.search(r"Vacant</span></dt><dd>1</dd>", html)
    assert re.search(r"All houses</dt><dd>2</dd>", html)


# --- overview: the house matrix --------------------------------------------------------------------------------


def test_matrix_lists_floors_top_first_and_links_every_room_to_its_house(world, client_for):
    # given a third house on floor 12 of the same unit
    high = HouseFactory.create(unit=world.house_a.unit, room="1201", floor=12)
    html = _overview(client_for(world.users["customer_service"])).content.decode()
    # then floor 12 comes before floor 1, and each room links to its house page
    assert html.index("12F") < html.index("1F<")
    for house in (high, world.house_a, world.house_a2):
        assert f'href="{reverse("estates:house_detail", args=[house.pk])}"' in html


def test_matrix_gives_each_room_its_status_in_words_and_a_mark(world, client_for):
    house_with_history(world.house_a2, (HouseStatus.OCCUPIED, datetime.date(2024, 1, 1)))
    html = _overview(client_for(world.users["secretary"])).content.decode()
    # then colour is never the only sign: the cell has a class, a text mark and a label for screen readers
    assert 'class="cell st-occupied"' in html
    assert '<span class="sr-only">102 Occupied</span>' in html
    assert '<span class="sr-only">101 Vacant</span>' in html
    assert "<small>Occ</small>" in html
    assert 'class="legend"' in html


def test_matrix_building_filter_shows_one_building(world, client_for):
    # given a second building in compound A
    other = HouseFactory.create(unit__building__compound=world.compound_a, unit__building__name="9栋", room="901")
    client = client_for(world.users["secretary"])
    # when the filter picks that building
    html = _overview(client, building=other.building_id).content.decode()
    matrix = html[html.index('id="matrix"') :]
    # then only its rooms are in the map
    assert f"/houses/{other.pk}/" in matrix
    assert f"/houses/{world.house_a.pk}/" not in matrix


def test_matrix_building_filter_over_htmx_returns_only_the_matrix(world, client_for):
    other = HouseFactory.create(unit__building__compound=world.compound_a, unit__building__name="9栋")
    response = client_for(world.users["secretary"]).get(
        reverse("estates:compound_detail", args=["aaa"]), {"building": other.building_id}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.startswith('<section id="matrix"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_big_compound_opens_on_its_first_building(world, client_for, monkeypatch):
    # given compound A counts as big
    monkeypatch.setattr(pages, "MATRIX_FULL_LIMIT", 2)
    other = HouseFactory.create(unit__building__compound=world.compound_a, unit__building__name="9栋")
    client = client_for(world.users["secretary"])
    # when the overview opens without a building, and then with "all buildings"
    default = client.get(reverse("estates:compound_detail", args=["aaa"])).content.decode()
    everything = _overview(client, building="all").content.decode()
    # then it opens on one building and says so; "all" shows every room
    assert "so the map opens on" in default
    assert (f"/houses/{world.house_a.pk}/" in default) != (f"/houses/{other.pk}/" in default)
    assert f"/houses/{world.house_a.pk}/" in everything and f"/houses/{other.pk}/" in everything


def _compound_with_houses(n: int):
    compound = CompoundFactory.create()
    for b in range(2):
        unit = UnitFactory.create(building=BuildingFactory.create(compound=compound, name=f"{b + 1}栋"))
        for i in range(n // 2):
            HouseFactory.create(unit=unit, room=f"{i // 4 + 1}{i % 4 + 1:02d}", floor=i // 4 + 1)
    company = compound.property_company
    assert company is not None
    manager = UserFactory.create()
    member(manager, company, Role.PROPERTY_MANAGER)
    return compound, manager


def test_overview_runs_the_same_number_of_queries_for_10_and_200_houses(client_for, django_assert_num_queries):
    # given two compounds of 10 and 200 houses
    small, small_manager = _compound_with_houses(10)
    big, big_manager = _compound_with_houses(200)
    client = client_for(small_manager)
    client.get(reverse("estates:compound_detail", args=[small.code]))
    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(reverse("estates:compound_detail", args=[small.code])).status_code == 200
    n = len(small_queries.captured_queries)
    # when the big one is shown, then it takes exactly as many queries
    client = client_for(big_manager)
    client.get(reverse("estates:compound_detail", args=[big.code]))
    with django_assert_num_queries(n):
        response = client.get(reverse("estates:compound_detail", args=[big.code]))
    assert response.content.decode().count('class="cell st-') == 200 + 5  # every room, plus the legend


# --- overview: who sees what -----------------------------------------------------------------------------------


def test_import_and_export_links_are_shown_to_ledger_editors_only(world, client_for):
    import_url = reverse("estates:import_list", args=["aaa"])
    export_url = reverse("estates:export_houses", args=["aaa"])
    for role, shown in (("secretary", True), ("customer_service", True), ("technician", False), ("finance", False)):
        html = _overview(client_for(world.users[role])).content.decode()
        assert (import_url in html) is shown, role
        assert (export_url in html) is shown, role
        assert (reverse("estates:template_houses") in html) is shown, role


def test_representative_sees_the_figures_and_map_but_no_house_pages(world, client_for):
    html = _overview(client_for(world.users["representative"])).content.decode()
    assert "Occupancy rate" in html
    assert '<span class="sr-only">101 Vacant</span>' in html
    assert "/estates/houses/" not in html
    assert reverse("estates:house_list", args=["aaa"]) not in html


def test_compound_outside_the_users_scope_is_refused_and_audited(world, client_for):
    staff = world.users["secretary"]
    response = _overview(client_for(staff), code="bbb")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(verb="access.denied", actor=staff).exists()


def test_unknown_compound_is_not_found(world, client_for):
    assert _overview(client_for(world.users["secretary"]), code="nope").status_code == 404
