"""Every role in the world × every activity and care action and read.

Community staff (secretary, grid worker, community staff) and property staff (manager, customer service) run
activities; technicians, finance, representatives and supervisors see them once published, and the figures;
the resident (an approved binding in compound A) signs up, checks in, gives feedback, asks for care of their
vacant house and pauses or ends it; property staff record visits; the manager and customer service edit the
task list. Applicants, strangers, outside organizations and the anonymous visitor get nothing.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from PIL import Image

from gongzhi.activities import calendar, selectors
from gongzhi.activities import services as s
from gongzhi.activities.checkin import checkin_token
from gongzhi.activities.models import Activity, ActivityCategory, ActivityStatus, CarePlan
from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.testing.activities_factories import ActivityFactory, CarePlanFactory, SignupFactory
from gongzhi.testing.world import ALL_ROLES

from .conftest import in_days

pytestmark = pytest.mark.django_db

MANAGERS = {"secretary", "grid_worker", "community_staff", "property_manager", "customer_service", "superuser"}
VIEWERS = {"technician", "finance", "representative", "sub_district_supervisor", "district_supervisor"}
CARE_STAFF = {"property_manager", "customer_service", "technician", "superuser"}
CARE_EDITORS = {"property_manager", "customer_service", "superuser"}

EXPECTED: dict[str, set[str]] = {
    "activity_create": MANAGERS,
    "activity_update": MANAGERS,
    "activity_publish": MANAGERS,
    "activity_hold": MANAGERS,
    "activity_cancel": MANAGERS,
    "checkin_rotate": MANAGERS,
    "attendance_mark": MANAGERS,
    "photos_add": MANAGERS,
    "signup_create": {"resident"},
    "signup_cancel_residents": MANAGERS | {"resident"},
    "signup_and_check_in": {"resident"},
    "feedback_after_attending": MANAGERS | VIEWERS | {"resident"},
    "view_published": MANAGERS | VIEWERS | {"resident"},
    "view_draft": MANAGERS,
    "view_other_compound": {"superuser", "sub_district_supervisor", "district_supervisor"},
    "activity_ics": MANAGERS | VIEWERS | {"resident"},
    "feed_lists_it": MANAGERS | VIEWERS | {"resident"},
    "view_figures": MANAGERS | VIEWERS,
    "care_request": {"resident"},
    "care_pause": {"resident"},
    "care_visit_record": CARE_STAFF,
    "care_task_add": CARE_EDITORS,
    "view_care_plan": CARE_STAFF | {"resident"},
}


def _jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "blue").save(out, "JPEG")
    out.seek(0)
    out.name = "p.jpg"
    return out


def _actions(world: Any) -> dict[str, Callable[[Any], Any]]:
    u, compound = world.users, world.compound_a
    resident = u["resident"]

    def activity(**kw: Any) -> Activity:
        return ActivityFactory.create(compound=compound, starts_at=in_days(2), ends_at=in_days(2, 11), **kw)

    def signed_up(**kw: Any) -> Any:
        return SignupFactory.create(activity=activity(**kw), user=resident)

    def plan() -> CarePlan:
        tasks = s.care_tasks_ensure(compound)
        p = CarePlanFactory.create(house=world.house_a, owner=resident)
        p.tasks.set(tasks[:2])
        return p

    def visible(a: Any, act: Activity) -> None:
        if selectors.activity_for(a, act.pk) is None:
            raise NotFound("not visible")

    def check_in(a: Any) -> Any:
        act = activity()
        s.signup_create(actor=a, activity=act)
        at = act.starts_at
        return s.checkin_scan(
            actor=a, activity=act.pk, token=checkin_token(activity_id=act.pk, nonce=act.checkin_nonce, now=at), now=at
        )

    def feedback(a: Any) -> Any:
        act = activity()
        if a.is_authenticated:
            SignupFactory.create(activity=act, user=a, checked_in_at=act.starts_at)
        return s.feedback_give(actor=a, activity=act, rating=5)

    def feed(a: Any) -> None:
        activity(title="订阅里的活动")
        if not a.is_authenticated or "订阅里的活动" not in calendar.feed_ics(user=a).decode():
            raise NotFound("not in the feed")

    def care_visit(a: Any) -> Any:
        CarePlan.objects.all().delete()
        p = plan()
        items = [s.ItemInput(task_name=t.name, done=True) for t in p.tasks.all()]
        return s.care_visit_record(actor=a, plan=p, visited_on=timezone.localdate(), items=items)

    def care_request(a: Any) -> Any:
        CarePlan.objects.all().delete()
        return s.care_request(actor=a, house=world.house_a, schedule="weekly", tasks=s.care_tasks_ensure(compound)[:1])

    def care_pause(a: Any) -> Any:
        CarePlan.objects.all().delete()
        return s.care_set_status(actor=a, plan=plan(), status="paused")

    def view_plan(a: Any) -> None:
        CarePlan.objects.all().delete()
        if selectors.care_plan_for(a, plan().pk) is None:
            raise NotFound("not visible")

    return {
        "activity_create": lambda a: s.activity_create(
            actor=a,
            compound=compound,
            title="洗车",
            category=ActivityCategory.SERVICE,
            starts_at=in_days(3),
            ends_at=in_days(3, 11),
            place="广场",
            capacity=5,
        ),
        "activity_update": lambda a: s.activity_update(actor=a, activity=activity(), title="新标题"),
        "activity_publish": lambda a: s.activity_publish(
            actor=a, activity=activity(status=ActivityStatus.DRAFT, published_at=None)
        ),
        "activity_hold": lambda a: s.activity_hold(actor=a, activity=(x := activity()), now=x.starts_at),
        "activity_cancel": lambda a: s.activity_cancel(actor=a, activity=activity(), reason="下雨"),
        "checkin_rotate": lambda a: s.checkin_rotate(actor=a, activity=activity()),
        "attendance_mark": lambda a: s.attendance_mark(
            actor=a, signup=(x := signed_up()), present=True, now=x.activity.starts_at
        ),
        "photos_add": lambda a: s.activity_photos_add(actor=a, activity=activity(), photos=[_jpeg()]),
        "signup_create": lambda a: s.signup_create(actor=a, activity=activity()),
        "signup_cancel_residents": lambda a: s.signup_cancel(actor=a, signup=signed_up()),
        "signup_and_check_in": check_in,
        "feedback_after_attending": feedback,
        "view_published": lambda a: visible(a, activity()),
        "view_draft": lambda a: visible(a, activity(status=ActivityStatus.DRAFT, published_at=None)),
        "view_other_compound": lambda a: visible(
            a, ActivityFactory.create(compound=world.compound_b, starts_at=in_days(2), ends_at=in_days(2, 11))
        ),
        "activity_ics": lambda a: calendar.activity_ics(user=a, pk=activity().pk),
        "feed_lists_it": feed,
        "view_figures": lambda a: None if selectors.figures_visible(a) else (_ for _ in ()).throw(NotAllowed("no")),
        "care_request": care_request,
        "care_pause": care_pause,
        "care_visit_record": care_visit,
        "care_task_add": lambda a: s.care_task_add(
            actor=a, compound=compound, name=f"任务{datetime.datetime.now().timestamp()}"
        ),
        "view_care_plan": view_plan,
    }


@pytest.mark.parametrize("action", list(EXPECTED))
def test_matrix(world: Any, action: str) -> None:
    run = _actions(world)[action]
    allowed = set()
    for role in ALL_ROLES:
        actor = world.users[role] or AnonymousUser()
        try:
            run(actor)
        except (NotAllowed, NotFound):
            continue
        allowed.add(role)
    assert allowed == EXPECTED[action], f"{action}: allowed {sorted(allowed)}"


def test_every_action_has_an_expectation_and_outsiders_get_nothing(world: Any) -> None:
    assert set(_actions(world)) == set(EXPECTED)
    everyone = set().union(*EXPECTED.values())
    assert everyone <= set(ALL_ROLES)
    assert {"applicant", "stranger", "anonymous", "lawyer", "officer", "liaison"}.isdisjoint(everyone)
