"""The whole journey in real browsers, the resident on a phone: raise a voice with a photo (look-alikes and the
category offered while typing), staff accept it and dispatch it to a government department, the department
resolves it with a photo, the resident rates it 不满意 and reopens it, and the public wall shows it to a
neighbour without the author's name, photo and all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from PIL import Image

from gongzhi.estates.models import BindingStatus, HouseBinding
from gongzhi.testing.browser import browser_login
from gongzhi.testing.voices_factories import VoiceFactory, category
from gongzhi.voices.models import PhotoStage, Score, Status, Voice

from .photo_files import jpeg_with_gps, media_root

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["media_root"]

PHONE = {"locale": "zh-CN", "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _watch(pg: Any) -> list[str]:
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _no_horizontal_scroll(pg: Any) -> bool:
    return bool(pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _images_loaded(pg: Any, selector: str) -> bool:
    """The images (lazy-loaded thumbnails) have arrived and decoded; False if not within five seconds."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    script = """sel => { const els = [...document.querySelectorAll(sel)];
        els.forEach(i => i.scrollIntoView());
        return els.length > 0 && els.every(i => i.complete && i.naturalWidth > 0); }"""
    try:
        pg.wait_for_function(script, arg=selector, timeout=5000)
    except PlaywrightTimeout:
        return False
    return True


def _photo(color: tuple[int, int, int]) -> dict[str, Any]:
    out = BytesIO()
    Image.new("RGB", (1200, 900), color).save(out, "JPEG")
    return {"name": "fixed.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture
def neighbour_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(**PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def department_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_a_voice_with_a_photo_from_a_phone_to_a_department_and_back_to_the_wall(
    world, live_server, phone_page, page, department_page, neighbour_page
):
    base = live_server.url
    category("其他")  # transactional tests flush the seeded categories
    lift = category("设施维修")
    lift.keywords = "电梯 维修"
    lift.save()
    author = world.users["resident"]
    author.name = "王大妈"
    author.save()
    neighbour = world.users["applicant"]
    HouseBinding.objects.filter(user=neighbour).update(status=BindingStatus.APPROVED)
    earlier = VoiceFactory.create(compound=world.compound_a, text="3栋电梯坏了很久没人修", is_public=True)
    watched = [_watch(phone_page), _watch(department_page), _watch(neighbour_page)]

    # given the resident on a phone, on the form
    browser_login(phone_page, base, author.phone)
    phone_page.goto(f"{base}/voices/new/")
    # the place pickers follow the choice of place: none for a public area, the house for "my house"
    assert not phone_page.is_visible("select[name=house]") and not phone_page.is_visible("select[name=building]")
    phone_page.locator("label.choice", has=phone_page.locator("input[value=own_house]")).click()
    assert phone_page.is_visible("select[name=house]") and not phone_page.is_visible("select[name=building]")
    phone_page.locator("label.choice", has=phone_page.locator("input[value=public_area]")).click()
    assert not phone_page.is_visible("select[name=house]")
    # when they pick "repair" and type about the lift
    phone_page.locator("label.choice", has=phone_page.locator("input[name=kind][value=repair]")).click()
    phone_page.fill("textarea[name=text]", "3栋电梯坏了，停了两天")
    # then the neighbour's open voice is offered for "me too", and the category is filled in
    phone_page.wait_for_selector("#compose-hints .dupes")
    assert earlier.text in phone_page.inner_text("#compose-hints")
    assert phone_page.locator("#compose-hints button.metoo").count() == 1
    phone_page.wait_for_function(f"document.querySelector('select[name=category]').value === '{lift.pk}'", timeout=5000)
    # when they still raise their own, with a photo that carries a GPS location, for neighbours to see
    phone_page.set_input_files(
        "input[name=photos][multiple]",
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(size=(800, 600))}],
    )
    assert "1" in phone_page.inner_text("#photo-status")
    phone_page.check("input[name=is_public]")
    assert _no_horizontal_scroll(phone_page)
    with phone_page.expect_navigation():
        phone_page.click("form.voice-form button.send")
    # then they land on their voice, with its photo shown
    phone_page.wait_for_url(re.compile(r"/voices/\d+/$"))
    voice = Voice.objects.exclude(pk=earlier.pk).get()
    assert voice.category == lift and voice.photos.filter(stage=PhotoStage.RAISED).count() == 1
    assert phone_page.locator("h1 .badge.vs-submitted").count() == 1
    assert _images_loaded(phone_page, ".voice-page .photo-grid img")
    assert _no_horizontal_scroll(phone_page)

    # when the community secretary accepts it and dispatches it to the education bureau (a department)
    department = world.orgs["department"]
    browser_login(page, base, world.users["secretary"].phone)
    page.goto(f"{base}/voices/queue/")
    page.click(f"a[href='/voices/{voice.pk}/']")
    page.wait_for_url(f"**/voices/{voice.pk}/")
    assert _images_loaded(page, ".voice-page .photo-grid img")  # staff see the photo
    with page.expect_navigation():
        page.click("button[name=do][value=accept]")
    page.wait_for_selector("h1 .badge.vs-accepted")
    page.select_option("form[action$='/dispatch/'] select[name=organization]", str(department.pk))
    with page.expect_navigation():
        page.click("form[action$='/dispatch/'] button[type=submit]")
    page.wait_for_selector("h1 .badge.vs-dispatched")

    # and the bureau's liaison resolves it with a reply and a photo of the result
    browser_login(department_page, base, world.users["liaison"].phone)
    department_page.goto(f"{base}/voices/{voice.pk}/")
    department_page.fill("form[action$='/resolve/'] textarea[name=reply]", "已协调维保单位更换电梯控制板")
    department_page.set_input_files("form[action$='/resolve/'] input[name=photos]", files=[_photo((20, 160, 60))])
    with department_page.expect_navigation():
        department_page.click("button[name=do][value=resolve]")
    department_page.wait_for_selector("h1 .badge.vs-resolved")
    voice.refresh_from_db()
    assert voice.status == Status.RESOLVED and voice.lead_organization == department
    assert voice.photos.filter(stage=PhotoStage.RESOLVED).count() == 1

    # then the resident sees the reply with its photo, rates it 不满意 and reopens it
    phone_page.reload()
    phone_page.wait_for_selector(".official-reply")
    assert "更换电梯控制板" in phone_page.inner_text(".official-reply")
    assert _images_loaded(phone_page, ".official-reply .photo-grid img")
    phone_page.locator("label.choice", has=phone_page.locator(f"input[value={Score.DISSATISFIED}]")).click()
    phone_page.fill("form[action$='/rate/'] textarea[name=comment]", "电梯还是时好时坏")
    with phone_page.expect_navigation():
        phone_page.click("form[action$='/rate/'] button[type=submit]")
    phone_page.wait_for_selector("form[action$='/reopen/']")
    phone_page.fill("form[action$='/reopen/'] textarea[name=reason]", "今天又停了")
    with phone_page.expect_navigation():
        phone_page.click("form[action$='/reopen/'] button[type=submit]")
    phone_page.wait_for_selector("h1 .badge.vs-reopened")
    voice.refresh_from_db()
    assert voice.status == Status.REOPENED and voice.ratings.get().score == Score.DISSATISFIED
    assert _no_horizontal_scroll(phone_page)

    # and a neighbour on the public wall sees it without the author's name, with its photo
    browser_login(neighbour_page, base, neighbour.phone)
    neighbour_page.goto(f"{base}/voices/wall/{world.compound_a.code}/")
    card = neighbour_page.locator("li.voice-card", has=neighbour_page.locator(f"a[href='/voices/{voice.pk}/']"))
    assert card.count() == 1
    text = card.inner_text()
    assert "3栋电梯坏了，停了两天" in text and "王大妈" not in neighbour_page.content()
    assert card.locator(".badge.vs-reopened").count() == 1
    assert _images_loaded(neighbour_page, f"li.voice-card img[src^='/voices/{voice.pk}/photos/']")
    assert _no_horizontal_scroll(neighbour_page)
    assert not any(watched), watched
