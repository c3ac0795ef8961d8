"""On PostgreSQL the database itself keeps audit events append-only."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent
from gongzhi.testing.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"),
]


def test_raw_sql_update_of_an_audit_event_is_refused() -> None:
    # given
    event = audit_record(actor=None, verb="x.y", object_type="t", object_id="1")
    # when / then
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET verb = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).verb == "x.y"


def test_raw_sql_delete_of_an_audit_event_is_refused() -> None:
    event = audit_record(actor=None, verb="x.y", object_type="t", object_id="1")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_a_user_keeps_their_events_without_the_actor() -> None:
    # given
    user = UserFactory.create()
    event = audit_record(actor=user, verb="x.y", object_type="t", object_id="1")
    # when
    user.delete()
    # then
    kept = AuditEvent.objects.get(pk=event.pk)
    assert kept.actor_id is None and kept.verb == "x.y"
