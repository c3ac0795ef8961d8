"""Recording a house's status change from its page: ledger editors only; bad input changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import HouseEvent, HouseStatus

pytestmark = pytest.mark.django_db


def _post(client, house, **data):
    return client.post(reverse("estates:house_status", args=[house.pk]), data)


def _unchanged(house, status=HouseStatus.VACANT):
    house.refresh_from_db()
    return house.status == status and not HouseEvent.objects.filter(house=house).exists()


def test_ledger_editor_records_a_status_change_with_its_date(world, client_for):
    # given the property manager on house a2 (vacant)
    staff = world.users["property_manager"]
    # when they record it occupied from 2025-05-01
    response = _post(client_for(staff), world.house_a2, status=HouseStatus.OCCUPIED, effective_on="2025-05-01")
    # then they are sent back to the house, which is occupied with an event and an audit record
    assert response.status_code == 302
    assert response["Location"] == reverse("estates:house_detail", args=[world.house_a2.pk])
    world.house_a2.refresh_from_db()
    assert world.house_a2.status == HouseStatus.OCCUPIED
    assert world.house_a2.moved_in_on == datetime.date(2025, 5, 1)
    event = HouseEvent.objects.get(house=world.house_a2)
    assert (event.status, event.effective_on, event.actor) == (
        HouseStatus.OCCUPIED,
        datetime.date(2025, 5, 1),
        staff,
    )
    assert AuditEvent.objects.filter(verb="house.status", object_id=str(world.house_a2.pk)).exists()


def test_house_page_offers_the_status_form_to_ledger_editors_only(world, client_for):
    url = reverse("estates:house_detail", args=[world.house_a.pk])
    form_action = f'action="{reverse("estates:house_status", args=[world.house_a.pk])}"'
    assert form_action in client_for(world.users["secretary"]).get(url).content.decode()
    assert form_action not in client_for(world.users["technician"]).get(url).content.decode()


def test_a_future_date_is_refused_and_nothing_changes(world, client_for):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post(
        client_for(world.users["secretary"]), world.house_a2, status=HouseStatus.OCCUPIED, effective_on=tomorrow
    )
    assert response.status_code == 200
    assert "Choose a date no later than today." in response.content.decode()
    assert _unchanged(world.house_a2)


def test_a_date_before_delivery_is_refused_by_the_service_and_nothing_changes(world, client_for):
    response = _post(
        client_for(world.users["secretary"]), world.house_a2, status=HouseStatus.OCCUPIED, effective_on="2023-01-01"
    )
    assert "The house was not yet delivered on that date." in response.content.decode()
    assert _unchanged(world.house_a2)


@pytest.mark.parametrize(
    "data",
    [
        {"status": "sold", "effective_on": "2025-01-01"},
        {"status": HouseStatus.OCCUPIED, "effective_on": "2025-13-40"},
        {"status": HouseStatus.OCCUPIED},
        {"effective_on": "2025-01-01"},
        {},
    ],
    ids=["unknown-status", "bad-date", "no-date", "no-status", "empty"],
)
def test_invalid_input_shows_the_field_error_and_changes_nothing(world, client_for, data):
    response = _post(client_for(world.users["secretary"]), world.house_a2, **data)
    assert response.status_code == 200
    assert 'class="error" role="alert"' in response.content.decode()
    assert _unchanged(world.house_a2)


@pytest.mark.parametrize("role", ["technician", "finance", "grid_worker", "resident", "representative", "stranger"])
def test_users_who_do_not_keep_the_ledger_cannot_change_a_status(world, client_for, role):
    response = _post(
        client_for(world.users[role]), world.house_a, status=HouseStatus.OCCUPIED, effective_on="2025-01-01"
    )
    assert response.status_code == 403
    assert _unchanged(world.house_a)


def test_a_house_of_another_compound_cannot_be_changed(world, client_for):
    response = _post(
        client_for(world.users["secretary"]), world.house_b, status=HouseStatus.OCCUPIED, effective_on="2025-01-01"
    )
    assert response.status_code == 403
    assert _unchanged(world.house_b)


def test_anonymous_post_changes_nothing(world, client_for):
    response = _post(client_for(None), world.house_a, status=HouseStatus.OCCUPIED, effective_on="2025-01-01")
    assert response.status_code == 302
    assert _unchanged(world.house_a)


def test_status_url_does_not_answer_get(world, client_for):
    response = client_for(world.users["secretary"]).get(reverse("estates:house_status", args=[world.house_a.pk]))
    assert response.status_code == 405


def test_status_form_needs_a_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["secretary"], backend="gongzhi.accounts.backends.PhoneBackend")
    response = _post(client, world.house_a2, status=HouseStatus.OCCUPIED, effective_on="2025-01-01")
    assert response.status_code == 403
    assert _unchanged(world.house_a2)
