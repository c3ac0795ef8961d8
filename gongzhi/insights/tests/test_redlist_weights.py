"""Setting a sub-district's red-list weights: four whole percentages adding up to 100 and two minimums; bad
input is a clear error and changes nothing; every change is audited with before and after."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.insights.models import RedListWeights
from gongzhi.insights.services import redlist_weights_set
from gongzhi.testing.redlist_factories import redlist_db_state

pytestmark = pytest.mark.django_db

GOOD = {
    "satisfaction": "30",
    "resolution": "30",
    "response": "20",
    "collection": "20",
    "min_ratings": "5",
    "min_voices": "8",
}


@pytest.fixture
def sub(world: Any) -> Any:
    return world.compound_a.community.parent


@pytest.fixture
def supervisor(world: Any) -> Any:
    return world.users["sub_district_supervisor"]


def _url(area: Any) -> str:
    return reverse("insights:redlist_weights", args=[area.pk])


def test_a_supervisor_sets_the_weights_and_the_change_is_audited(sub: Any, supervisor: Any) -> None:
    # when the sub-district supervisor sets 30/30/20/20, at least 5 ratings and 8 voices
    row = redlist_weights_set(
        actor=supervisor, area=sub, satisfaction=30, resolution=30, response=20, collection=20,
        min_ratings=5, min_voices=8,
    )  # fmt: skip
    # then they are stored, by them
    assert (row.satisfaction, row.resolution, row.response, row.collection) == (30, 30, 20, 20)
    assert (row.min_ratings, row.min_voices, row.updated_by) == (5, 8, supervisor)
    # and an audit event records the defaults before and the new weights after
    event = AuditEvent.objects.get(verb="insights.redlist_weights_set")
    assert event.actor == supervisor and event.object_id == str(row.pk)
    assert event.before == {
        "satisfaction": 40, "resolution": 25, "response": 15, "collection": 20,
        "min_ratings": 10, "min_voices": 10, "default": True,
    }  # fmt: skip
    assert event.after == {
        "satisfaction": 30, "resolution": 30, "response": 20, "collection": 20, "min_ratings": 5, "min_voices": 8,
    }  # fmt: skip


def test_changing_them_again_updates_the_one_row_and_audits_the_previous_values(
    sub: Any, supervisor: Any, world: Any
) -> None:
    redlist_weights_set(actor=supervisor, area=sub, **GOOD)  # type: ignore[arg-type]
    district = world.users["district_supervisor"]
    redlist_weights_set(
        actor=district, area=sub, satisfaction=25, resolution=25, response=25, collection=25,
        min_ratings=10, min_voices=10,
    )  # fmt: skip
    assert RedListWeights.objects.count() == 1
    last = AuditEvent.objects.filter(verb="insights.redlist_weights_set").order_by("-id").first()
    assert last is not None and last.actor == district
    assert last.before is not None and last.before["satisfaction"] == 30 and last.before["default"] is False
    assert last.after is not None and last.after["satisfaction"] == 25


@pytest.mark.parametrize(
    ("change", "field", "message"),  # message: ours, or the code of Django's (zh-hans) message
    [
        ({"collection": "10"}, None, "The weights add up to 90%; they must add up to 100%."),
        ({"collection": "30"}, None, "The weights add up to 110%; they must add up to 100%."),
        ({"satisfaction": "-10", "resolution": "70"}, "satisfaction", "min_value"),
        ({"satisfaction": "101"}, "satisfaction", "max_value"),
        ({"response": "abc"}, "response", "invalid"),
        ({"response": "12.5"}, "response", "invalid"),
        ({"response": "9" * 60}, "response", "max_value"),
        ({"collection": ""}, "collection", "required"),
        ({"min_ratings": "0"}, "min_ratings", "min_value"),
        ({"min_voices": "1001"}, "min_voices", "max_value"),
        ({"satisfaction": "<script>alert(1)</script>"}, "satisfaction", "invalid"),
    ],
)
def test_bad_weights_are_refused_with_a_clear_error_and_nothing_changes(
    sub: Any, supervisor: Any, client_for: Any, change: dict[str, str], field: str | None, message: str
) -> None:
    # given weights already set
    redlist_weights_set(actor=supervisor, area=sub, **GOOD)  # type: ignore[arg-type]
    client = client_for(supervisor)
    before = redlist_db_state()
    # when the form is posted with a bad value
    response = client.post(_url(sub), {**GOOD, **change})
    # then the form comes back with the reason beside the field (or above the form), and nothing changed
    assert response.status_code == 200
    form = response.context["form"]
    # Django's own messages (in Chinese) by their code; the sum's message (ours) by its English msgid
    errors = [e.code if field else e.message for e in form.errors.as_data().get(field or "__all__", [])]
    assert message in errors, form.errors
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert redlist_db_state() == before


def test_a_missing_field_is_refused(sub: Any, supervisor: Any, client_for: Any) -> None:
    before = redlist_db_state()
    data = {k: v for k, v in GOOD.items() if k != "min_voices"}
    response = client_for(supervisor).post(_url(sub), data)
    assert response.status_code == 200 and response.context["form"].errors["min_voices"]
    assert redlist_db_state() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"collection": 10}, None),
        ({"satisfaction": -1}, "satisfaction"),
        ({"resolution": 101}, "resolution"),
        ({"response": "x"}, "response"),
        ({"collection": None}, "collection"),
        ({"min_ratings": 0}, "min_ratings"),
        ({"min_voices": True}, "min_voices"),
    ],
)
def test_the_service_refuses_bad_values_itself(
    sub: Any, supervisor: Any, change: dict[str, Any], field: str | None
) -> None:
    before = redlist_db_state()
    with pytest.raises(DomainError) as refused:
        redlist_weights_set(actor=supervisor, area=sub, **{**GOOD, **change})
    assert refused.value.field == field
    assert redlist_db_state() == before


def test_weights_are_set_for_a_sub_district_only(world: Any) -> None:
    su = world.users["superuser"]
    with pytest.raises(DomainError) as refused:
        redlist_weights_set(actor=su, area=world.compound_a.community, **GOOD)  # type: ignore[arg-type]
    assert refused.value.code == "not_sub_district"
    assert not RedListWeights.objects.exists()


def test_the_form_page_shows_the_current_weights(sub: Any, supervisor: Any, client_for: Any) -> None:
    response = client_for(supervisor).get(_url(sub))
    assert response.status_code == 200
    assert response.context["form"].initial == {
        "satisfaction": 40, "resolution": 25, "response": 15, "collection": 20, "min_ratings": 10, "min_voices": 10,
    }  # fmt: skip


def test_saving_through_the_page_leads_back_to_the_red_list(sub: Any, supervisor: Any, client_for: Any) -> None:
    response = client_for(supervisor).post(_url(sub), GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("insights:redlist", args=[sub.pk])
    assert RedListWeights.objects.get(area=sub).satisfaction == 30


def test_a_district_supervisor_of_another_district_may_not_set_them(sub: Any) -> None:
    from gongzhi.accounts.roles import OrgKind, Role
    from gongzhi.testing.factories import DistrictFactory, OrganizationFactory, UserFactory, member

    other = OrganizationFactory.create(kind=OrgKind.DISTRICT, area=DistrictFactory.create(name="江岸区"))
    outsider = UserFactory.create()
    member(outsider, other, Role.SUPERVISOR)
    with pytest.raises(NotAllowed):
        redlist_weights_set(actor=outsider, area=sub, **GOOD)  # type: ignore[arg-type]
    assert not RedListWeights.objects.exists()


def test_a_community_or_district_has_no_weights_page(world: Any, client_for: Any) -> None:
    client = client_for(world.users["superuser"])
    assert client.get(_url(world.compound_a.community)).status_code == 404
    assert client.get(_url(world.compound_a.community.parent.parent)).status_code == 404
