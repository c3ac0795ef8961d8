"""The notification centre: own notifications only, open marks read, mark all read, the badge in the navigation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.notifications.models import Notification
from gongzhi.notifications.services import notify
from gongzhi.testing.world import ALL_ROLES

pytestmark = pytest.mark.django_db


def _send(users: list[Any], key: str, *, title: str = "Hello", link: str = "/voices/") -> list[Notification]:
    return notify(recipients=users, verb="test", title=title, body="Body", link=link, dedup_key=key)


def _badge(html: str) -> str | None:
    found = re.search(r'<span class="count">([^<]+)<span class="sr-only">', html)
    return found.group(1) if found else None


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_has_a_centre_showing_only_their_own(world: Any, client_for: Any, role: str) -> None:
    # given one notification for every user of the world, each with its own title
    users = [u for u in world.users.values() if u is not None]
    for user in users:
        _send([user], key="hello", title=f"For {user.name}")
    user = world.users[role]
    client = client_for(user)
    # when the role opens the centre
    response = client.get(reverse("notifications:list"))
    # then they see theirs and nobody else's (anonymous: the log-in page)
    if user is None:
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        return
    html = response.content.decode()
    assert response.status_code == 200
    titles = set(re.findall(r'<strong class="notice-title">For ([^<]+)</strong>', html))
    assert titles == {user.name}


def test_opening_someone_elses_notification_is_404_and_leaves_it_unread(world: Any, client_for: Any) -> None:
    # given a notification of the secretary
    (theirs,) = _send([world.users["secretary"]], key="k")
    # when the resident tries to open it (and to mark everything read)
    client = client_for(world.users["resident"])
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    # then it is still unread
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_marks_read_and_follows_the_link(world: Any, client_for: Any) -> None:
    # given two unread notifications, one linking to a voice page
    user = world.users["resident"]
    (first,) = _send([user], key="a", link="/voices/7/")
    (second,) = _send([user], key="b")
    client = client_for(user)
    # when the user opens the first
    response = client.get(reverse("notifications:open", args=[first.pk]))
    # then they go to its link, it is read (audited), the other is not
    assert response.status_code == 302 and response["Location"] == "/voices/7/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert AuditEvent.objects.get(verb="notification.read").after == {"count": 1, "all": False}
    # opening it again still follows the link and audits nothing new
    assert client.get(reverse("notifications:open", args=[first.pk]))["Location"] == "/voices/7/"
    assert AuditEvent.objects.filter(verb="notification.read").count() == 1


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_a_link_off_the_site_is_never_followed(world: Any, client_for: Any, link: str) -> None:
    user = world.users["resident"]
    (notification,) = _send([user], key="x", link=link)
    response = client_for(user).get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")


def test_mark_all_read_only_by_post_and_only_mine(world: Any, client_for: Any) -> None:
    # given three unread notifications for the resident and one for the secretary
    resident, secretary = world.users["resident"], world.users["secretary"]
    for key in ("a", "b", "c"):
        _send([resident], key=key)
    _send([secretary], key="a")
    client = client_for(resident)
    # when the resident tries GET, then POSTs "mark all as read"
    assert client.get(reverse("notifications:read_all")).status_code == 405
    response = client.post(reverse("notifications:read_all"), follow=True)
    # then their three are read, the secretary's is not, and the page says how many
    assert "3 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=resident, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=secretary, read_at__isnull=True).count() == 1
    assert AuditEvent.objects.get(verb="notification.read").after == {"count": 3, "all": True}
    again = client.post(reverse("notifications:read_all"), follow=True)
    assert "There was nothing unread." in again.content.decode()


def test_badge_counts_unread_and_caps_at_99(world: Any, client_for: Any) -> None:
    # given a user with no notifications
    user = world.users["technician"]
    client = client_for(user)
    page = reverse("accounts:me")
    # then no badge
    assert _badge(client.get(page).content.decode()) is None
    # when two arrive, the badge says 2; when one is opened, 1
    first, _second = _send([user], key="1") + _send([user], key="2")
    assert _badge(client.get(page).content.decode()) == "2"
    client.get(reverse("notifications:open", args=[first.pk]))
    assert _badge(client.get(page).content.decode()) == "1"
    # when 120 more arrive, it shows 99+
    for n in range(120):
        _send([user], key=f"bulk{n}")
    assert _badge(client.get(page).content.decode()) == "99+"
    # and someone else's notifications never count
    assert _badge(client_for(world.users["finance"]).get(page).content.decode()) is None


def test_list_is_newest_first_paginated_with_an_unread_filter_and_empty_states(world: Any, client_for: Any) -> None:
    user = world.users["grid_worker"]
    client = client_for(user)
    url = reverse("notifications:list")
    # given no notifications: the empty state
    assert "No notifications yet." in client.get(url).content.decode()
    assert "Nothing unread." in client.get(url + "?show=unread").content.decode()
    # given 25, the first page shows the newest 20, the second the rest
    made = [_send([user], key=f"n{i}", title=f"N{i:02d}")[0] for i in range(25)]
    first = re.findall(r'notice-title">(N\d+)<', client.get(url).content.decode())
    second = re.findall(r'notice-title">(N\d+)<', client.get(url + "?page=2").content.decode())
    assert first == [f"N{i:02d}" for i in range(24, 4, -1)]
    assert second == [f"N{i:02d}" for i in range(4, -1, -1)]
    # the unread filter leaves out what was read
    client.get(reverse("notifications:open", args=[made[24].pk]))
    unread = re.findall(r'notice-title">(N\d+)<', client.get(url + "?show=unread").content.decode())
    assert "N24" not in unread and len(unread) == 20


def test_notifications_are_emailed_once_the_user_sets_an_address(
    world: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a resident without an e-mail address: notified, nothing is e-mailed
    user = world.users["resident"]
    with django_capture_on_commit_callbacks(execute=True):
        _send([user], key="before")
    assert mail.outbox == []
    # when they set their address on "my account"
    client_for(user).post(reverse("accounts:me"), {"name": user.name, "email": "zhang@example.com"})
    user.refresh_from_db()
    # then the next notification is e-mailed there, once
    with django_capture_on_commit_callbacks(execute=True):
        _send([user], key="after", title="Your voice is accepted")
        _send([user], key="after", title="Your voice is accepted")
    assert [(m.to, m.subject) for m in mail.outbox] == [(["zhang@example.com"], "Your voice is accepted")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ["gongzhi.notifications.senders.LogSender"]),
        ("a.B, c.D ,", ["a.B", "c.D"]),
        ("", []),
    ],
)
def test_senders_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: list[str]
) -> None:
    import importlib

    import config.settings.base as base

    if value is None:
        monkeypatch.delenv("NOTIFICATION_SENDERS", raising=False)
    else:
        monkeypatch.setenv("NOTIFICATION_SENDERS", value)
    try:
        assert expected == importlib.reload(base).NOTIFICATION_SENDERS
    finally:
        monkeypatch.undo()
        importlib.reload(base)
