"""The area dashboard, its API and the peer comparison cost the same number of queries for 3 compounds or 12:
they read rollups (one query for every compound's KPIs, one for the trend), never a query per compound."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.insights.periods import MONTH, YEAR
from gongzhi.insights.rollups import rollups_recompute
from gongzhi.testing.factories import CompoundFactory
from gongzhi.testing.voices_factories import VoiceFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path)
    assert r.status_code == 200, path
    return len(ctx.captured_queries)


def _grow(world: Any, n: int) -> None:
    """``n`` more compounds in the world's two communities, each with a voice in 2025, rolled up."""
    for i in range(n):
        community = (world.compound_a if i % 2 else world.compound_b).community
        c = CompoundFactory.create(community=community, delivered_on=D(2021 + i % 3, 5, 1))
        VoiceFactory.create(compound=c, submitted_at=datetime.datetime(2025, 5, 1, 10, tzinfo=datetime.UTC))
    from gongzhi.estates.models import Compound

    rollups_recompute(list(Compound.objects.all()), D(2025, 1, 1), D(2025, 12, 31), grains=(MONTH, YEAR))


def test_the_area_dashboard_costs_the_same_queries_for_3_or_12_compounds(world: Any, client_for: Any) -> None:
    client = client_for(world.users["sub_district_supervisor"])
    sub = world.compound_a.community.parent
    pages = [
        f"/insights/areas/{sub.pk}/?period=2025",
        f"/insights/areas/{sub.pk}/?period=2025&sort=-voices_complaint&cohort=2021&kpi=voices_complaint",
        f"/insights/areas/{sub.pk}/?period=2025&format=xlsx",
        f"/api/insights/areas/{sub.pk}/kpis/?period=2025",
        "/insights/compounds/aaa/peers/?period=2025",
    ]
    _grow(world, 1)  # 3 compounds
    few = [_queries(client, p) for p in pages]
    _grow(world, 9)  # 12 compounds
    many = [_queries(client, p) for p in pages]
    assert few == many
    assert max(many) < 30
