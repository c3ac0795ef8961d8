"""One interface for outside channels (SMS, WeChat): ``Sender.send(user, message)``.

The senders in use are named by dotted path in ``settings.NOTIFICATION_SENDERS``; the default only logs
(no phone number or message text goes to the log: DESIGN rule 7).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("gongzhi.notifications")

DEFAULT_SENDERS = ["gongzhi.notifications.senders.LogSender"]


@dataclass(frozen=True)
class Message:
    verb: str
    title: str
    body: str
    link: str
    dedup_key: str


@runtime_checkable
class Sender(Protocol):
    """Delivers a message to a user through one channel. Must not raise for a user it cannot reach."""

    def send(self, user: Any, message: Message) -> None: ...


class LogSender:
    """The default: records that a message would have been sent, without personal data."""

    def send(self, user: Any, message: Message) -> None:
        logger.info("notification %s for user %s (%s)", message.verb, getattr(user, "pk", None), message.dedup_key)


@cache
def _load(paths: tuple[str, ...]) -> tuple[Sender, ...]:
    return tuple(import_string(path)() for path in paths)


def senders() -> tuple[Sender, ...]:
    return _load(tuple(getattr(settings, "NOTIFICATION_SENDERS", DEFAULT_SENDERS)))
