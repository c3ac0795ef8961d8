"""Every role in the world × every notices page: who gets the page (200 / 302 after a POST), who is refused
(403: they see the thing but may not do this), who is told it does not exist (404), and the anonymous visitor
sent to log in."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.notices.models import NoticeImage
from gongzhi.testing.notices_factories import LobbyScreenFactory
from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices.tests.photo_files import image_bytes, upload

from .test_authorization_matrix import AUTHORS, COMMUNITY_AUTHORS, VIEWERS

pytestmark = pytest.mark.django_db

LOGGED_IN = set(ALL_ROLES) - {"anonymous"}
EVERYONE_ELSE: set[str] = set()


def _expected(role: str, ok: set[str], forbidden: set[str], *, status: int = 200) -> int:
    if role == "anonymous":
        return 302
    if role in ok:
        return status
    if role in forbidden:
        return 403
    return 404


@pytest.fixture
def pages(world: Any, write: Any, django_capture_on_commit_callbacks: Any) -> dict[str, tuple[str, set[str], set[str]]]:
    a = world.compound_a.pk
    with django_capture_on_commit_callbacks(execute=True):
        published = write(images=[upload(image_bytes(), name="p.jpg")])
    draft = write(publish=False)
    image = NoticeImage.objects.get(notice=published)
    screen = LobbyScreenFactory.create(compound=world.compound_a)
    return {
        "resident list": (reverse("notices:list") + "?mine=1", LOGGED_IN, EVERYONE_ELSE),
        "resident notice": (reverse("notices:detail", args=[published.pk]), {"resident"}, EVERYONE_ELSE),
        "picture": (reverse("notices:image", args=[published.pk, image.pk]), VIEWERS | {"resident"}, EVERYONE_ELSE),
        "staff list": (reverse("notices:manage"), VIEWERS, LOGGED_IN - VIEWERS),
        "staff notice": (reverse("notices:manage_detail", args=[published.pk]), VIEWERS, EVERYONE_ELSE),
        "staff draft": (reverse("notices:manage_detail", args=[draft.pk]), AUTHORS, EVERYONE_ELSE),
        "new": (reverse("notices:new") + f"?compound={a}", AUTHORS, LOGGED_IN - AUTHORS),
        "edit": (reverse("notices:edit", args=[published.pk]), COMMUNITY_AUTHORS, VIEWERS - COMMUNITY_AUTHORS),
        "withdraw": (reverse("notices:withdraw", args=[published.pk]), COMMUNITY_AUTHORS, VIEWERS - COMMUNITY_AUTHORS),
        "screens": (reverse("notices:screens") + f"?compound={a}", AUTHORS, LOGGED_IN - AUTHORS),
        "screen new": (reverse("notices:screen_new") + f"?compound={a}", AUTHORS, LOGGED_IN - AUTHORS),
        "screen revoke": (reverse("notices:screen_revoke", args=[screen.pk]), AUTHORS, EVERYONE_ELSE),
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_page_for_every_role(world: Any, client_for: Any, pages: Any, role: str) -> None:
    client = client_for(world.users[role])
    got = {name: client.get(url).status_code for name, (url, _ok, _no) in pages.items()}
    wanted = {name: _expected(role, ok, no) for name, (_url, ok, no) in pages.items()}
    assert got == wanted


@pytest.mark.parametrize("role", ALL_ROLES)
def test_publishing_and_withdrawing_for_every_role(world: Any, client_for: Any, write: Any, role: str) -> None:
    # given a draft and a published notice of the community office
    draft = write(publish=False)
    published = write()
    client = client_for(world.users[role])
    # when the role posts "publish" and "withdraw"
    publish = client.post(reverse("notices:publish", args=[draft.pk])).status_code
    withdraw = client.post(reverse("notices:withdraw", args=[published.pk]), {"reason": ""}).status_code
    # then community authors succeed; property authors see the draft but may not publish it; staff who see the
    # published notice may not withdraw it; everyone else is told there is no such notice
    assert publish == _expected(role, COMMUNITY_AUTHORS, AUTHORS - COMMUNITY_AUTHORS, status=302)
    assert withdraw == _expected(role, COMMUNITY_AUTHORS, VIEWERS - COMMUNITY_AUTHORS, status=302)
