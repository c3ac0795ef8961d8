"""A real browser (headless Chromium): a resident volunteer takes the open place on the school-safety post on a
phone and checks in; the secretary's coverage view turns that shift from red to green."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.duty import services as s
from gongzhi.duty.models import Assignment, ServeKind
from gongzhi.testing.browser import browser_login
from gongzhi.testing.duty_factories import ShiftFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_volunteer_takes_an_open_shift_on_a_phone_checks_in_and_coverage_turns_green(
    duty: Any, live_server: Any, page: Any, phone_page: Any
) -> None:
    base = live_server.url
    # given a shift starting in five minutes with the police officer and the property staff on it
    shift = ShiftFactory.create(post=duty.post, starts_at=timezone.now() + datetime.timedelta(minutes=5))
    s.assignment_create(actor=duty.secretary, shift=shift, user=duty.officer)
    s.assignment_create(actor=duty.secretary, shift=shift, user=duty.property)
    month = timezone.localtime(shift.starts_at).strftime("%Y-%m")
    # and the secretary's coverage view shows it red (no resident volunteer)
    browser_login(page, base, duty.secretary.phone)
    page.goto(f"{base}/duty/posts/{duty.post.pk}/coverage/?month={month}")
    cell = page.locator(f"#cell-{shift.pk}")
    assert cell.get_attribute("data-met") == "no"
    assert "unmet" in (cell.get_attribute("class") or "")
    # when the volunteer opens "My duty" on the phone, then the open places, and takes this one
    browser_login(phone_page, base, duty.volunteer.phone)
    phone_page.goto(f"{base}/duty/mine/")
    phone_page.click("#open-places")
    phone_page.locator(f"#open-{shift.pk} button.take").click()
    phone_page.wait_for_selector(".msg.success")
    row = Assignment.objects.get(shift=shift, user=duty.volunteer)
    assert row.kind == ServeKind.VOLUNTEER
    # and checks in
    phone_page.locator(f"#assignment-{row.pk} button.check-in").click()
    phone_page.wait_for_selector(".msg.success")
    assert phone_page.locator(f"#assignment-{row.pk} .done").count() == 1
    row.refresh_from_db()
    assert row.checked_in_at is not None
    # then a second check-in is not offered, and the coverage view turns the shift green
    assert phone_page.locator(f"#assignment-{row.pk} button.check-in").count() == 0
    page.reload()
    cell = page.locator(f"#cell-{shift.pk}")
    assert cell.get_attribute("data-met") == "yes"
    assert "met" in (cell.get_attribute("class") or "").split()
