"""A real browser (headless Chromium): community staff create an activity; two residents sign up on phones and
the second is put on the waitlist; the first checks in by the QR code's link and leaves feedback. An owner reads
the visit log of their vacant house on a phone."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.activities import services as s
from gongzhi.activities.models import Activity, ActivityStatus, Feedback, Signup, SignupStatus
from gongzhi.testing.activities_factories import bind_owner
from gongzhi.testing.browser import browser_login
from gongzhi.testing.factories import HouseFactory, UserFactory
from gongzhi.testing.voices_factories import category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def test_staff_create_residents_sign_up_one_waits_and_the_other_checks_in_and_gives_feedback(
    world: Any, live_server: Any, page: Any, phone_page: Any, chromium: Any
) -> None:
    base = live_server.url
    neighbour = UserFactory.create(name="王阿姨")
    bind_owner(HouseFactory.create(unit=world.house_a.unit, room="501"), neighbour)
    # when community staff create and publish an activity with one place, starting in 20 minutes
    now = timezone.now()
    browser_login(page, base, world.users["community_staff"].phone)
    page.goto(f"{base}/activities/")
    page.click("#new-activity")
    page.fill("#activity-form input[name=title]", "便民洗车")
    page.select_option("#activity-form select[name=category]", "service")
    page.fill("#activity-form input[name=starts_at]", _local(now + datetime.timedelta(minutes=20)))
    page.fill("#activity-form input[name=ends_at]", _local(now + datetime.timedelta(hours=2)))
    page.fill("#activity-form input[name=place]", "地下车库入口")
    page.fill("#activity-form input[name=capacity]", "1")
    page.click("#save-publish")
    page.wait_for_selector("#activity-title")
    activity = Activity.objects.get()
    assert activity.status == ActivityStatus.PUBLISHED and activity.capacity == 1
    # and the first resident signs up on a phone
    browser_login(phone_page, base, world.users["resident"].phone)
    phone_page.goto(f"{base}/activities/{activity.pk}/")
    phone_page.click("#sign-up")
    phone_page.wait_for_selector("#my-signup")
    assert "You have a place" in phone_page.inner_text("#my-signup")
    # and a neighbour on another phone finds the places taken and joins the waitlist
    other = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    second = other.new_page()
    browser_login(second, base, neighbour.phone)
    second.goto(f"{base}/activities/{activity.pk}/")
    second.click("#sign-up")
    second.wait_for_selector("#waitlisted")
    assert "number 1" in second.inner_text("#waitlisted")
    other.close()
    assert sorted(Signup.objects.values_list("status", flat=True)) == [SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]
    # when staff show the check-in code and the resident opens its link on the phone
    page.click("#checkin-screen")
    page.wait_for_selector("#checkin-qr svg")
    link = page.get_attribute("#checkin-link", "href")
    phone_page.goto(link)
    phone_page.click("#check-in")
    phone_page.wait_for_selector("#checked-in")
    # then a second scan is refused plainly
    phone_page.goto(link)
    phone_page.click("#check-in")
    assert "You checked in already" in phone_page.inner_text("#scan-error")
    # and the resident leaves feedback on the activity's page
    phone_page.goto(f"{base}/activities/{activity.pk}/")
    phone_page.locator("#feedback-form input[name=rating][value='5']").check()
    phone_page.fill("#feedback-form textarea[name=comment]", "洗得很干净，谢谢物业和社区")
    phone_page.click("#send-feedback")
    phone_page.wait_for_selector("#feedback-given")
    assert Feedback.objects.get().rating == 5
    # and staff see the attendance and the feedback
    page.goto(f"{base}/activities/{activity.pk}/")
    assert "洗得很干净" in page.inner_text("#feedback")


def test_an_owner_reads_the_care_visit_log_on_a_phone(world: Any, live_server: Any, phone_page: Any) -> None:
    # given the resident's vacant house under weekly care, visited twice, the second time with a leak
    category("设施维修")  # a transactional test starts without the seeded categories
    tasks = s.care_tasks_ensure(world.compound_a)
    plan = s.care_request(actor=world.users["resident"], house=world.house_a, schedule="weekly", tasks=tasks[:3])
    names = [t.name for t in plan.tasks.all()]
    today = timezone.localdate()
    type(plan).objects.filter(pk=plan.pk).update(starts_on=today - datetime.timedelta(days=14))  # asked a fortnight ago
    s.care_visit_record(
        actor=world.users["technician"],
        plan=plan,
        visited_on=today - datetime.timedelta(days=7),
        items=[s.ItemInput(task_name=n, done=True) for n in names],
        note="一切正常，已开窗通风",
    )
    s.care_visit_record(
        actor=world.users["technician"],
        plan=plan,
        visited_on=today,
        items=[s.ItemInput(task_name=n, done=True) for n in names],
        problem="厨房水管接口渗水",
    )
    # when the owner opens Home care on a phone
    base = live_server.url
    browser_login(phone_page, base, world.users["resident"].phone)
    phone_page.goto(f"{base}/activities/care/")
    phone_page.locator("#my-care a").first.click()
    phone_page.wait_for_selector("#visit-log")
    # then both visits are listed, newest first, the problem marked and its work order named
    log = phone_page.inner_text("#visit-log")
    assert log.index("厨房水管接口渗水") < log.index("一切正常，已开窗通风")
    assert "work order" in log
    assert phone_page.locator("#visit-log .visit.has-problem").count() == 1
    # and the page fits the phone's width
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
