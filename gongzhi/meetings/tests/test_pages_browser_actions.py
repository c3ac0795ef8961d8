"""A real browser (headless Chromium), the issue's whole story in one flow: the community secretary convenes a
joint meeting from a hot topic and a residents' representative answers and signs in by the QR link on a phone
(the steps of ``test_pages_browser``, run as they are), then the secretary records the minutes with a decision
and closes the meeting — the decision becomes an action item —, the property company's technician records
progress with an after photo on a phone, and a resident follows it on the compound's public 整改清单, photo
included."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.meetings.models import ActionItem, ActionPhoto, ActionStatus, Meeting, MeetingStatus
from gongzhi.testing.browser import browser_login
from gongzhi.voices.tests.photo_files import image_bytes

from . import test_pages_browser as convening

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def second_phone(chromium: Any) -> Iterator[Any]:
    """Another phone (390×844), for a second person; console errors fail the test."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, f"browser console errors: {errors}"


def _fits(page: Any) -> bool:
    """Nothing is wider than the phone's screen."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_a_meeting_decision_becomes_an_action_item_the_property_company_updates_and_residents_follow(
    world: Any, live_server: Any, page: Any, phone_page: Any, second_phone: Any
) -> None:
    base = live_server.url
    # given the meeting convened from a hot topic, answered and signed in to by the representative on a phone
    convening.test_the_secretary_convenes_from_a_hot_topic_and_a_representative_answers_and_signs_in(
        world, live_server, page, phone_page
    )
    meeting = Meeting.objects.get()
    # when the secretary marks it as held (confirming) and records the minutes of its agenda item
    page.goto(f"{base}/meetings/{meeting.pk}/")
    page.click("#hold")
    page.wait_for_selector(".minutes-form")
    page.fill(".minutes-form textarea[name=text]", "物业说明3栋电梯故障原因，承诺更换主板。")
    page.locator(".minutes-form button[type=submit]").click()
    page.wait_for_selector(".msg.success")
    # and records a decision that becomes an action item of the property company, due in three weeks
    due = timezone.localdate() + datetime.timedelta(days=21)
    page.locator(".decision-form").locator("xpath=..").locator("summary").click()
    form = page.locator(".decision-form")
    form.locator("textarea[name=text]").fill("物业三周内更换3栋电梯主板")
    form.locator("input[name=becomes_action]").check()
    form.locator("input[name=action_title]").fill("更换3栋电梯主板")
    form.locator("select[name=responsible_organization]").select_option(label="A物业")
    form.locator("input[name=due_on]").fill(due.isoformat())
    form.locator("input[name=budget]").fill("18000")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".msg.success")
    # and closes the meeting (confirming)
    page.click("#close-meeting")
    page.wait_for_selector(".msg.success")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    item = ActionItem.objects.get()
    assert (item.title, item.meeting_id, item.due_on, item.is_public) == ("更换3栋电梯主板", meeting.pk, due, True)
    # then the meeting's action items are one click away
    page.click("#meeting-actions-tab")
    page.wait_for_selector("#actions")
    assert "更换3栋电梯主板" in page.locator("#actions").inner_text()

    # when the property company's technician, on a phone, opens the item from the action-item list
    tech = second_phone
    browser_login(tech, base, world.users["technician"].phone)
    tech.goto(f"{base}/meetings/actions/")
    tech.get_by_role("link", name=f"#{item.pk} 更换3栋电梯主板").click()
    tech.wait_for_selector("#update-form")
    assert _fits(tech)
    # and records 60% with a note and an after photo
    tech.fill("#update-form input[name=progress]", "60")
    tech.fill("#update-form textarea[name=note]", "新主板已到货，完成安装调试一半。")
    tech.set_input_files(
        "#update-form input[name=photos_after]",
        files=[{"name": "电梯.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(size=(640, 480))}],
    )
    tech.click("#save-update")
    tech.wait_for_selector(".msg.success")
    # then the item is in progress at 60%, with the photo in its history
    item.refresh_from_db()
    assert (item.status, item.progress) == (ActionStatus.IN_PROGRESS, 60)
    photo = ActionPhoto.objects.get(action_item=item)
    assert photo.stage == "after"
    assert tech.locator("#history img").count() == 1
    assert _fits(tech)
    tech.context.clear_cookies()

    # when a resident of the compound, on a phone, follows the public list from the meetings page
    resident = second_phone
    browser_login(resident, base, world.users["resident"].phone)
    resident.goto(f"{base}/meetings/")
    resident.locator("#public-action-lists a").first.click()
    resident.wait_for_selector("#public-actions")
    card = resident.locator(f"#item-{item.pk}")
    # then they see the item, its progress, the latest note and the photo (loaded), and nothing internal
    text = card.inner_text()
    assert "更换3栋电梯主板" in text and "60%" in text and "新主板已到货" in text
    assert "18,000" not in resident.content() and "technician" not in resident.content()
    image = card.locator("img")
    image.scroll_into_view_if_needed()
    resident.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert _fits(resident)
