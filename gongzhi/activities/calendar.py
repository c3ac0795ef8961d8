"""The activities calendar as ``.ics`` (icalendar): one activity's file and a person's signed feed.

A feed lists the activities the person sees (their compounds', meant for them; every one of their compounds
for staff) from 90 days ago on, at most ``FEED_MAX``. The UID depends only on the activity's id; SEQUENCE rises
when the time, place or status changes; a cancelled activity carries STATUS:CANCELLED. Times are written in
Asia/Shanghai. The feed URL carries a signed token (the user's id and a key derived from their password hash):
changing the password or deactivating the account retires every URL given out before.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.errors import NotFound

from .models import Activity, ActivityStatus
from .selectors import activities_visible

TZ = ZoneInfo("Asia/Shanghai")
FEED_SALT = "gongzhi.activities.calendar-feed"
FEED_PAST = datetime.timedelta(days=90)
FEED_MAX = 500


def _event(activity: Activity, *, base_url: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"activity-{activity.pk}@gongzhi")
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", activity.starts_at.astimezone(TZ))
    event.add("dtend", activity.ends_at.astimezone(TZ))
    event.add("summary", activity.title)
    event.add("location", activity.place)
    description = activity.description
    organizers = "、".join(activity.organizers)
    if organizers:
        description = f"{organizers}\n{description}".strip()
    event.add("description", description)
    event.add("categories", [activity.get_category_display()])
    event.add("sequence", activity.sequence)
    event.add("status", "CANCELLED" if activity.status == ActivityStatus.CANCELLED else "CONFIRMED")
    if base_url:
        event.add("url", f"{base_url}/activities/{activity.pk}/")
    return event


def ics_for(activities: Iterable[Activity], *, name: str, base_url: str = "") -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Gongzhi//Activities//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for activity in activities:
        cal.add_component(_event(activity, base_url=base_url))
    return cal.to_ical()


def activity_ics(*, user: Any, pk: int, base_url: str = "") -> bytes:
    activity = activities_visible(user).filter(pk=pk).first()
    if activity is None:
        raise NotFound(_("No such activity."))
    return ics_for([activity], name=activity.title, base_url=base_url)


def feed_ics(*, user: User, now: datetime.datetime | None = None, base_url: str = "") -> bytes:
    since = (now or timezone.now()) - FEED_PAST
    rows = list(
        activities_visible(user)
        .exclude(status=ActivityStatus.DRAFT)
        .filter(ends_at__gte=since)
        .order_by("starts_at", "id")[:FEED_MAX]
    )
    return ics_for(rows, name=str(_("Activities")), base_url=base_url)


def _feed_key(user: User) -> str:
    return salted_hmac(FEED_SALT, f"{user.pk}:{user.password}:{user.is_active}").hexdigest()[:20]


def feed_token(user: User) -> str:
    return signing.Signer(salt=FEED_SALT).sign_object({"u": user.pk, "k": _feed_key(user)})


def feed_user(token: str) -> User:
    """The user whose feed a token opens; NotFound for a forged, damaged or retired token."""
    try:
        payload = signing.Signer(salt=FEED_SALT).unsign_object(str(token or ""))
        user = User.objects.filter(pk=int(payload["u"]), is_active=True).first()
        key = str(payload["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        user, key = None, ""
    if user is None or not constant_time_compare(key, _feed_key(user)):
        raise NotFound(_("No such calendar."))
    return user
