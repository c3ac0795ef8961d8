"""GET requests reads a constant number of rows sets: 5 voices or 50, the same queries."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.testing.factories import BuildingFactory
from gongzhi.testing.voices_factories import VoiceFactory, category
from gongzhi.voices.models import LocationKind, Status

from .helpers import BASE, json_of

pytestmark = pytest.mark.django_db


def _voices(world: Any, n: int) -> None:
    """Voices with everything a row shows: categories, a lead organization, a building, a reply."""
    categories = [category("设施维修"), category("教育配套")]
    for i in range(n):
        VoiceFactory.create(
            compound=world.compound_a,
            is_public=True,
            category=categories[i % 2],
            status=Status.DISPATCHED if i % 3 else Status.RESOLVED,
            reply="已处理" if i % 3 == 0 else "",
            lead_organization=world.orgs["department"] if i % 2 else world.orgs["property"],
            location_kind=LocationKind.BUILDING,
            building=BuildingFactory.create(compound=world.compound_a),
        )


@pytest.mark.parametrize("with_key", [False, True], ids=["public", "with key"])
def test_listing_requests_takes_the_same_queries_for_5_and_50_voices(
    client: Any, world: Any, api_key: Any, django_assert_num_queries: Any, with_key: bool
) -> None:
    params = {"jurisdiction_id": "aaa", **({"api_key": api_key[1]} if with_key else {})}
    # the jurisdiction and the voices (with their category, lead organization and building); the key when sent
    expected = 3 if with_key else 2
    for total in (5, 50):
        _voices(world, total - len(json_of(client.get(BASE + "requests.json", params))))
        for fmt in ("json", "xml"):
            with django_assert_num_queries(expected):
                response = client.get(BASE + f"requests.{fmt}", params)
            assert response.status_code == 200
        assert len(json_of(client.get(BASE + "requests.json", params))) == total
