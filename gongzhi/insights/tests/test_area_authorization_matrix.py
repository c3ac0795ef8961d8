"""Every role in the world × the area dashboards (page and xlsx), the peer comparison (page and xlsx) and the
area API.

KPI readers are the estate viewers in scope (staff of compound A's side, its representatives, the supervisors)
and superusers. The sub-district holds compound A, so every reader measures something there; community B holds
only compound B, which lies outside everyone's scope but the supervisors' and superusers': for the others it is
not found (404), as an area that does not exist. Whoever reads no KPI at all gets 403; the anonymous visitor is
sent to log in (401 from the API).
"""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.testing.world import ALL_ROLES

pytestmark = pytest.mark.django_db
READERS = {
    "secretary", "grid_worker", "community_staff", "property_manager", "customer_service", "technician", "finance",
    "representative", "sub_district_supervisor", "district_supervisor", "superuser",
}  # fmt: skip
WIDE = {"sub_district_supervisor", "district_supervisor", "superuser"}


def expected(role: str, *, allowed: set[str], hidden: int = 403, api: bool = False) -> int:
    """200 for ``allowed``; ``hidden`` for other readers; 403 for who reads no KPI; log-in for the anonymous."""
    if role in allowed:
        return 200
    if role == "anonymous":
        return 401 if api else 302
    return hidden if role in READERS else 403


@pytest.mark.parametrize("role", ALL_ROLES)
def test_authorization_matrix_of_the_area_dashboards(world: Any, client_for: Any, role: str) -> None:
    client = client_for(world.users[role])
    sub = world.compound_a.community.parent
    community_b = world.compound_b.community
    for suffix in ("", "&format=xlsx"):
        r = client.get(f"/insights/areas/{sub.pk}/?period=2025{suffix}")
        assert r.status_code == expected(role, allowed=READERS), (role, suffix)
        r = client.get(f"/insights/areas/{community_b.pk}/?period=2025{suffix}")
        assert r.status_code == expected(role, allowed=WIDE, hidden=404), (role, suffix)
    assert client.get("/insights/areas/").status_code == expected(role, allowed=READERS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_authorization_matrix_of_the_peer_comparison(world: Any, client_for: Any, role: str) -> None:
    client = client_for(world.users[role])
    for suffix in ("", "&format=xlsx"):
        r = client.get(f"/insights/compounds/aaa/peers/?period=2025{suffix}")
        assert r.status_code == expected(role, allowed=READERS), (role, suffix)
        r = client.get(f"/insights/compounds/bbb/peers/?period=2025{suffix}")
        assert r.status_code == expected(role, allowed=WIDE), (role, suffix)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_authorization_matrix_of_the_area_api(world: Any, client_for: Any, role: str) -> None:
    client = client_for(world.users[role])
    sub = world.compound_a.community.parent
    community_b = world.compound_b.community
    r = client.get(f"/api/insights/areas/{sub.pk}/kpis/", {"period": "2025"})
    assert r.status_code == expected(role, allowed=READERS, api=True), role
    r = client.get(f"/api/insights/areas/{community_b.pk}/kpis/", {"period": "2025"})
    assert r.status_code == expected(role, allowed=WIDE, hidden=404, api=True), role
