from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from gongzhi.notifications import senders
from gongzhi.notifications.models import Notification
from gongzhi.notifications.selectors import notifications_for, unread_count
from gongzhi.notifications.services import notification_mark_read, notify
from gongzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

SENT: list[tuple[int, str]] = []


class RecordingSender:
    def send(self, user: Any, message: senders.Message) -> None:
        SENT.append((user.pk, message.dedup_key))


class BrokenSender:
    def send(self, user: Any, message: senders.Message) -> None:
        raise RuntimeError("gateway down")


@pytest.fixture(autouse=True)
def _clear() -> Any:
    SENT.clear()
    senders._load.cache_clear()
    yield
    senders._load.cache_clear()


def _send(users: list[Any], key: str = "k1") -> list[Notification]:
    return notify(recipients=users, verb="test", title="Hello", body="Body", link="/x/", dedup_key=key)


@override_settings(
    NOTIFICATION_SENDERS=[
        "gongzhi.notifications.tests.test_notify.BrokenSender",
        "gongzhi.notifications.tests.test_notify.RecordingSender",
    ]
)
def test_each_sent_once_even_if_called_twice(django_capture_on_commit_callbacks: Any) -> None:
    a, b = UserFactory.create(email="a@example.com"), UserFactory.create(email="b@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        assert len(_send([a, b])) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert _send([a, b, None]) == []
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]
    assert sorted(SENT) == sorted([(a.pk, "k1"), (b.pk, "k1")])  # a broken sender does not stop the next
    with django_capture_on_commit_callbacks(execute=True):
        assert len(_send([a], key="k2")) == 1
    assert len(mail.outbox) == 3


def test_nothing_leaves_before_the_commit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send([UserFactory.create(email="c@example.com")])
    assert mail.outbox == [] and len(callbacks) == 1


def test_default_sender_only_logs(caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any) -> None:
    user = UserFactory.create()
    assert isinstance(senders.senders()[0], senders.LogSender)
    assert isinstance(senders.senders()[0], senders.Sender)
    with caplog.at_level("INFO", logger="gongzhi.notifications"), django_capture_on_commit_callbacks(execute=True):
        _send([user])
    assert "notification test" in caplog.text
    assert user.phone not in caplog.text and "Body" not in caplog.text
    assert mail.outbox == []  # no e-mail address, no e-mail


def test_centre_shows_own_and_marks_read() -> None:
    a, b = UserFactory.create(), UserFactory.create()
    _send([a, b])
    _send([a], key="k2")
    assert unread_count(user=a) == 2
    assert notifications_for(user=b).count() == 1
    assert notification_mark_read(user=b, notification_ids=[n.pk for n in notifications_for(user=a)]) == 0
    assert notification_mark_read(user=a) == 2
    assert unread_count(user=a) == 0
