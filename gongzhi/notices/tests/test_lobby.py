"""Lobby screens: the signed link (forged, revoked, expired → a clear error and nothing shown), what the screen
shows (current public notices, done action items with their after-photo, figures), pictures only through the
token, the staff pages to add and revoke screens, and constant queries for the screen's content."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import Conflict, DomainError
from gongzhi.meetings.models import ActionStatus, PhotoStage
from gongzhi.notices import lobby
from gongzhi.notices import services as s
from gongzhi.notices.models import LobbyScreen, NoticeImage
from gongzhi.testing.factories import BuildingFactory
from gongzhi.testing.meetings_factories import ActionItemFactory, photo_row
from gongzhi.testing.notices_factories import LobbyScreenFactory, NoticeBuildingFactory, NoticeFactory
from gongzhi.voices.tests.photo_files import image_bytes, upload

from .conftest import in_hours
from .helpers import notices_state

pytestmark = pytest.mark.django_db


def _urls(screen: LobbyScreen) -> tuple[str, str]:
    token = lobby.screen_token(screen)
    return reverse("notices:screen", args=[token]), reverse("notices:screen_content", args=[token])


def _content(client: Any, screen: LobbyScreen) -> dict[str, Any]:
    response = client.get(_urls(screen)[1])
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    return response.json()


def test_the_screen_opens_without_log_in_and_shows_the_current_public_notices(world, client, secretary, write):
    # given a screen of compound A in building X, and notices: compound-wide, pinned, to building X, to another
    # building, staff-only, a draft, withdrawn, and one of compound B
    building = world.house_a.building
    other = BuildingFactory.create(compound=world.compound_a, community=world.compound_a.community)
    screen = s.lobby_screen_create(actor=secretary, compound=world.compound_a, location="1栋大堂", building=building)
    write(title="全小区通知")
    write(title="置顶通知", is_pinned=True, published_from=in_hours(-5))
    write(title="本栋通知", buildings=[building.pk])
    write(title="别栋通知", buildings=[other.pk])
    write(title="员工通知", staff_only=True)
    write(title="草稿通知", publish=False)
    gone = write(title="撤回通知")
    s.notice_withdraw(actor=secretary, notice=gone)
    NoticeFactory.create(compound=world.compound_b, title="B小区通知")
    page_url, content_url = _urls(screen)
    # when the TV opens the link (no log-in)
    page = client.get(page_url)
    # then the page is the screen (no secret in a Referer, not indexed), its content comes from the JSON
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    html = page.content.decode()
    assert content_url in html and "notices/lobby.js" in html and "<script>" not in html
    data = _content(client, screen)
    notices = [slide["title"] for slide in data["slides"] if slide["type"] == "notice"]
    assert notices == ["置顶通知", "本栋通知", "全小区通知"]
    assert data["compound"] == world.compound_a.name
    assert data["slides"][-1]["type"] == "figures"
    # and the screen is marked as seen
    screen.refresh_from_db()
    assert screen.last_seen_at is not None


def test_a_long_notice_is_shortened_for_the_screen(world, client, write):
    screen = LobbyScreenFactory.create(compound=world.compound_a)
    write(title="长通知", body="第一段" * 200 + "\n\n第二段")
    slide = _content(client, screen)["slides"][0]
    assert len("".join(slide["paragraphs"])) <= lobby.SCREEN_TEXT_MAX + 1
    assert slide["paragraphs"][-1].endswith("…")


def test_done_public_action_items_show_with_their_after_photo_through_the_token(world, client, media_root):
    # given a done public action item with an after-photo, a done private one, and an open one
    now = timezone.now()
    done = ActionItemFactory.create(
        compound=world.compound_a, title="大堂灯修好了", status=ActionStatus.DONE, progress=100, done_at=now
    )
    photo = photo_row(done, PhotoStage.AFTER)
    (media_root / photo.image.name).parent.mkdir(parents=True, exist_ok=True)
    (media_root / photo.image.name).write_bytes(image_bytes())
    private = ActionItemFactory.create(
        compound=world.compound_a, title="内部整改", status=ActionStatus.DONE, done_at=now, is_public=False
    )
    private_photo = photo_row(private, PhotoStage.AFTER)
    ActionItemFactory.create(compound=world.compound_a, title="还没修", status=ActionStatus.IN_PROGRESS)
    screen = LobbyScreenFactory.create(compound=world.compound_a)
    token = lobby.screen_token(screen)
    # when the screen reads its content
    slides = _content(client, screen)["slides"]
    actions = next(slide for slide in slides if slide["type"] == "actions")
    # then only the done public item shows, its photo linked through the token
    assert [item["title"] for item in actions["items"]] == ["大堂灯修好了"]
    url = actions["items"][0]["image"]
    assert url == reverse("notices:screen_image", args=[token, f"a{photo.pk}"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    # and the private item's photo is not served, however it is asked for
    assert client.get(reverse("notices:screen_image", args=[token, f"a{private_photo.pk}"])).status_code == 404
    assert client.get(reverse("notices:screen_image", args=[token, "x1"])).status_code == 404


def test_notice_pictures_are_served_through_the_token_only_while_the_notice_is_current(
    world, client, secretary, write, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = write(images=[upload(image_bytes(), name="poster.jpg")])
    image = NoticeImage.objects.get(notice=notice)
    screen = LobbyScreenFactory.create(compound=world.compound_a)
    slide = _content(client, screen)["slides"][0]
    assert slide["image"] == reverse("notices:screen_image", args=[lobby.screen_token(screen), f"n{image.pk}"])
    assert client.get(slide["image"]).status_code == 200
    # the same picture is not public media, and not for another compound's screen
    other = LobbyScreenFactory.create(compound=world.compound_b)
    assert (
        client.get(reverse("notices:screen_image", args=[lobby.screen_token(other), f"n{image.pk}"])).status_code == 404
    )
    # once withdrawn, the screen no longer serves it
    s.notice_withdraw(actor=secretary, notice=notice)
    assert client.get(slide["image"]).status_code == 404


def _forged(screen: LobbyScreen) -> str:
    token = lobby.screen_token(screen)
    value, signature = token.rsplit(":", 1)
    return f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


@pytest.mark.parametrize("how", ["forged", "other-nonce", "garbage", "revoked", "expired", "unknown"])
def test_a_forged_revoked_or_expired_link_shows_a_clear_error_and_nothing_else(world, client, write, how):
    # given a screen and a current notice
    write(title="机密以外的通知")
    screen = LobbyScreenFactory.create(compound=world.compound_a)
    token = lobby.screen_token(screen)
    needle = "not valid"
    if how == "forged":
        token = _forged(screen)
    elif how == "other-nonce":
        token = f"{screen.nonce}x:{token.rsplit(':', 1)[1]}"
    elif how == "garbage":
        token = "<script>alert(1)"
    elif how == "revoked":
        s.lobby_screen_revoke(actor=world.users["secretary"], screen=screen)
        needle = "revoked"
    elif how == "expired":
        LobbyScreen.objects.filter(pk=screen.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
        needle = "expired"
    elif how == "unknown":
        token = lobby.token_for("a-nonce-no-screen-has")
        needle = "revoked"
    before = notices_state()
    # when the page, the content and a picture are asked for
    page = client.get(reverse("notices:screen", args=[token]))
    content = client.get(reverse("notices:screen_content", args=[token]))
    picture = client.get(reverse("notices:screen_image", args=[token, "n1"]))
    # then each is refused with the reason, the notice is nowhere, and nothing changed
    assert page.status_code == content.status_code == picture.status_code == 403
    html = page.content.decode()
    assert needle in html and "机密以外的通知" not in html and "<script>alert" not in html
    assert needle in content.json()["message"]
    assert "机密以外的通知" not in content.content.decode()
    assert notices_state() == before


# --- Staff pages -------------------------------------------------------------------------------------------------


def test_the_secretary_adds_a_screen_sees_its_link_and_revokes_it_after_a_confirmation(world, client_for):
    client = client_for(world.users["secretary"])
    new = reverse("notices:screen_new") + f"?compound={world.compound_a.pk}"
    assert client.get(new).status_code == 200
    response = client.post(new, {"location": "3栋1单元大堂", "building": world.house_a.building_id})
    assert response.status_code == 302
    screen = LobbyScreen.objects.get()
    assert screen.building_id == world.house_a.building_id
    # the list shows the link, which opens the screen
    listing = client.get(reverse("notices:screens") + f"?compound={world.compound_a.pk}").content.decode()
    assert lobby.screen_path(screen) in listing
    # revoking asks first, then revokes; the link then shows the error and is no longer listed
    revoke = reverse("notices:screen_revoke", args=[screen.pk])
    assert "will show nothing from its next refresh" in client.get(revoke).content.decode()
    screen.refresh_from_db()
    assert screen.revoked_at is None
    client.post(revoke)
    screen.refresh_from_db()
    assert screen.revoked_at is not None
    assert client.get(lobby.screen_path(screen)).status_code == 403
    listing = client.get(reverse("notices:screens") + f"?compound={world.compound_a.pk}").content.decode()
    assert lobby.screen_path(screen) not in listing


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"location": ""}, ""),
        ({"location": "大堂" * 60}, ""),
        ({"location": "大堂", "expires_at": "2020-01-01T08:00"}, "The link must expire in the future."),
        ({"location": "大堂", "building": "999999"}, ""),
    ],
    ids=["missing", "oversized", "expired", "bad-building"],
)
def test_bad_screen_input_is_refused_and_nothing_changes(world, client_for, data, needle):
    client = client_for(world.users["secretary"])
    before = notices_state()
    response = client.post(reverse("notices:screen_new") + f"?compound={world.compound_a.pk}", data)
    assert response.status_code == 400
    if needle:
        assert needle in response.content.decode()
    assert notices_state() == before


def test_a_resident_may_not_add_or_revoke_screens(world, client_for):
    screen = LobbyScreenFactory.create(compound=world.compound_a)
    client = client_for(world.users["resident"])
    before = notices_state()
    assert client.post(reverse("notices:screen_new"), {"location": "大堂"}).status_code == 403
    assert client.post(reverse("notices:screen_revoke", args=[screen.pk])).status_code == 404
    assert client.get(reverse("notices:screens")).status_code == 403
    assert notices_state() == before


def test_revoking_twice_is_a_conflict(world, secretary):
    screen = LobbyScreenFactory.create(compound=world.compound_a)
    s.lobby_screen_revoke(actor=secretary, screen=screen)
    with pytest.raises(Conflict):
        s.lobby_screen_revoke(actor=secretary, screen=screen)


def test_a_screen_in_another_compounds_building_is_refused(world, secretary):
    with pytest.raises(DomainError) as refused:
        s.lobby_screen_create(
            actor=secretary, compound=world.compound_a, location="大堂", building=world.house_b.building
        )
    assert refused.value.field == "buildings"


# --- Queries -----------------------------------------------------------------------------------------------------


def _dataset(world: Any, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        notice = NoticeFactory.create(compound=world.compound_a, published_from=in_hours(-1 - i))
        NoticeImage.objects.create(
            community=notice.community, notice=notice, image=f"notices/{notice.pk}.jpg", created_at=now
        )
        NoticeBuildingFactory.create(
            notice=NoticeFactory.create(compound=world.compound_a), building=world.house_a.building
        )
        item = ActionItemFactory.create(compound=world.compound_a, status=ActionStatus.DONE, done_at=now)
        photo_row(item, PhotoStage.AFTER)


def test_the_screen_content_costs_the_same_queries_however_much_there_is(world, client):
    screen = LobbyScreenFactory.create(compound=world.compound_a, building=world.house_a.building)
    url = _urls(screen)[1]
    _dataset(world, 2)
    with CaptureQueriesContext(connection) as few:
        small = client.get(url).json()
    _dataset(world, 10)
    with CaptureQueriesContext(connection) as many:
        large = client.get(url).json()
    assert len(small["slides"]) < len(large["slides"])
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 10


def test_the_link_is_stored_only_as_a_hash(world, secretary, tmp_path: Path):
    screen = s.lobby_screen_create(actor=secretary, compound=world.compound_a, location="大堂")
    token = lobby.screen_token(screen)
    row = LobbyScreen.objects.filter(pk=screen.pk).values().get()
    assert token not in {str(v) for v in row.values()}
    assert row["token_hash"] == LobbyScreen.hash_token(token)


def test_upcoming_activities_of_the_compound_are_on_the_screen(world, client):
    activities = pytest.importorskip("gongzhi.testing.activities_factories")
    # given an upcoming activity of compound A and one of compound B
    activities.ActivityFactory.create(compound=world.compound_a, title="重阳敬老茶话会", place="社区活动室")
    activities.ActivityFactory.create(compound=world.compound_b, title="B小区活动")
    screen = LobbyScreenFactory.create(compound=world.compound_a)
    # when the screen reads its content, then compound A's activity is on the activities slide, with time and place
    slides = _content(client, screen)["slides"]
    slide = next(slide for slide in slides if slide["type"] == "activities")
    assert [item["title"] for item in slide["items"]] == ["重阳敬老茶话会"]
    assert slide["items"][0]["place"] == "社区活动室" and "月" in slide["items"][0]["when"]


def test_the_screen_speaks_the_sites_language_whatever_the_tv_browser_asks_for(world, client, secretary):
    # given a screen, opened by a TV whose browser asks for English
    screen = s.lobby_screen_create(actor=secretary, compound=world.compound_a, location="1栋大堂")
    page_url, content_url = _urls(screen)
    # when it loads the page and its content
    page = client.get(page_url, headers={"accept-language": "en"})
    content = client.get(content_url, headers={"accept-language": "en"})
    # then both are in the site's language (Chinese), which the page also tells its script
    assert page["Content-Language"] == content["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans"' in page.content.decode()
