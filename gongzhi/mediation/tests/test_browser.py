"""A real browser (headless Chromium): a grid worker turns a resident's voice into a case, assigns the community
police officer and a lawyer, holds a session, records an agreement and prints it, and a follow-up visit records
that it is kept."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from gongzhi.mediation.models import Case, FollowUp
from gongzhi.notifications.models import Notification
from gongzhi.testing.browser import browser_login
from gongzhi.testing.voices_factories import VoiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_grid_worker_mediates_a_voice_to_a_kept_agreement(world, live_server, page, tmp_path) -> None:
    base = live_server.url
    page.on("dialog", lambda d: d.accept())
    officer, lawyer, resident = world.users["officer"], world.users["lawyer"], world.users["resident"]
    # given a resident's voice about the neighbour's leak
    voice = VoiceFactory.create(compound=world.compound_a, author=resident, text="楼上102卫生间漏水，天花板发霉")
    # when the grid worker opens a case from it
    browser_login(page, base, world.users["grid_worker"].phone)
    page.goto(f"{base}/voices/{voice.pk}/")
    page.click("#mediation-open")
    page.select_option("#id_case_type", "leak")
    page.fill("#id_title", "楼上漏水纠纷")
    page.select_option("#id_party1_kind", "household")
    page.fill("#id_party1_house", f"{world.house_a2.building.name}{world.house_a2.unit.name}102")
    page.click("#case-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    case = Case.objects.get()
    assert case.voice_id == voice.pk and case.parties.count() == 2
    assert Notification.objects.filter(recipient=resident, verb="mediation.voice_converted").exists()
    # and assigns the community police officer and a lawyer
    for capacity, person in (("officer", officer), ("lawyer", lawyer)):
        page.select_option("#id_mediator", f"{capacity}:{person.pk}")
        page.click("#mediator-form button[type=submit]")
        page.wait_for_selector(".msg.success")
    assert set(case.mediators.values_list("capacity", flat=True)) == {"grid_worker", "officer", "lawyer"}
    # and schedules a session (tomorrow by default) and holds it
    page.fill("#schedule-form input[name=place]", "社区人民调解室")
    page.click("#schedule-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    page.click(".session-record summary")
    page.fill(".session-record-form textarea[name=notes]", "双方同意由102修复防水并赔偿")
    page.click(".session-record-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    assert case.sessions.get().status == "held"
    # and records the agreement, records it as signed and prints it
    page.fill(
        "#agreement-form textarea[name=terms]", "一、102室于七日内修复卫生间防水。二、102室赔偿101室天花板修补费800元。"
    )
    page.click("#agreement-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    with page.expect_download() as download:
        page.click(".agreement-pdf")
    path = tmp_path / "agreement.pdf"
    download.value.save_as(path)
    text = re.sub(
        r"\s+",
        "",
        "".join(p.extract_text().replace("\x00", "") for p in PdfReader(io.BytesIO(path.read_bytes())).pages),
    )
    assert "102室赔偿101室天花板修补费800元" in text
    assert officer.name in text and lawyer.name in text and "李四" in text and "resident" in text
    # and closes the case with the agreement
    page.select_option("#close-form select[name=outcome]", "agreement")
    page.click("#close-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    assert page.inner_text("#case-status") == "Closed"
    # then a follow-up visit records that the agreement is kept
    page.select_option("#follow-up-form select[name=kept]", "yes")
    page.click("#follow-up-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    visit = FollowUp.objects.get(case=case, number=1)
    assert (visit.status, visit.kept) == ("done", True)
    assert "Kept" in page.inner_text("#follow-ups")
    # and the voice links to the case for the grid worker
    page.goto(f"{base}/voices/{voice.pk}/")
    assert page.locator("#mediation-case-link").count() == 1


def test_a_resident_reads_their_case_on_a_phone(world, live_server, phone_page) -> None:
    from gongzhi.testing.mediation_factories import open_case, signed

    # given a case naming the resident's household, with a signed agreement
    case = signed(world, open_case(world))
    # when the resident opens it from the navigation on a phone
    browser_login(phone_page, live_server.url, world.users["resident"].phone)
    phone_page.get_by_role("link", name="Mediation").click()
    phone_page.click(f"a[href='/mediation/cases/{case.pk}/']")
    # then the case reads without sideways scrolling, and has no manager's forms
    assert phone_page.inner_text("h1").endswith(case.title)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392
    assert phone_page.locator("#close-form").count() == 0 and phone_page.locator("#mediator-form").count() == 0
    assert phone_page.locator(".agreement-pdf").count() == 1
