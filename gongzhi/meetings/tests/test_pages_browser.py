"""A real browser (headless Chromium): the community secretary convenes a joint meeting from a hot topic; a
residents' representative answers the invitation and signs in on a phone by the QR code's link."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gongzhi.meetings.models import AgendaItem, AgendaSource, Attendance, Meeting, MeetingInvitation, MeetingStatus
from gongzhi.testing.browser import browser_login
from gongzhi.testing.voices_factories import VoiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def test_the_secretary_convenes_from_a_hot_topic_and_a_representative_answers_and_signs_in(
    world, live_server, page, phone_page
):
    base = live_server.url
    confirmations: list[str] = []

    def accept(dialog) -> None:
        confirmations.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    # given residents' voices about the lift of building 3 (a hot topic of compound A)
    now = timezone.now()
    for n in range(1, 4):
        VoiceFactory.create(
            compound=world.compound_a, text=f"3栋电梯又坏了，困人 {n}", submitted_at=now - datetime.timedelta(days=n)
        )
    # when the secretary convenes a joint meeting starting in half an hour
    browser_login(page, base, world.users["secretary"].phone)
    page.get_by_role("link", name="Meetings").click()
    page.click("#new-meeting")
    page.select_option("#meeting-form select[name=kind]", "joint")
    page.fill("#meeting-form input[name=title]", "三方联席会议：电梯")
    page.fill("#meeting-form input[name=starts_at]", _local(now + datetime.timedelta(minutes=30)))
    page.fill("#meeting-form input[name=ends_at]", _local(now + datetime.timedelta(hours=2)))
    page.fill("#meeting-form input[name=place]", "社区党群服务中心")
    page.click("#meeting-form button[type=submit]")
    # and ticks the hot topic into the agenda
    page.locator("#candidates input[name=topic]").first.check()
    page.click("#add-candidates")
    page.wait_for_selector(".msg.success")
    meeting = Meeting.objects.get()
    assert AgendaItem.objects.get(meeting=meeting).source == AgendaSource.TOPIC
    # and invites the property company and the residents' representatives, and publishes (confirming)
    page.locator(".meeting-tabs").get_by_role("link", name="Meeting").click()
    page.locator("#invite-form label", has_text="A物业").click()
    page.locator("#invite-form label", has_text="A小区业主代表").click()
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    page.click("#publish")
    page.wait_for_selector(".msg.success")
    assert "Publish this meeting?" in confirmations[-1]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED
    # and opens the sign-in screen with its QR code
    page.locator(".meeting-tabs").get_by_role("link", name="Sign-in").click()
    assert page.locator("#sign-in-qr svg").count() == 1
    link = page.locator("#sign-in-link").get_attribute("href")
    assert link
    # when the representative, on a phone, answers "attending"
    phone = phone_page
    browser_login(phone, base, world.users["representative"].phone)
    phone.goto(f"{base}/meetings/{meeting.pk}/")
    phone.get_by_role("button", name="Attending", exact=True).click()
    phone.wait_for_selector(".msg.success")
    assert phone.locator("#my-answer").inner_text() == "Attending"
    # and follows the QR code's link and signs in
    phone.goto(link)
    phone.click("#sign-in")
    phone.wait_for_selector("#signed-in")
    # then the answer and the sign-in are recorded, for the residents' party
    assert MeetingInvitation.objects.get(meeting=meeting, user=world.users["representative"]).rsvp == "yes"
    assert Attendance.objects.get(meeting=meeting).party == "residents"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # and the secretary's screen counts them
    page.reload()
    assert "1" in page.locator("#attendance h2").inner_text()
