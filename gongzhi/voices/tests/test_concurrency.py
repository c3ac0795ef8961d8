"""Two staff accepting the same voice at the same moment: one wins, the other gets a Conflict (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from gongzhi.core.errors import Conflict
from gongzhi.voices.models import Status, Voice
from gongzhi.voices.services import voice_accept


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_staff_accept_at_once(world: Any, submit: Any) -> None:
    voice = submit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(role: str) -> None:
        try:
            stale = Voice.objects.get(pk=voice.pk)
            barrier.wait(timeout=10)
            voice_accept(actor=world.users[role], voice=stale)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(r,)) for r in ("secretary", "customer_service")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "ok"]
    voice.refresh_from_db()
    assert voice.status == Status.ACCEPTED
    assert voice.events.filter(verb="accept").count() == 1
