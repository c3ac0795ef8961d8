"""Every role in the world × every red-list and honour action, through the pages and the services.

Whoever measures a compound of the sub-district (community and property staff of compound A, its residents'
representatives, the supervisors, superusers) opens the red list, its xlsx and the honours; only the
sub-district's and the district's supervisors (and superusers) change the weights and record or remove
honours; residents, applicants, outside organizations, strangers and the anonymous visitor get nothing —
a refusal changes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import resolve_url
from django.urls import reverse

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.insights import services
from gongzhi.testing.redlist_factories import honour, redlist_db_state
from gongzhi.testing.world import ALL_ROLES

pytestmark = pytest.mark.django_db

SETTERS = {"sub_district_supervisor", "district_supervisor", "superuser"}
VIEWERS = SETTERS | {
    "secretary",
    "grid_worker",
    "community_staff",
    "property_manager",
    "customer_service",
    "technician",
    "finance",
    "representative",
}
EXPECTED: dict[str, set[str]] = {
    "redlist_page": VIEWERS,
    "redlist_xlsx": VIEWERS,
    "weights_page": SETTERS,
    "weights_post": SETTERS,
    "honours_page": VIEWERS,
    "honour_record_post": SETTERS,
    "honour_remove_page": SETTERS,
    "honour_remove_post": SETTERS,
    # the services themselves
    "redlist_weights_set": SETTERS,
    "honour_record": SETTERS,
    "honour_remove": SETTERS,
}
GET_ACTIONS = {"redlist_page", "redlist_xlsx", "weights_page", "honours_page", "honour_remove_page"}


def _requests(world: Any) -> dict[str, Callable[[Any], Any]]:
    sub = world.compound_a.community.parent
    years = itertools.count(2000)
    weights = itertools.cycle([(40, 25, 15, 20), (25, 25, 25, 25)])

    def weights_data() -> dict[str, Any]:
        s, r, p, c = next(weights)
        return {"satisfaction": s, "resolution": r, "response": p, "collection": c, "min_ratings": 10, "min_voices": 9}

    def honour_data() -> dict[str, Any]:
        return {"compound": world.compound_a.pk, "year": next(years), "title": "区级最美小区", "awarded_by": "汉阳区"}

    return {
        "redlist_page": lambda c: c.get(reverse("insights:redlist", args=[sub.pk]), {"period": "2025"}),
        "redlist_xlsx": lambda c: c.get(reverse("insights:redlist", args=[sub.pk]), {"format": "xlsx"}),
        "weights_page": lambda c: c.get(reverse("insights:redlist_weights", args=[sub.pk])),
        "weights_post": lambda c: c.post(reverse("insights:redlist_weights", args=[sub.pk]), weights_data()),
        "honours_page": lambda c: c.get(reverse("insights:honours", args=[sub.pk])),
        "honour_record_post": lambda c: c.post(reverse("insights:honour_record", args=[sub.pk]), honour_data()),
        "honour_remove_page": lambda c: c.get(
            reverse("insights:honour_remove", args=[sub.pk, honour(world.compound_a, year=next(years)).pk])
        ),
        "honour_remove_post": lambda c: c.post(
            reverse("insights:honour_remove", args=[sub.pk, honour(world.compound_a, year=next(years)).pk])
        ),
    }


def _services(world: Any) -> dict[str, Callable[[Any], Any]]:
    sub = world.compound_a.community.parent
    years = itertools.count(2000)
    return {
        "redlist_weights_set": lambda a: services.redlist_weights_set(
            actor=a,
            area=sub,
            satisfaction=25,
            resolution=25,
            response=25,
            collection=25,
            min_ratings=5,
            min_voices=5,
        ),
        "honour_record": lambda a: services.honour_record(
            actor=a, compound=world.compound_a, year=next(years), title="平安小区", awarded_by="汉阳区"
        ),
        "honour_remove": lambda a: services.honour_remove(
            actor=a, honour=honour(world.compound_a, year=next(years), title="文明小区")
        ),
    }


def _to_login(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("action", sorted(set(EXPECTED) - {"redlist_weights_set", "honour_record", "honour_remove"}))
def test_matrix_pages(world: Any, client_for: Any, action: str) -> None:
    run = _requests(world)[action]
    allowed = set()
    for role in ALL_ROLES:
        client = client_for(world.users[role])
        before = redlist_db_state()
        response = run(client)
        if action in GET_ACTIONS and response.status_code == 200:
            allowed.add(role)
            continue
        if action not in GET_ACTIONS and response.status_code == 302 and not _to_login(response):
            assert redlist_db_state() != before, (action, role)
            allowed.add(role)
            continue
        # refused: to the log-in page, 403 (may see the area, may not do this) or 404 (measures nothing there)
        assert _to_login(response) or response.status_code in (403, 404), (action, role, response.status_code)
        if role == "anonymous":
            assert _to_login(response)
        if action not in GET_ACTIONS:
            after = redlist_db_state()
            # (the remove actions create the honour to remove before the request)
            after.pop("insights.Honour"), before.pop("insights.Honour")
            assert after == before, (action, role)
    assert allowed == EXPECTED[action], f"{action}: allowed {sorted(allowed)}"


@pytest.mark.parametrize("action", ["redlist_weights_set", "honour_record", "honour_remove"])
def test_matrix_services(world: Any, action: str) -> None:
    run = _services(world)[action]
    allowed = set()
    for role in ALL_ROLES:
        actor = world.users[role] or AnonymousUser()
        try:
            run(actor)
        except (NotAllowed, NotFound):
            continue
        allowed.add(role)
    assert allowed == EXPECTED[action], f"{action}: allowed {sorted(allowed)}"


def test_a_reader_who_may_not_set_weights_gets_403_and_an_outsider_404(world: Any, client_for: Any) -> None:
    url = reverse("insights:redlist_weights", args=[world.compound_a.community.parent.pk])
    assert client_for(world.users["secretary"]).get(url).status_code == 403
    assert client_for(world.users["resident"]).get(url).status_code == 404
    assert client_for(world.users["lawyer"]).get(url).status_code == 404


def test_every_action_has_an_expectation(world: Any) -> None:
    assert set(_requests(world)) | set(_services(world)) == set(EXPECTED)
    everyone = set().union(*EXPECTED.values())
    assert everyone <= set(ALL_ROLES)
    assert {"resident", "applicant", "stranger", "anonymous", "liaison", "officer", "lawyer"}.isdisjoint(everyone)
