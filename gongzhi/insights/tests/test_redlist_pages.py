"""The red-list page and its xlsx: the ranking, the weights beside it, numerator/denominator, links only to the
dashboards the reader may open, every compound of the sub-district named; bad periods; other area levels."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from gongzhi.insights.models import RedListWeights
from gongzhi.insights.periods import MONTH
from gongzhi.insights.rollups import rollups_recompute
from gongzhi.insights.tests.test_redlist_ranking import ranking  # noqa: F401  (the hand-computed dataset)
from gongzhi.testing.redlist_factories import compound_in, month_of_fees, month_of_voices

pytestmark = pytest.mark.django_db


def _url(area: Any, **query: str) -> str:
    url = reverse("insights:redlist", args=[area.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _dashboard_url(code: str) -> str | None:
    try:
        return reverse("insights:compound", args=[code])
    except NoReverseMatch:  # the compound dashboard is another page family's
        return None


def test_the_page_shows_the_ranking_with_the_weights_beside_it(
    ranking: dict[str, Any],  # noqa: F811
    world: Any,
    client_for: Any,
) -> None:
    # given a sub-district supervisor
    client = client_for(world.users["sub_district_supervisor"])
    # when they open March 2025's red list
    response = client.get(_url(ranking["sub"], period="2025-03"))
    # then the ranking lists P and Q tied first, then R, with scores and numerator/denominator
    assert response.status_code == 200
    html = response.content.decode()
    ranked = [row.entry.compound.name for row in response.context["ranked"]]
    assert ranked == ["P花园", "Q花园", "R花园"]
    assert "91.00" in html and "58.33" in html
    assert "10/12" in html and "¥500.00/¥1,000.00" in html
    # the weights are printed beside it, marked as the defaults, with a link to change them
    assert 'data-weight="satisfaction">40%' in html and 'data-weight="collection">20%' in html
    assert 'data-weight="min_ratings">10' in html
    assert "The default weights" in html
    assert reverse("insights:redlist_weights", args=[ranking["sub"].pk]) in html
    # the unranked compounds with their reasons
    assert "9 ratings, fewer than 10" in html and "no bills for the period" in html


def test_the_ranking_names_every_compound_but_links_only_those_in_scope(
    ranking: dict[str, Any],  # noqa: F811
    world: Any,
    client_for: Any,
) -> None:
    # given compound A's property manager (their company manages A only)
    client = client_for(world.users["property_manager"])
    # when they open the red list of A's sub-district
    response = client.get(_url(ranking["sub"], period="2025-03"))
    # then every compound of the sub-district is named (a red list is published)
    html = response.content.decode()
    for name in ("P花园", "Q花园", "R花园", "S花园", "T花园", "A小区", "B小区"):
        assert name in html
    # but only A's row links to a dashboard, and they get no weights link
    rows = {row.entry.compound.code: row.link for row in [*response.context["ranked"], *response.context["unranked"]]}
    linked = {code for code, link in rows.items() if link}
    assert linked <= {"aaa"}
    url = _dashboard_url("aaa")
    if url is not None:
        assert linked == {"aaa"} and f'href="{url}?period=2025-03"' in html
    for code in ("ppp", "qqq", "bbb"):
        other = _dashboard_url(code)
        assert other is None or other not in html
    assert reverse("insights:redlist_weights", args=[ranking["sub"].pk]) not in html


def test_a_supervisor_gets_links_to_every_compound_in_their_scope(
    ranking: dict[str, Any],  # noqa: F811
    world: Any,
    client_for: Any,
) -> None:
    response = client_for(world.users["sub_district_supervisor"]).get(_url(ranking["sub"], period="2025-03"))
    rows = [*response.context["ranked"], *response.context["unranked"]]
    if _dashboard_url("ppp") is not None:
        assert all(row.link for row in rows)
    else:
        assert not any(row.link for row in rows)


def test_the_weights_set_are_printed_with_who_set_them(
    ranking: dict[str, Any],  # noqa: F811
    world: Any,
    client_for: Any,
) -> None:
    RedListWeights.objects.create(
        area=ranking["sub"], satisfaction=10, resolution=10, response=70, collection=10, min_ratings=9,
        updated_by=world.users["sub_district_supervisor"],
    )  # fmt: skip
    html = client_for(world.users["secretary"]).get(_url(ranking["sub"], period="2025-03")).content.decode()
    assert 'data-weight="response">70%' in html and 'data-weight="min_ratings">9' in html
    assert "The default weights" not in html and "sub_district_supervisor" in html


def test_the_xlsx_holds_the_ranking_the_weights_and_the_components(
    ranking: dict[str, Any],  # noqa: F811
    world: Any,
    client_for: Any,
) -> None:
    # when the supervisor downloads the red list
    response = client_for(world.users["sub_district_supervisor"]).get(
        _url(ranking["sub"], period="2025-03", format="xlsx")
    )
    # then it is an xlsx whose title prints the weights, and whose rows are the ranking then the unranked
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    title = rows[0][0]
    assert "2025-03" in title and "Satisfaction 40%" in title and "Current-period collection 20%" in title
    assert "at least 10 ratings and 10 voices" in title
    headers = rows[1]
    assert headers[:4] == ("Rank", "Compound", "Community", "Score")
    assert "Satisfaction (40%)" in headers and "Response (15%)" in headers
    body = rows[2:]
    assert [(r[0], r[1], r[3]) for r in body[:3]] == [(1, "P花园", 91.0), (1, "Q花园", 91.0), (3, "R花园", 58.33)]
    r = body[2]
    assert r[4:7] == (0.5, 5.0, 10.0)  # satisfaction: rate, numerator, denominator
    unranked = {row[1]: row for row in body[3:]}
    assert unranked["S花园"][0] is None and unranked["S花园"][3] is None
    assert unranked["S花园"][-1] == "Satisfaction: 9 ratings, fewer than 10"
    assert unranked["T花园"][-1] == "Current-period collection: no bills for the period"
    assert len(body) == len(ranking["compounds"])


def test_a_period_that_does_not_parse_is_a_clear_error(ranking: dict[str, Any], world: Any, client_for: Any) -> None:  # noqa: F811
    client = client_for(world.users["sub_district_supervisor"])
    for bad in ("2025Q5", "march", "<script>alert(1)</script>", "1899"):
        response = client.get(reverse("insights:redlist", args=[ranking["sub"].pk]), {"period": bad})
        assert response.status_code == 400
        html = response.content.decode()
        assert "is not a period" in html
        assert "<script>alert(1)</script>" not in html


def test_a_compound_name_with_markup_is_escaped(ranking: dict[str, Any], world: Any, client_for: Any) -> None:  # noqa: F811
    compound_in(world.compound_a.community, "<b>坏</b><script>x()</script>", "evil")
    html = client_for(world.users["sub_district_supervisor"]).get(_url(ranking["sub"], period="2025-03")).content
    assert b"<script>x()</script>" not in html
    assert b"&lt;script&gt;x()&lt;/script&gt;" in html


def test_a_community_leads_to_its_sub_districts_red_list(world: Any, client_for: Any) -> None:
    client = client_for(world.users["secretary"])
    response = client.get(reverse("insights:redlist", args=[world.compound_a.community_id]), {"period": "2025"})
    assert response.status_code == 302
    assert response["Location"] == _url(world.compound_a.community.parent, period="2025")


def test_a_district_lists_its_sub_districts_with_a_clear_message(world: Any, client_for: Any) -> None:
    district = world.compound_a.community.parent.parent
    response = client_for(world.users["district_supervisor"]).get(reverse("insights:redlist", args=[district.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "A red list ranks the compounds of one sub-district" in html
    assert _url(world.compound_a.community.parent) in html


def test_the_default_period_is_this_year(ranking: dict[str, Any], world: Any, client_for: Any) -> None:  # noqa: F811
    from gongzhi.insights.periods import today

    response = client_for(world.users["sub_district_supervisor"]).get(_url(ranking["sub"]))
    assert response.status_code == 200
    assert response.context["redlist"].period.code == str(today().year)


def test_an_area_the_reader_measures_nothing_in_is_not_found(world: Any, client_for: Any) -> None:
    from gongzhi.testing.factories import SubDistrictFactory

    other = SubDistrictFactory.create(name="别的街道")
    client = client_for(world.users["sub_district_supervisor"])
    assert client.get(_url(other)).status_code == 404
    assert client.get(reverse("insights:redlist", args=[999999])).status_code == 404


def test_the_page_takes_the_same_number_of_queries_however_many_compounds(
    ranking: dict[str, Any],  # noqa: F811
    world: Any,
    client_for: Any,
) -> None:
    # given the page once opened (session and user loaded)
    client = client_for(world.users["sub_district_supervisor"])
    url = _url(ranking["sub"], period="2025-03")
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    # when three more ranked compounds are added
    more = []
    for i in range(3):
        c = compound_in(world.compound_b.community, f"X花园{i}", f"xx{i}")
        month_of_voices(c, ratings=10, good=10)
        month_of_fees(c, due="100.00", paid="100.00")
        more.append(c)
    rollups_recompute(more, datetime.date(2025, 3, 1), datetime.date(2025, 3, 31), grains=(MONTH,))
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    # then the page lists them with the same number of queries
    assert len(response.context["ranked"]) == 6
    assert len(second.captured_queries) == len(first.captured_queries)
