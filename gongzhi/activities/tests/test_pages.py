"""The pages: calendar, activity, form, sign-up, check-in, feedback, figures, .ics, care — and their bad input."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.activities import services as s
from gongzhi.activities.calendar import feed_token
from gongzhi.activities.checkin import checkin_token
from gongzhi.activities.models import Activity, CarePlan, CareVisit, Signup, SignupStatus

from .helpers import state

pytestmark = pytest.mark.django_db


def test_the_calendar_shows_the_month_with_the_residents_activities(
    world: Any, client_for: Callable[..., Any], organise: Callable[..., Activity]
) -> None:
    activity = organise(title="端午包粽子")
    organise(title="草稿活动", publish=False)
    month = f"{timezone.localtime(activity.starts_at):%Y-%m}"
    page = client_for(world.users["resident"]).get(reverse("activities:index"), {"month": month})
    assert page.status_code == 200
    assert "端午包粽子" in page.content.decode() and "草稿活动" not in page.content.decode()


def test_a_bad_month_falls_back_to_this_month(world: Any, client_for: Callable[..., Any]) -> None:
    for bad in ("2026-13", "abc", "99999-1", "<script>"):
        page = client_for(world.users["resident"]).get(reverse("activities:index"), {"month": bad})
        assert page.status_code == 200


def test_staff_create_an_activity_from_the_form(world: Any, client_for: Callable[..., Any]) -> None:
    client = client_for(world.users["property_manager"])
    start = timezone.localtime() + datetime.timedelta(days=3)
    data = {
        "compound": world.compound_a.pk,
        "title": "<b>擦窗纱</b>",
        "category": "service",
        "starts_at": f"{start:%Y-%m-%dT09:00}",
        "ends_at": f"{start:%Y-%m-%dT11:00}",
        "place": "1栋楼下",
        "capacity": "30",
        "signup_mode": "person",
        "audience": "compound",
        "by_property": "on",
        "publish": "1",
    }
    response = client.post(reverse("activities:new"), data)
    activity = Activity.objects.get()
    assert response.status_code == 302 and activity.status == "published" and activity.by_property
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "&lt;b&gt;擦窗纱&lt;/b&gt;" in page and "<b>擦窗纱</b>" not in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"capacity": "0"}, "capacity"),
        ({"ends_at": "2020-01-01T08:00"}, "ends_at"),
        ({"title": "长" * 101}, "title"),
        ({"compound": "999999"}, "compound"),
        ({"starts_at": "not a time"}, "starts_at"),
    ],
)
def test_bad_activity_forms_show_the_reason_and_change_nothing(
    world: Any, client_for: Callable[..., Any], change: dict[str, str], field: str
) -> None:
    client = client_for(world.users["secretary"])
    start = timezone.localtime() + datetime.timedelta(days=3)
    data = {
        "compound": world.compound_a.pk,
        "title": "洗车",
        "category": "service",
        "starts_at": f"{start:%Y-%m-%dT09:00}",
        "ends_at": f"{start:%Y-%m-%dT11:00}",
        "place": "广场",
        "capacity": "30",
        "signup_mode": "person",
        "audience": "compound",
        "by_community": "on",
    }
    data.update(change)
    before = state()
    response = client.post(reverse("activities:new"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="error"' in response.content.decode()
    assert state() == before


def test_a_resident_signs_up_on_the_page_and_a_second_time_is_refused(
    world: Any, client_for: Callable[..., Any], organise: Callable[..., Activity]
) -> None:
    activity = organise()
    client = client_for(world.users["resident"])
    client.post(reverse("activities:signup", args=[activity.pk]))
    assert Signup.objects.get().status == SignupStatus.CONFIRMED
    before = state()
    response = client.post(reverse("activities:signup", args=[activity.pk]), follow=True)
    assert "You have signed up already" in response.content.decode()
    assert state() == before


def test_a_resident_editing_an_activity_gets_403_and_nothing_changes(
    world: Any, client_for: Callable[..., Any], organise: Callable[..., Activity]
) -> None:
    activity = organise()
    client = client_for(world.users["resident"])
    before = state()
    assert client.get(reverse("activities:edit", args=[activity.pk])).status_code == 403
    assert client.post(reverse("activities:edit", args=[activity.pk]), {"title": "改"}).status_code == 403
    assert client.post(reverse("activities:cancel", args=[activity.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("activities:publish", args=[activity.pk])).status_code == 403
    after = state()
    after["audit"] = [a for a in after["audit"] if a[0] != "access.denied"]
    assert after == before


def test_scanning_the_code_checks_in_and_a_second_scan_is_refused(
    world: Any, client_for: Callable[..., Any], organise: Callable[..., Activity]
) -> None:
    now = timezone.now()
    activity = organise(starts_at=now + datetime.timedelta(minutes=20), ends_at=now + datetime.timedelta(hours=2))
    s.signup_create(actor=world.users["resident"], activity=activity)
    token = checkin_token(activity_id=activity.pk, nonce=activity.checkin_nonce, now=now)
    client = client_for(world.users["resident"])
    url = reverse("activities:scan", args=[activity.pk])
    assert client.get(url, {"t": token}).status_code == 200
    assert client.post(url, {"t": token}).status_code == 200
    assert Signup.objects.get().checked_in_at is not None
    again = client.post(url, {"t": token})
    assert again.status_code == 409 and "You checked in already" in again.content.decode()
    forged = client.post(url, {"t": "x" + token})
    assert forged.status_code == 400 and "not valid" in forged.content.decode()


def test_the_checkin_screen_shows_a_qr_code_to_staff(
    world: Any, client_for: Callable[..., Any], organise: Callable[..., Activity]
) -> None:
    activity = organise()
    page = client_for(world.users["grid_worker"]).get(reverse("activities:checkin", args=[activity.pk]))
    assert page.status_code == 200 and "<svg" in page.content.decode()


def test_feedback_from_the_page(world: Any, client_for: Callable[..., Any], organise: Callable[..., Activity]) -> None:
    activity = organise()
    signup = s.signup_create(actor=world.users["resident"], activity=activity)
    s.attendance_mark(actor=world.users["secretary"], signup=signup, present=True, now=activity.starts_at)
    client = client_for(world.users["resident"])
    assert 'id="feedback-form"' in client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    before = state()
    client.post(reverse("activities:feedback", args=[activity.pk]), {"rating": "9"})
    assert state() == before
    client.post(reverse("activities:feedback", args=[activity.pk]), {"rating": "5", "comment": "<i>好</i>"})
    page = client_for(world.users["secretary"]).get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "&lt;i&gt;好&lt;/i&gt;" in page


def test_the_ics_file_and_the_signed_feed(
    world: Any, client_for: Callable[..., Any], organise: Callable[..., Activity], client: Any
) -> None:
    activity = organise(title="重阳敬老宴")
    one = client_for(world.users["resident"]).get(reverse("activities:ics", args=[activity.pk]))
    event = icalendar.Calendar.from_ical(one.content).walk("VEVENT")[0]
    assert str(event["summary"]) == "重阳敬老宴"
    client.logout()
    feed = client.get(reverse("activities:feed", args=[feed_token(world.users["resident"])]))
    assert feed.status_code == 200 and "重阳敬老宴" in feed.content.decode()
    assert client.get(reverse("activities:feed", args=["forged:token"])).status_code == 404
    stranger = client.get(reverse("activities:feed", args=[feed_token(world.users["stranger"])]))
    assert "重阳敬老宴" not in stranger.content.decode()


def test_figures_count_by_year_and_category(
    world: Any, client_for: Callable[..., Any], organise: Callable[..., Activity]
) -> None:
    organise()
    organise(category="festival")
    page = client_for(world.users["sub_district_supervisor"]).get(reverse("activities:figures"))
    assert page.status_code == 200
    assert client_for(world.users["resident"]).get(reverse("activities:figures")).status_code == 403


def test_an_owner_asks_for_care_and_staff_record_a_visit_on_the_pages(
    world: Any, client_for: Callable[..., Any]
) -> None:
    owner = client_for(world.users["resident"])
    page = owner.get(reverse("activities:care")).content.decode()
    assert 'id="care-request-form"' in page
    tasks = s.care_tasks_ensure(world.compound_a)
    owner.post(
        reverse("activities:care_request"),
        {"house": world.house_a.pk, "schedule": "weekly", "tasks": [tasks[0].pk, tasks[1].pk]},
    )
    plan = CarePlan.objects.get()
    staff = client_for(world.users["technician"])
    assert staff.get(reverse("activities:care")).status_code == 200
    response = staff.post(
        reverse("activities:care_visit", args=[plan.pk]),
        {
            "visited_on": f"{timezone.localdate():%Y-%m-%d}",
            "done_0": "on",
            "note_1": "阳台花已浇",
            "problem": "窗户玻璃裂了",
        },
    )
    assert response.status_code == 302
    visit = CareVisit.objects.get()
    assert visit.voice is not None and visit.items.filter(done=True).count() == 1
    log = client_for(world.users["resident"]).get(reverse("activities:care_plan", args=[plan.pk])).content.decode()
    assert "窗户玻璃裂了" in log


def test_a_visit_for_a_house_not_under_care_is_refused_on_the_page(world: Any, client_for: Callable[..., Any]) -> None:
    tasks = s.care_tasks_ensure(world.compound_a)
    plan = s.care_request(actor=world.users["resident"], house=world.house_a, schedule="weekly", tasks=tasks[:1])
    s.care_set_status(actor=world.users["resident"], plan=plan, status="ended")
    before = state()
    response = client_for(world.users["technician"]).post(
        reverse("activities:care_visit", args=[plan.pk]), {"visited_on": f"{timezone.localdate():%Y-%m-%d}"}
    )
    assert response.status_code == 400
    assert "not under care" in response.content.decode()
    assert state() == before


def test_staff_of_several_compounds_filter_the_calendar_by_compound(
    world: Any, client_for: Callable[..., Any], organise: Callable[..., Activity]
) -> None:
    from gongzhi.testing.activities_factories import ActivityFactory

    activity = organise(title="A小区洗车")
    ActivityFactory.create(
        compound=world.compound_b, title="B小区读书会", starts_at=activity.starts_at, ends_at=activity.ends_at
    )
    client = client_for(world.users["sub_district_supervisor"])
    month = f"{timezone.localtime(activity.starts_at):%Y-%m}"
    both = client.get(reverse("activities:index"), {"month": month}).content.decode()
    assert "A小区洗车" in both and "B小区读书会" in both and 'id="compound-filter"' in both
    only_b = client.get(reverse("activities:index"), {"month": month, "compound": world.compound_b.code})
    assert "B小区读书会" in only_b.content.decode() and "A小区洗车" not in only_b.content.decode()
    # a compound out of scope is ignored, not shown
    resident = client_for(world.users["resident"]).get(
        reverse("activities:index"), {"month": month, "compound": world.compound_b.code}
    )
    assert "B小区读书会" not in resident.content.decode()
