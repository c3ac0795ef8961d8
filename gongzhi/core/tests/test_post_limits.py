"""Every submission endpoint is rate limited: past the limit, a clear 429 and nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.estates.models import HouseEvent

pytestmark = pytest.mark.django_db


def test_too_many_status_changes_in_a_minute_get_a_clear_429(world, client_for):
    # given a ledger editor who has already posted 30 times this minute (each an invalid form)
    client = client_for(world.users["secretary"])
    url = reverse("estates:house_status", args=[world.house_a.pk])
    for _ in range(30):
        assert client.post(url, {"status": "nonsense"}).status_code != 429
    # when they post once more, this time a valid change
    response = client.post(url, {"status": "occupied", "effective_on": "2024-01-01"})
    # then they are told to wait, and nothing was recorded
    assert response.status_code == 429
    assert "Too many requests; wait a minute and try again." in response.content.decode()
    assert not HouseEvent.objects.filter(house=world.house_a).exists()
