"""Lists read the scope by its parts (``selectors.voices_in_scope``): the same voices as ``voices_visible``.

A voice is in a staff member's scope through a compound they oversee, through an organization of theirs it is
assigned to, or because they wrote it. The queue page and the API list read each part through its own index and,
for a page, only the first voices of each part; these tests check that the pages still hold exactly the voices
of the scope, in order, across pages (on PostgreSQL the parts are limited; on SQLite they are not).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind
from gongzhi.testing.factories import CompoundFactory, UserFactory
from gongzhi.testing.voices_factories import VoiceFactory
from gongzhi.voices import selectors
from gongzhi.voices.models import Status, Voice, VoiceAssignment

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _voice(compound: Any, *, hours: int, author: Any = None, **fields: Any) -> Voice:
    """An open voice whose resolution deadline is ``hours`` from now (negative: overdue)."""
    submitted = NOW - datetime.timedelta(hours=72 - hours)
    return VoiceFactory.create(
        compound=compound, author=author or UserFactory.create(), submitted_at=submitted, **fields
    )


def _assign(voice: Voice, organization: Any, *, active: bool = True) -> None:
    VoiceAssignment.objects.create(
        community=voice.community,
        voice=voice,
        organization=organization,
        is_lead=True,
        is_active=active,
        assigned_at=voice.submitted_at,
    )


def _queue_pages(client: Any) -> list[int]:
    """The voice ids the queue lists on pages 1 and 2, in order (a page holds 30)."""
    ids: list[int] = []
    for page in (1, 2):
        response = client.get(reverse("voices:queue"), {"page": page})
        assert response.status_code == 200
        found = [int(pk) for pk in re.findall(r'href="/voices/(\d+)/"', response.content.decode())]
        if page == 1 or found[:1] != ids[:1]:  # a page past the last shows the last one again
            ids += found
    return ids


def test_the_queue_pages_hold_every_part_of_the_scope_in_deadline_order(world: Any, client_for: Any) -> None:
    # given the community staff of compound A: 33 open voices of compound A, 2 of compound B (another community)
    # assigned to their community organization (one with an ended assignment, not in scope), 1 of compound B they
    # wrote themselves, a closed one of compound A, and one of compound B that is nothing to them
    staff = world.users["community_staff"]
    community = world.orgs[OrgKind.COMMUNITY]
    mine = [_voice(world.compound_a, hours=h) for h in range(-20, 46, 2)]
    assigned = _voice(world.compound_b, hours=-21)
    _assign(assigned, community)
    ended = _voice(world.compound_b, hours=-19)
    _assign(ended, community, active=False)
    written = _voice(world.compound_b, hours=3, author=staff)
    _voice(world.compound_a, hours=-30, status=Status.CLOSED)
    _voice(world.compound_b, hours=-40)
    # when they page through their queue
    listed = _queue_pages(client_for(staff))
    # then it holds exactly the voices of their scope, earliest deadline first, over two pages
    expected = sorted([*mine, assigned, written], key=lambda v: (v.resolution_due_at, v.response_due_at, v.pk))
    assert listed == [v.pk for v in expected]
    assert listed == [v.pk for v in selectors.voice_queue(user=staff)]


def test_a_voice_assigned_in_a_community_the_staff_see_whole_is_listed_once(world: Any, client_for: Any) -> None:
    # given a voice of compound A also assigned to the staff member's organization
    staff = world.users["community_staff"]
    voice = _voice(world.compound_a, hours=5)
    _assign(voice, world.orgs[OrgKind.COMMUNITY])
    # when
    listed = _queue_pages(client_for(staff))
    # then it appears once
    assert listed == [voice.pk]


def test_staff_of_some_compounds_of_a_community_see_assignments_in_its_other_compounds(
    world: Any, client_for: Any
) -> None:
    # given a second compound in compound A's community managed by another company, and a voice there assigned
    # to compound A's property company
    other = CompoundFactory.create(code="aa2", community=world.compound_a.community)
    assigned = _voice(other, hours=1)
    _assign(assigned, world.orgs[OrgKind.PROPERTY])
    unrelated = _voice(other, hours=2)
    own = _voice(world.compound_a, hours=3)
    # when the property manager opens their queue
    listed = _queue_pages(client_for(world.users["property_manager"]))
    # then the assigned voice is there, the other compound's unassigned one is not
    assert listed == [assigned.pk, own.pk]
    assert unrelated.pk not in listed


def test_the_api_list_pages_hold_the_scope_newest_first(world: Any, client_for: Any) -> None:
    # given 7 voices of the staff member's compound, one of compound B assigned to them, one of compound B not
    staff = world.users["community_staff"]
    voices = [_voice(world.compound_a, hours=h) for h in range(7)]
    assigned = _voice(world.compound_b, hours=10)
    _assign(assigned, world.orgs[OrgKind.COMMUNITY])
    _voice(world.compound_b, hours=11)
    client = client_for(staff)
    # when they read it three at a time
    pages = [client.get("/api/voices/", {"page": n, "page_size": 3}).json() for n in (1, 2, 3)]
    # then
    expected = sorted([*voices, assigned], key=lambda v: (v.submitted_at, v.pk), reverse=True)
    assert [item["id"] for page in pages for item in page["items"]] == [v.pk for v in expected]
    assert {(page["count"], page["pages"]) for page in pages} == {(8, 3)}


def test_the_api_list_shows_the_last_90_days_unless_asked_for_older(world: Any, client_for: Any) -> None:
    # given a voice of today and one of 100 days ago
    client = client_for(world.users["community_staff"])
    recent = VoiceFactory.create(compound=world.compound_a)
    old = VoiceFactory.create(compound=world.compound_a, submitted_at=NOW - datetime.timedelta(days=100))
    # when / then
    assert [i["id"] for i in client.get("/api/voices/").json()["items"]] == [recent.pk]
    since = (NOW - datetime.timedelta(days=120)).isoformat()
    assert [i["id"] for i in client.get("/api/voices/", {"since": since}).json()["items"]] == [recent.pk, old.pk]
    until = (NOW - datetime.timedelta(days=1)).isoformat()
    listed = client.get("/api/voices/", {"since": since, "until": until}).json()["items"]
    assert [i["id"] for i in listed] == [old.pk]


def test_an_api_period_that_ends_before_it_starts_is_400(world: Any, client_for: Any) -> None:
    response = client_for(world.users["community_staff"]).get(
        "/api/voices/", {"since": "2026-05-02T00:00:00+08:00", "until": "2026-05-01T00:00:00+08:00"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "until"
