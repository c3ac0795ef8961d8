"""The voice lists ask the database a constant number of times: the same with 3 voices as with 30 (issue 3).

The staff queue, the public wall and the API list each show a page of up to 30 voices; every row reads its
category, compound, building, lead organization and author, so an unprefetched relation would add a query a
row. The benchmark of the same pages with 1,000,000 voices is ``bench/voice_pages.py``.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind
from gongzhi.testing.factories import BuildingFactory, UserFactory
from gongzhi.testing.voices_factories import VoiceFactory, category
from gongzhi.voices.models import Kind, Status, Voice, VoiceAssignment

pytestmark = pytest.mark.django_db

CATEGORIES = ["设施维修", "环境卫生", "停车交通", "噪音扰民", "其他"]
KINDS = [Kind.REPAIR, Kind.COMPLAINT, Kind.REQUEST, Kind.SUGGESTION, Kind.ENQUIRY]
OPEN = [Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.REOPENED]


def _voices(world: Any, n: int) -> list[Voice]:
    """``n`` public, open voices of compound A, each by another resident, with its own building, category and
    kind, led by the property company (or the community) with the department handling them jointly."""
    leads = [world.orgs[OrgKind.PROPERTY], world.orgs[OrgKind.COMMUNITY]]
    department = world.orgs[OrgKind.DEPARTMENT]
    made: list[Voice] = []
    for i in range(n):
        start = len(made) + Voice.objects.count()
        voice = VoiceFactory.create(
            compound=world.compound_a,
            author=UserFactory.create(),
            kind=KINDS[start % len(KINDS)],
            category=category(CATEGORIES[start % len(CATEGORIES)]),
            building=BuildingFactory.create(compound=world.compound_a),
            location_kind="building",
            is_public=True,
            status=OPEN[i % len(OPEN)],
            lead_organization=leads[i % 2],
            me_too_count=i % 3,
            reply="已安排处理。" if i % 2 else "",
            submitted_at=timezone.now() - datetime.timedelta(hours=start + 1),
        )
        VoiceAssignment.objects.create(
            community=voice.community,
            voice=voice,
            organization=leads[i % 2],
            is_lead=True,
            assigned_at=voice.submitted_at,
        )
        VoiceAssignment.objects.create(
            community=voice.community, voice=voice, organization=department, assigned_at=voice.submitted_at
        )
        made.append(voice)
    return made


def _queries(client: Any, url: str) -> tuple[int, Any]:
    """The number of queries of one request (after one that warms the session and the caches)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _linked(response: Any) -> set[int]:
    """The voices a page links to."""
    return {int(pk) for pk in re.findall(r'href="/voices/(\d+)/"', response.content.decode())}


def _listed(response: Any) -> set[int]:
    return {item["id"] for item in response.json()["items"]}


@pytest.mark.parametrize("role", ["community_staff", "property_manager", "liaison"])
def test_the_queue_takes_as_many_queries_for_30_voices_as_for_3(world: Any, client_for: Any, role: str) -> None:
    # given three open voices in the queue of a member of the community, the property company or a department
    client = client_for(world.users[role])
    url = reverse("voices:queue")
    voices = _voices(world, 3)
    few, response = _queries(client, url)
    assert _linked(response) == {v.pk for v in voices}
    # when there are thirty
    voices += _voices(world, 27)
    many, response = _queries(client, url)
    # then the page shows all thirty with the same number of queries
    assert _linked(response) == {v.pk for v in voices}
    assert many == few


def test_the_public_wall_takes_as_many_queries_for_30_voices_as_for_3(world: Any, client_for: Any) -> None:
    # given three public voices of the resident's compound
    client = client_for(world.users["resident"])
    url = reverse("voices:wall", args=[world.compound_a.code])
    voices = _voices(world, 3)
    few, response = _queries(client, url)
    assert _linked(response) == {v.pk for v in voices}
    # when there are thirty
    voices += _voices(world, 27)
    many, response = _queries(client, url)
    # then the wall shows all thirty with the same number of queries
    assert _linked(response) == {v.pk for v in voices}
    assert many == few


@pytest.mark.parametrize("role", ["community_staff", "property_manager", "liaison"])
def test_the_api_list_takes_as_many_queries_for_30_voices_as_for_3(world: Any, client_for: Any, role: str) -> None:
    # given three voices a staff member sees through the API
    client = client_for(world.users[role])
    url = "/api/voices/?page_size=30"
    voices = _voices(world, 3)
    few, response = _queries(client, url)
    assert _listed(response) == {v.pk for v in voices}
    # when there are thirty
    voices += _voices(world, 27)
    many, response = _queries(client, url)
    # then the list holds all thirty with the same number of queries
    assert _listed(response) == {v.pk for v in voices}
    assert many == few
