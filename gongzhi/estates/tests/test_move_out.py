"""Recording a move-out: dated, audited, and a resident with an account loses access to the house."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import BindingStatus, HouseBinding, Resident
from gongzhi.insights.kpis import permanent_residents

pytestmark = pytest.mark.django_db


def _move_out(client, world, resident, on):
    return client.post(
        reverse("estates:resident_move_out", args=[world.house_a.pk]),
        {"resident": resident.pk, "moved_out_on": on},
    )


def test_staff_record_a_move_out_and_the_resident_loses_access(world, client_for):
    # given the approved resident of house A
    resident = Resident.objects.get(user=world.users["resident"])
    day = timezone.localdate() - datetime.timedelta(days=3)
    # when the secretary records that they moved out three days ago
    response = _move_out(client_for(world.users["secretary"]), world, resident, day.isoformat())
    # then the date is kept, the binding has ended, the change is audited ...
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.moved_out_on == day
    assert HouseBinding.objects.get(user=world.users["resident"]).status == BindingStatus.ENDED
    assert AuditEvent.objects.filter(verb="resident.move_out", object_id=str(resident.pk)).exists()
    # ... they no longer count as permanent residents after that day, and the house page is closed to them
    assert permanent_residents(Resident.objects.filter(pk=resident.pk), day + datetime.timedelta(days=1)) == 0
    page = client_for(world.users["resident"]).get(reverse("estates:house_detail", args=[world.house_a.pk]))
    assert page.status_code == 403


@pytest.mark.parametrize(
    "on",
    [
        lambda: (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),  # the future, read when run
        "2023-12-31",  # before the move-in (2024-01-01)
        "not a date",
        "",
    ],
)
def test_a_bad_move_out_date_is_refused_and_nothing_changes(world, client_for, on):
    on = on() if callable(on) else on
    resident = Resident.objects.get(user=world.users["resident"])
    client = client_for(world.users["secretary"])
    response = _move_out(client, world, resident, on)
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.moved_out_on is None
    assert HouseBinding.objects.get(user=world.users["resident"]).status == BindingStatus.APPROVED
    assert not AuditEvent.objects.filter(verb="resident.move_out").exists()


@pytest.mark.parametrize("role", ["technician", "grid_worker", "representative", "resident", "stranger"])
def test_only_ledger_editors_record_a_move_out(world, client_for, role):
    resident = Resident.objects.get(user=world.users["resident"])
    response = _move_out(client_for(world.users[role]), world, resident, timezone.localdate().isoformat())
    assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.moved_out_on is None


def test_moving_out_twice_is_refused(world, client_for):
    resident = Resident.objects.get(user=world.users["resident"])
    client = client_for(world.users["secretary"])
    _move_out(client, world, resident, "2024-06-01")
    response = client.get(reverse("estates:house_detail", args=[world.house_a.pk]))
    body = response.content.decode()
    assert "2024年6月1日" in body or "June 1, 2024" in body
    _move_out(client, world, resident, "2024-07-01")
    resident.refresh_from_db()
    assert resident.moved_out_on == datetime.date(2024, 6, 1)


def test_viewing_the_binding_queue_and_a_member_list_is_audited(world, client_for):
    from gongzhi.accounts.models import Organization

    client = client_for(world.users["secretary"])
    assert client.get(reverse("estates:binding_queue")).status_code == 200
    org = Organization.objects.get(name="A社区")
    assert client.get(reverse("accounts:organization_detail", args=[org.pk])).status_code == 200
    assert AuditEvent.objects.filter(verb="binding.queue_view", actor=world.users["secretary"]).count() == 1
    assert AuditEvent.objects.filter(verb="organization.members_view", object_id=str(org.pk)).count() == 1
