"""Several drainers at once (PostgreSQL: ``FOR UPDATE SKIP LOCKED``): each intake becomes exactly one voice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from gongzhi.testing.voices_factories import category
from gongzhi.voices.intake import intake_token_read, intake_token_sign
from gongzhi.voices.models import IntakeStatus, Voice, VoiceEvent, VoiceIntake
from gongzhi.voices.services.intake import intake_create, intake_drain, intake_drain_batch

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


def _queue(world: Any, n: int) -> list[int]:
    resident = world.users["resident"]
    token = intake_token_read(intake_token_sign(user_id=resident.pk, now=timezone.now())[0], now=timezone.now())
    payload = {
        "compound": world.compound_a.code,
        "kind": "repair",
        "category": category("设施维修").pk,
        "text": "3栋电梯坏了",
        "location_kind": "public_area",
        "house": None,
        "building": None,
        "is_public": True,
        "praised_organization": None,
    }
    return [intake_create(token=token, payload=payload, idempotency_key=f"k-{i}").id for i in range(n)]


def _in_threads(jobs: list[Callable[[], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            results[i] = job()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _one_voice_each(ids: list[int]) -> None:
    intakes = list(VoiceIntake.objects.filter(pk__in=ids))
    assert {i.status for i in intakes} == {IntakeStatus.DONE}
    voices = [i.voice_id for i in intakes]
    assert len(set(voices)) == len(ids) == Voice.objects.count()
    assert VoiceEvent.objects.filter(verb="submit").count() == len(ids)


@pytest.mark.django_db(transaction=True)
@pg_only
def test_a_second_drainer_skips_the_rows_the_first_holds(world: Any) -> None:
    # given 12 queued intakes
    ids = _queue(world, 12)
    taken: dict[str, list[int]] = {}
    first_holds, second_done = threading.Event(), threading.Event()

    def first() -> dict[str, int]:
        def hold(locked: list[int]) -> None:
            taken["first"] = locked
            first_holds.set()
            assert second_done.wait(timeout=60)  # keep the locks while the second drainer runs

        return intake_drain_batch(size=5, on_locked=hold)

    def second() -> dict[str, int]:
        assert first_holds.wait(timeout=60)
        try:
            return intake_drain_batch(size=100, on_locked=lambda locked: taken.__setitem__("second", locked))
        finally:
            second_done.set()

    # when both drain at once, the first holding its batch while the second takes the rest
    results = _in_threads([first, second])
    # then the second skipped the first's rows rather than wait for them, and each intake made one voice
    assert results == [{"done": 5}, {"done": 7}], results
    assert set(taken["first"]).isdisjoint(taken["second"])
    assert sorted(taken["first"] + taken["second"]) == sorted(ids)
    _one_voice_each(ids)


@pytest.mark.django_db(transaction=True)
@pg_only
def test_three_drainers_racing_make_each_voice_once(world: Any) -> None:
    ids = _queue(world, 40)
    barrier = threading.Barrier(3)

    def drain() -> dict[str, int]:
        barrier.wait(timeout=30)
        return intake_drain(size=4)

    results = _in_threads([drain, drain, drain])
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r.get("done", 0) for r in results) == 40
    _one_voice_each(ids)
