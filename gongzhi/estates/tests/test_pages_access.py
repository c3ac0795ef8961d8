"""Authorization matrix of the estate pages: for every role, which page answers what (DESIGN rule 2)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.testing.world import ALL_ROLES

pytestmark = pytest.mark.django_db

COMPOUND_VIEWERS = {
    "secretary",
    "grid_worker",
    "community_staff",
    "property_manager",
    "customer_service",
    "technician",
    "finance",
    "representative",
    "sub_district_supervisor",
    "district_supervisor",
    "superuser",
}
HOUSEHOLD_VIEWERS = {
    "secretary",
    "grid_worker",
    "community_staff",
    "property_manager",
    "customer_service",
    "technician",
    "finance",
    "superuser",
}
DECIDERS = {"secretary", "grid_worker", "community_staff", "property_manager", "customer_service", "superuser"}
RESIDENTS = {"resident", "applicant", "stranger"}


def _expected(role: str, allowed: set[str]) -> int:
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 403


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_reaches_exactly_its_estate_pages(world, client_for, role):
    client = client_for(world.users[role])
    cases = {
        "overview A": (reverse("estates:compound_detail", args=["aaa"]), _expected(role, COMPOUND_VIEWERS)),
        "overview B": (
            reverse("estates:compound_detail", args=["bbb"]),
            _expected(role, {"sub_district_supervisor", "district_supervisor", "superuser"}),
        ),
        "houses A": (reverse("estates:house_list", args=["aaa"]), _expected(role, HOUSEHOLD_VIEWERS)),
        "house a": (
            reverse("estates:house_detail", args=[world.house_a.pk]),
            _expected(role, HOUSEHOLD_VIEWERS | {"resident"}),
        ),
        "house a2": (reverse("estates:house_detail", args=[world.house_a2.pk]), _expected(role, HOUSEHOLD_VIEWERS)),
        "house b": (reverse("estates:house_detail", args=[world.house_b.pk]), _expected(role, {"superuser"})),
        "queue": (reverse("estates:binding_queue"), _expected(role, DECIDERS)),
        "my home": (reverse("estates:resident_home"), 302 if role == "anonymous" else 200),
        "bind": (reverse("estates:binding_new"), 302 if role == "anonymous" else 200),
        "compounds": (
            reverse("estates:compound_list"),
            302 if role == "anonymous" or role in RESIDENTS else 200,
        ),
    }
    got = {name: client.get(url).status_code for name, (url, _code) in cases.items()}
    assert got == {name: code for name, (_url, code) in cases.items()}
