"""The audit event is append-only and records plain values (DESIGN rule 4)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import RequestFactory

from gongzhi.core.audit import audit_build, audit_denied, audit_record, snapshot
from gongzhi.core.models import AuditEvent
from gongzhi.testing.factories import HouseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_audit_record_writes_actor_verb_object_and_values() -> None:
    # given
    user = UserFactory.create()
    house = HouseFactory.create(area=Decimal("88.10"), delivered_on=datetime.date(2023, 6, 30))
    # when
    event = audit_record(
        actor=user,
        verb="house.status",
        obj=house,
        community_id=house.community_id,
        before=snapshot(house, ["area", "delivered_on"]),
        after={"when": datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.UTC), "house": house},
    )
    # then
    event.refresh_from_db()
    assert (event.actor, event.verb, event.object_type, event.object_id) == (
        user,
        "house.status",
        "estates.house",
        str(house.pk),
    )
    assert event.community_id == house.community_id
    assert event.before == {"area": "88.10", "delivered_on": "2023-06-30"}
    assert event.after == {"when": "2024-01-02T03:04:00+00:00", "house": house.pk}
    assert event.at is not None


def test_anonymous_actor_is_recorded_as_nobody() -> None:
    event = audit_record(actor=AnonymousUser(), verb="user.login_failed", object_type="accounts.user", object_id=7)
    assert (event.actor_id, event.object_id) == (None, "7")


def test_saved_event_cannot_be_changed() -> None:
    event = audit_record(actor=None, verb="x.y", object_type="t")
    event.verb = "tampered"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get().verb == "x.y"


def test_event_cannot_be_deleted() -> None:
    event = audit_record(actor=None, verb="x.y", object_type="t")
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(verb="tampered"),
        lambda qs: qs.delete(),
        lambda qs: AuditEvent.objects.bulk_update(list(qs), ["verb"]),
    ],
    ids=["update", "delete", "bulk_update"],
)
def test_events_cannot_be_changed_in_bulk(change: Any) -> None:
    audit_record(actor=None, verb="x.y", object_type="t")
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        change(AuditEvent.objects.all())
    assert list(AuditEvent.objects.values_list("verb", flat=True)) == ["x.y"]


def test_unsaved_events_can_be_written_in_bulk() -> None:
    AuditEvent.objects.bulk_create(
        [audit_build(actor=None, verb="row.import", object_type="t", object_id=n) for n in range(3)]
    )
    assert AuditEvent.objects.filter(verb="row.import").count() == 3


def test_denied_request_is_recorded_once_without_the_query_string() -> None:
    # given a refused request carrying personal data in its query string
    request = RequestFactory().get("/estates/c/aaa/houses/", {"q": "13800000001"})
    request.user = UserFactory.create()
    # when two layers refuse it
    audit_denied(request)
    audit_denied(request, code="csrf")
    # then
    event = AuditEvent.objects.get()
    assert (event.verb, event.object_id, event.after) == (
        "access.denied",
        "/estates/c/aaa/houses/",
        {"method": "GET", "code": "forbidden"},
    )
