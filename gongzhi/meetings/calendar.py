"""Calendar files (RFC 5545): one meeting's ``.ics`` and a person's calendar feed, written here by hand.

Times are local to Asia/Shanghai (``DTSTART;TZID=Asia/Shanghai``, with the VTIMEZONE: China keeps +08:00 all
year); ``DTSTAMP``, ``CREATED`` and ``LAST-MODIFIED`` are UTC. A meeting's UID depends only on its id, so a
calendar that imports it again updates the same event; ``SEQUENCE`` rises whenever the time, place or status
changes, and a cancelled meeting is sent with ``STATUS:CANCELLED`` so calendars remove it. Text values are
escaped (backslash, semicolon, comma, newline) and every line is folded at 75 octets without splitting a UTF-8
character; lines end in CRLF.

The feed URL carries a signed token (``django.core.signing``): the user's id and a key derived from their
password hash, so changing the password (or deactivating the account) retires every feed URL given out before.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.errors import NotFound

from .models import AgendaItem, Meeting, MeetingInvitation, MeetingKind, MeetingStatus
from .rules import invitee_q
from .selectors import meeting_get

TZID = "Asia/Shanghai"
PRODID = "-//Gongzhi//Joint meetings//ZH"
FEED_SALT = "gongzhi.meetings.calendar-feed"
FEED_PAST = datetime.timedelta(days=90)
FEED_MAX = 500
LINE_OCTETS = 75
CRLF = "\r\n"
VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def ics_escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped; any line break becomes ``\\n``."""
    text = str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """One content line folded (RFC 5545 §3.1): at most 75 octets a physical line, continuations begin with a
    space, never inside a UTF-8 character."""
    chunks: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            chunks.append(current)
            current, size, limit = "", 0, LINE_OCTETS - 1  # the leading space takes one octet
        current += ch
        size += n
    chunks.append(current)
    return (CRLF + " ").join(chunks)


def _local(at: datetime.datetime) -> str:
    return at.astimezone(ZoneInfo(TZID)).strftime("%Y%m%dT%H%M%S")


def _utc(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def uid_of(meeting: Meeting) -> str:
    domain = getattr(settings, "MEETINGS_ICS_UID_DOMAIN", "gongzhi.meetings")
    return f"meeting-{meeting.pk}@{domain}"


def _status(meeting: Meeting) -> str:
    if meeting.status == MeetingStatus.CANCELLED:
        return "CANCELLED"
    if meeting.status == MeetingStatus.DRAFT:
        return "TENTATIVE"
    return "CONFIRMED"


def _description(meeting: Meeting, agenda: Sequence[str]) -> str:
    parts = [str(MeetingKind(meeting.kind).label)]
    if meeting.description:
        parts.append(meeting.description)
    if agenda:
        parts.append(_("Agenda:") + "\n" + "\n".join(f"{n}. {title}" for n, title in enumerate(agenda, start=1)))
    if meeting.online_url:
        parts.append(_("Online: %(url)s") % {"url": meeting.online_url})
    if meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason:
        parts.append(_("Cancelled: %(reason)s") % {"reason": meeting.cancel_reason})
    return "\n\n".join(parts)


def vevent_lines(meeting: Meeting, agenda: Sequence[str] = ()) -> list[str]:
    """The VEVENT of one meeting, unfolded content lines."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid_of(meeting)}",
        f"DTSTAMP:{_utc(meeting.updated_at)}",
        f"CREATED:{_utc(meeting.created_at)}",
        f"LAST-MODIFIED:{_utc(meeting.updated_at)}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTART;TZID={TZID}:{_local(meeting.starts_at)}",
        f"DTEND;TZID={TZID}:{_local(meeting.ends_at)}",
        f"SUMMARY:{ics_escape(meeting.title)}",
        f"DESCRIPTION:{ics_escape(_description(meeting, agenda))}",
        f"CATEGORIES:{ics_escape(str(MeetingKind(meeting.kind).label))}",
        f"STATUS:{_status(meeting)}",
        f"CLASS:{'PRIVATE' if meeting.is_private else 'PUBLIC'}",
        "TRANSP:OPAQUE",
    ]
    location = meeting.place or meeting.online_url
    if location:
        lines.append(f"LOCATION:{ics_escape(location)}")
    if meeting.online_url:
        lines.append(f"URL:{meeting.online_url}")  # a URI value: not TEXT-escaped (checked http(s) on input)
    lines.append("END:VEVENT")
    return lines


def vcalendar(events: Iterable[list[str]], *, name: str = "") -> str:
    """A whole calendar: header, the time zone, the events; folded, CRLF line ends."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        lines.append(f"X-WR-CALNAME:{ics_escape(name)}")
    lines.append(f"X-WR-TIMEZONE:{TZID}")
    lines.extend(VTIMEZONE)
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + CRLF for line in lines)


def _agenda_titles(meeting: Meeting) -> list[str]:
    return list(
        AgendaItem.objects.filter(community_id=meeting.community_id, meeting=meeting)
        .order_by("position")
        .values_list("title", flat=True)
    )


def meeting_ics(meeting: Meeting) -> str:
    """The ``.ics`` of one meeting (for someone already allowed to see it)."""
    return vcalendar([vevent_lines(meeting, _agenda_titles(meeting))])


def meeting_ics_for(*, user: Any, pk: int) -> str:
    """The ``.ics`` of a meeting the user may see; NotFound otherwise."""
    return meeting_ics(meeting_get(user=user, pk=pk))


def feed_meetings(*, user: Any, now: datetime.datetime | None = None) -> list[Meeting]:
    """The meetings of a person's feed: published (or held, closed, cancelled) ones they are invited to or
    convene, from 90 days ago on, soonest first, with their agenda (two queries)."""
    if not getattr(user, "is_authenticated", False):
        return []
    at = now or timezone.now()
    invited = MeetingInvitation.objects.filter(invitee_q(user)).values("meeting_id")
    return list(
        Meeting.objects.filter(Q(pk__in=invited) | Q(convener=user), starts_at__gte=at - FEED_PAST)
        .exclude(status=MeetingStatus.DRAFT)
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position")))
        .order_by("starts_at", "pk")[:FEED_MAX]
    )


def calendar_feed(*, user: Any, now: datetime.datetime | None = None) -> str:
    """A person's calendar feed: every meeting they are invited to or convene (``feed_meetings``)."""
    meetings = feed_meetings(user=user, now=now)
    return vcalendar(
        (vevent_lines(m, [item.title for item in m.agenda_items.all()]) for m in meetings),
        name=_("Gongzhi meetings"),
    )


def _feed_key(user: User) -> str:
    return salted_hmac(FEED_SALT, f"{user.pk}:{user.password}:{user.is_active}").hexdigest()[:20]


def calendar_feed_token(user: User) -> str:
    """The signed token of a user's feed URL."""
    return signing.Signer(salt=FEED_SALT).sign_object({"u": user.pk, "k": _feed_key(user)})


def calendar_feed_user(token: str) -> User:
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


def calendar_feed_path(user: User) -> str:
    """Where a user's feed is served (the page layer mounts ``/meetings/calendar/<token>.ics``)."""
    return f"/meetings/calendar/{calendar_feed_token(user)}.ics"
