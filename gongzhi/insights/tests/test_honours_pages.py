"""Honours of compounds (e.g. 区级最美小区) per year: recorded and removed by the supervisors whose scope holds
the compound, listed by year on an area's page; duplicates, silly years and bad text refused, markup escaped."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.insights.models import Honour
from gongzhi.insights.services import honour_record, honour_remove
from gongzhi.testing.redlist_factories import honour, redlist_db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub(world: Any) -> Any:
    return world.compound_a.community.parent


@pytest.fixture
def supervisor(world: Any) -> Any:
    return world.users["sub_district_supervisor"]


def _form(world: Any, **change: Any) -> dict[str, Any]:
    return {
        "compound": world.compound_a.pk,
        "year": "2025",
        "title": "区级最美小区",
        "awarded_by": "汉阳区文明办",
        "note": "",
        **change,
    }


def test_a_supervisor_records_an_honour_and_it_is_audited(world: Any, supervisor: Any) -> None:
    # when the sub-district supervisor records 区级最美小区 2025 for compound A
    h = honour_record(
        actor=supervisor, compound=world.compound_a, year=2025, title=" 区级最美小区 ", awarded_by="汉阳区"
    )
    # then it is stored (trimmed) in A's community, by them
    assert (h.year, h.title, h.awarded_by, h.community_id) == (
        2025,
        "区级最美小区",
        "汉阳区",
        world.compound_a.community_id,
    )
    assert h.recorded_by == supervisor
    event = AuditEvent.objects.get(verb="insights.honour_record")
    assert event.actor == supervisor and event.object_id == str(h.pk)
    assert event.after == {
        "compound_id": world.compound_a.pk, "year": 2025, "title": "区级最美小区", "awarded_by": "汉阳区", "note": "",
    }  # fmt: skip


def test_the_same_honour_twice_in_a_year_is_refused(world: Any, supervisor: Any) -> None:
    honour_record(actor=supervisor, compound=world.compound_a, year=2025, title="区级最美小区", awarded_by="汉阳区")
    before = redlist_db_state()
    with pytest.raises(Conflict) as refused:
        honour_record(actor=supervisor, compound=world.compound_a, year=2025, title="区级最美小区", awarded_by="区里")
    assert refused.value.message == "A小区 already has the honour “区级最美小区” for 2025."
    assert redlist_db_state() == before
    # another year, or another compound, is fine
    honour_record(actor=supervisor, compound=world.compound_a, year=2024, title="区级最美小区", awarded_by="汉阳区")
    honour_record(actor=supervisor, compound=world.compound_b, year=2025, title="区级最美小区", awarded_by="汉阳区")
    assert Honour.objects.count() == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"year": 1989}, "year"),
        ({"year": "next year"}, "year"),
        ({"year": None}, "year"),
        ({"title": "   "}, "title"),
        ({"title": "最" * 101}, "title"),
        ({"awarded_by": ""}, "awarded_by"),
        ({"awarded_by": "区" * 101}, "awarded_by"),
        ({"note": "注" * 301}, "note"),
        ({"title": "最美\u202e小区"}, "title"),
    ],
)
def test_the_service_refuses_bad_input_and_changes_nothing(
    world: Any, supervisor: Any, change: dict[str, Any], field: str
) -> None:
    data: dict[str, Any] = {"year": 2025, "title": "区级最美小区", "awarded_by": "汉阳区", "note": "", **change}
    before = redlist_db_state()
    with pytest.raises(DomainError) as refused:
        honour_record(actor=supervisor, compound=world.compound_a, **data)
    assert refused.value.field == field
    assert redlist_db_state() == before


def test_an_honour_for_a_future_year_is_refused(world: Any, supervisor: Any) -> None:
    next_year = timezone.localdate().year + 1
    with pytest.raises(DomainError) as refused:
        honour_record(actor=supervisor, compound=world.compound_a, year=next_year, title="最美", awarded_by="区")
    assert refused.value.field == "year"


def test_the_honours_page_lists_the_areas_honours_by_year(world: Any, sub: Any, client_for: Any) -> None:
    # given honours of A (2024, 2025) and B (2025)
    honour(world.compound_a, year=2024, title="街道文明小区")
    honour(world.compound_a, year=2025)
    honour(world.compound_b, year=2025, title="平安小区", note="连续三年")
    # when compound A's secretary opens the sub-district's honours
    response = client_for(world.users["secretary"]).get(reverse("insights:honours", args=[sub.pk]))
    # then they are grouped by year, newest first, every compound of the area named
    assert response.status_code == 200
    years = [(y.year, [(h.compound.name, h.title) for h in y.honours]) for y in response.context["years"]]
    assert years == [
        (2025, [("A小区", "区级最美小区"), ("B小区", "平安小区")]),
        (2024, [("A小区", "街道文明小区")]),
    ]
    html = response.content.decode()
    assert "连续三年" in html
    # the secretary may not record or remove
    assert response.context["form"] is None and 'id="honour-form"' not in html
    assert "/remove/" not in html


def test_a_communitys_page_lists_only_its_compounds_honours(world: Any, client_for: Any) -> None:
    honour(world.compound_a, year=2025)
    honour(world.compound_b, year=2025, title="平安小区")
    response = client_for(world.users["secretary"]).get(
        reverse("insights:honours", args=[world.compound_a.community_id])
    )
    assert [h.compound.name for y in response.context["years"] for h in y.honours] == ["A小区"]


def test_a_supervisor_records_through_the_page(world: Any, sub: Any, supervisor: Any, client_for: Any) -> None:
    client = client_for(supervisor)
    page = client.get(reverse("insights:honours", args=[sub.pk]))
    assert 'id="honour-form"' in page.content.decode()
    response = client.post(reverse("insights:honour_record", args=[sub.pk]), _form(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("insights:honours", args=[sub.pk])
    assert Honour.objects.get().title == "区级最美小区"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"year": "1899"}, "year", "min_value"),
        ({"year": "3000"}, "year", "max_value"),
        ({"year": "二〇二五"}, "year", "invalid"),
        ({"title": ""}, "title", "required"),
        ({"title": "最" * 101}, "title", "max_length"),
        ({"awarded_by": ""}, "awarded_by", "required"),
        ({"compound": "999999"}, "compound", "invalid_choice"),
        ({"compound": "abc"}, "compound", "invalid_choice"),
    ],
)
def test_bad_input_on_the_page_is_a_clear_error_and_changes_nothing(
    world: Any, sub: Any, supervisor: Any, client_for: Any, change: dict[str, str], field: str, code: str
) -> None:
    client = client_for(supervisor)
    before = redlist_db_state()
    response = client.post(reverse("insights:honour_record", args=[sub.pk]), _form(world, **change))
    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].errors.as_data()[field]]  # Django's messages are zh-hans
    assert code in codes, response.context["form"].errors
    assert redlist_db_state() == before


def test_a_duplicate_through_the_page_is_shown_beside_the_title(
    world: Any, sub: Any, supervisor: Any, client_for: Any
) -> None:
    honour(world.compound_a, year=2025)
    before = redlist_db_state()
    response = client_for(supervisor).post(reverse("insights:honour_record", args=[sub.pk]), _form(world))
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["A小区 already has the honour “区级最美小区” for 2025."]
    assert redlist_db_state() == before


def test_markup_in_an_honour_is_escaped(world: Any, sub: Any, supervisor: Any, client_for: Any) -> None:
    client = client_for(supervisor)
    client.post(
        reverse("insights:honour_record", args=[sub.pk]),
        _form(world, title="<script>alert(1)</script>", awarded_by="<img src=x onerror=alert(2)>"),
    )
    assert Honour.objects.get().title == "<script>alert(1)</script>"
    html = client.get(reverse("insights:honours", args=[sub.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_removing_an_honour_asks_first_then_removes_and_audits(
    world: Any, sub: Any, supervisor: Any, client_for: Any
) -> None:
    h = honour(world.compound_a, year=2025)
    client = client_for(supervisor)
    url = reverse("insights:honour_remove", args=[sub.pk, h.pk])
    # the list offers removal with a confirmation; without script, the link's page asks first
    listing = client.get(reverse("insights:honours", args=[sub.pk])).content.decode()
    assert url in listing and "Remove this honour from the record?" in listing
    confirm = client.get(url)
    assert (
        confirm.status_code == 200
        and "Remove “区级最美小区” (2025) of A小区 from the record?" in confirm.content.decode()
    )
    assert Honour.objects.filter(pk=h.pk).exists()
    # when confirmed
    response = client.post(url)
    assert response.status_code == 302
    assert not Honour.objects.filter(pk=h.pk).exists()
    event = AuditEvent.objects.get(verb="insights.honour_remove")
    assert event.object_id == str(h.pk) and event.before is not None and event.before["title"] == "区级最美小区"


def test_removing_an_honour_twice_is_a_clear_error(world: Any, supervisor: Any) -> None:
    h = honour(world.compound_a, year=2025)
    honour_remove(actor=supervisor, honour=h)
    with pytest.raises(Conflict):
        honour_remove(actor=supervisor, honour=h)


def test_an_honour_of_another_area_is_not_found_through_this_one(world: Any, supervisor: Any, client_for: Any) -> None:
    h = honour(world.compound_b, year=2025)
    url = reverse("insights:honour_remove", args=[world.compound_a.community_id, h.pk])
    before = redlist_db_state()
    assert client_for(supervisor).post(url).status_code == 404
    assert redlist_db_state() == before


def test_a_secretary_may_not_record_or_remove(world: Any, sub: Any, client_for: Any) -> None:
    h = honour(world.compound_a, year=2025)
    secretary = world.users["secretary"]
    with pytest.raises(NotAllowed):
        honour_record(actor=secretary, compound=world.compound_a, year=2025, title="别的", awarded_by="区")
    with pytest.raises(NotAllowed):
        honour_remove(actor=secretary, honour=h)
    before = redlist_db_state()
    client = client_for(secretary)
    assert client.post(reverse("insights:honour_record", args=[sub.pk]), _form(world, title="x")).status_code == 403
    assert client.post(reverse("insights:honour_remove", args=[sub.pk, h.pk])).status_code == 403
    after = redlist_db_state()
    assert after == before
