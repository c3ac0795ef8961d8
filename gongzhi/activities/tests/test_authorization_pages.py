"""Every role × every page of the app (GET), and the writing endpoints (POST) for who may not: refused with 403
or 404 (anonymous: sent to log in), nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from gongzhi.activities import services as s
from gongzhi.testing.activities_factories import ActivityFactory, SignupFactory
from gongzhi.testing.world import ALL_ROLES

from .conftest import in_days
from .helpers import state

pytestmark = pytest.mark.django_db

MANAGERS = {"secretary", "grid_worker", "community_staff", "property_manager", "customer_service", "superuser"}
VIEWERS = {"technician", "finance", "representative", "sub_district_supervisor", "district_supervisor"}
CARE_STAFF = {"property_manager", "customer_service", "technician", "superuser"}
LOGGED_IN = set(ALL_ROLES) - {"anonymous"}

# page → roles that get 200 (everyone else: 403/404, or the log-in page for the anonymous)
PAGES: dict[str, set[str]] = {
    "index": LOGGED_IN,
    "detail": MANAGERS | VIEWERS | {"resident"},
    "draft": MANAGERS,
    "edit": MANAGERS,
    "new": MANAGERS,
    "checkin": MANAGERS,
    "figures": MANAGERS | VIEWERS,
    "ics": MANAGERS | VIEWERS | {"resident"},
    "care": LOGGED_IN,
    "care_plan": CARE_STAFF | {"resident"},
    "care_tasks": {"property_manager", "customer_service", "superuser"},
}


@pytest.fixture
def urls(world: Any) -> dict[str, str]:
    activity = ActivityFactory.create(compound=world.compound_a, starts_at=in_days(2), ends_at=in_days(2, 11))
    draft = ActivityFactory.create(
        compound=world.compound_a, starts_at=in_days(3), ends_at=in_days(3, 11), status="draft", published_at=None
    )
    tasks = s.care_tasks_ensure(world.compound_a)
    plan = s.care_request(actor=world.users["resident"], house=world.house_a, schedule="weekly", tasks=tasks[:2])
    return {
        "index": reverse("activities:index"),
        "detail": reverse("activities:detail", args=[activity.pk]),
        "draft": reverse("activities:detail", args=[draft.pk]),
        "edit": reverse("activities:edit", args=[activity.pk]),
        "new": reverse("activities:new"),
        "checkin": reverse("activities:checkin", args=[activity.pk]),
        "figures": reverse("activities:figures"),
        "ics": reverse("activities:ics", args=[activity.pk]),
        "care": reverse("activities:care"),
        "care_plan": reverse("activities:care_plan", args=[plan.pk]),
        "care_tasks": reverse("activities:care_tasks", args=[world.compound_a.code]),
    }


@pytest.mark.parametrize("page", list(PAGES))
def test_every_role_on_every_page(world: Any, client_for: Callable[..., Any], urls: dict[str, str], page: str) -> None:
    allowed = set()
    for role in ALL_ROLES:
        response = client_for(world.users[role]).get(urls[page])
        if response.status_code == 200:
            allowed.add(role)
        else:
            assert response.status_code in (302, 403, 404), (role, response.status_code)
            if role == "anonymous":
                assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert allowed == PAGES[page], f"{page}: {sorted(allowed)}"


def test_writes_by_those_who_may_not_are_refused_and_change_nothing(world: Any, client_for: Callable[..., Any]) -> None:
    activity = ActivityFactory.create(compound=world.compound_a, starts_at=in_days(2), ends_at=in_days(2, 11))
    signup = SignupFactory.create(activity=activity, user=world.users["resident"])
    tasks = s.care_tasks_ensure(world.compound_a)
    plan = s.care_request(actor=world.users["resident"], house=world.house_a, schedule="weekly", tasks=tasks[:2])
    posts = {
        "edit": (reverse("activities:edit", args=[activity.pk]), {"title": "x"}, MANAGERS),
        "publish": (reverse("activities:publish", args=[activity.pk]), {}, MANAGERS),
        "hold": (reverse("activities:hold", args=[activity.pk]), {}, MANAGERS),
        "cancel": (reverse("activities:cancel", args=[activity.pk]), {"reason": "雨"}, MANAGERS),
        "rotate": (reverse("activities:checkin_rotate", args=[activity.pk]), {}, MANAGERS),
        "attendance": (reverse("activities:attendance", args=[signup.pk]), {"present": "1"}, MANAGERS),
        "signup_cancel": (reverse("activities:signup_cancel", args=[signup.pk]), {}, MANAGERS | {"resident"}),
        "care_status": (reverse("activities:care_status", args=[plan.pk]), {"status": "paused"}, {"resident"}),
        "care_visit": (reverse("activities:care_visit", args=[plan.pk]), {"visited_on": "2026-01-01"}, CARE_STAFF),
        "task_add": (
            reverse("activities:care_task_add", args=[world.compound_a.code]),
            {"name": "新项目"},
            {"property_manager", "customer_service", "superuser"},
        ),
    }
    for name, (url, data, allowed) in posts.items():
        for role in ALL_ROLES:
            if role in allowed:
                continue
            before = state()
            response = client_for(world.users[role]).post(url, data)
            assert response.status_code in (302, 403, 404), (name, role, response.status_code)
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"], (name, role)
            after = state()
            after["audit"] = [a for a in after["audit"] if a[0] != "access.denied"]
            before["audit"] = [a for a in before["audit"] if a[0] != "access.denied"]
            assert after == before, (name, role)
