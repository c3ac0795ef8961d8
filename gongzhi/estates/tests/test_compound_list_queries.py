"""The compound list costs the same number of queries however many compounds are on the page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.estates.models import House, Resident
from gongzhi.insights.kpis import occupancy_rate, permanent_residents
from gongzhi.testing.factories import CompoundFactory, HouseFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("estates:compound_list")).status_code == 200
    return len(ctx.captured_queries)


def test_compound_list_queries_do_not_grow_with_compounds(client):
    # given a superuser and two compounds with houses and residents
    client.force_login(UserFactory.create(is_superuser=True), backend="gongzhi.accounts.backends.PhoneBackend")
    for _ in range(2):
        ResidentFactory.create(house=HouseFactory.create(unit__building__compound=CompoundFactory.create()))
    few = _queries(client)
    # when four more compounds appear
    for _ in range(4):
        ResidentFactory.create(house=HouseFactory.create(unit__building__compound=CompoundFactory.create()))
    # then the page costs the same
    assert _queries(client) == few


def test_grouped_kpis_agree_with_the_single_compound_definitions():
    import datetime

    from gongzhi.insights.kpis import occupancy_rate_by_compound, permanent_residents_by_compound

    at = datetime.date(2025, 1, 1)
    compounds = [CompoundFactory.create() for _ in range(3)]
    for i, c in enumerate(compounds):
        for _ in range(i + 1):
            ResidentFactory.create(house=HouseFactory.create(unit__building__compound=c))
    rates = occupancy_rate_by_compound(House.objects.all(), at)
    people = permanent_residents_by_compound(Resident.objects.all(), at)
    for c in compounds:
        assert rates[c.id] == occupancy_rate(House.objects.filter(compound=c), at)
        assert people[c.id] == permanent_residents(Resident.objects.filter(compound=c), at)
