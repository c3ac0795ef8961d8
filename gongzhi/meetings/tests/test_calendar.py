"""The .ics of a meeting and a person's calendar feed: RFC 5545 as icalendar reads it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import signing

from gongzhi.accounts.roles import OrgKind
from gongzhi.core.errors import NotFound
from gongzhi.meetings import services as s
from gongzhi.meetings.calendar import (
    calendar_feed,
    calendar_feed_path,
    calendar_feed_token,
    calendar_feed_user,
    feed_meetings,
    ics_escape,
    ics_fold,
    meeting_ics,
    meeting_ics_for,
    uid_of,
)
from gongzhi.meetings.models import Meeting

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _events(text: str) -> list[Any]:
    return list(icalendar.Calendar.from_ical(text).walk("VEVENT"))


def test_a_meetings_ics_parses_with_its_time_in_shanghai_and_its_text_intact(
    world: Any, convene: Callable[..., Meeting], secretary: Any
) -> None:
    # given a meeting whose title and place hold the characters iCalendar escapes, and a long agenda
    meeting = convene(
        title="三方联席会议; 大堂门禁, 照明\\石材",
        place="社区党群服务中心,二楼;会议室",
        online_url="https://meeting.tencent.com/dm/abc?x=1,2",
        description="第一行\n第二行",
    )
    s.agenda_item_add(actor=secretary, meeting=meeting, title="很长的议题" * 20)
    text = meeting_ics(meeting)
    # then icalendar reads one event back with the same values
    (event,) = _events(text)
    assert str(event["SUMMARY"]) == "三方联席会议; 大堂门禁, 照明\\石材"
    assert str(event["LOCATION"]) == "社区党群服务中心,二楼;会议室"
    assert str(event["URL"]) == "https://meeting.tencent.com/dm/abc?x=1,2"
    description = str(event["DESCRIPTION"])
    assert "第一行\n第二行" in description and "2. " + "很长的议题" * 20 in description
    start = event.decoded("DTSTART")
    assert start == meeting.starts_at and start.utcoffset() == datetime.timedelta(hours=8)
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event.decoded("DTEND") == meeting.ends_at
    assert str(event["UID"]) == uid_of(meeting) and str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 0
    # and the file is well formed: CRLF line ends, no physical line over 75 octets, one VTIMEZONE
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    timezones = list(icalendar.Calendar.from_ical(text).walk("VTIMEZONE"))
    assert [str(tz["TZID"]) for tz in timezones] == ["Asia/Shanghai"]


def test_the_uid_is_stable_and_a_change_raises_the_sequence(
    world: Any, convene: Callable[..., Meeting], secretary: Any
) -> None:
    meeting = convene()
    (first,) = _events(meeting_ics(meeting))
    moved = s.meeting_update(
        actor=secretary,
        meeting=meeting,
        kind=meeting.kind,
        title=meeting.title,
        starts_at=meeting.starts_at + datetime.timedelta(days=1),
        ends_at=meeting.ends_at + datetime.timedelta(days=1),
        place=meeting.place,
    )
    (second,) = _events(meeting_ics(moved))
    assert str(first["UID"]) == str(second["UID"]) == f"meeting-{meeting.pk}@gongzhi.meetings"
    assert (int(first["SEQUENCE"]), int(second["SEQUENCE"])) == (0, 1)
    cancelled = s.meeting_cancel(actor=secretary, meeting=moved, reason="台风")
    (third,) = _events(meeting_ics(cancelled))
    assert str(third["STATUS"]) == "CANCELLED" and int(third["SEQUENCE"]) == 2


def test_folding_never_splits_a_chinese_character() -> None:
    line = "DESCRIPTION:" + "联席会议" * 40
    folded = ics_fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line  # unfolding gives the line back
    assert ics_escape("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_the_ics_of_a_private_meeting_is_only_for_those_who_see_it(world: Any, convene: Callable[..., Meeting]) -> None:
    meeting = convene(private=True)
    assert _events(meeting_ics_for(user=world.users["representative"], pk=meeting.pk))
    with pytest.raises(NotFound):
        meeting_ics_for(user=world.users["liaison"], pk=meeting.pk)


def test_a_personal_feed_holds_every_meeting_the_person_is_invited_to_or_convenes(
    world: Any, convene: Callable[..., Meeting], secretary: Any
) -> None:
    # given meetings inviting the property company, one not inviting it, a draft and a cancelled one
    invited = convene(title="联席会议一")
    private = convene(title="联席会议二", private=True)
    other = s.meeting_create(
        actor=secretary,
        compound=world.compound_a,
        kind="owners",
        title="业主见面会",
        starts_at=invited.starts_at,
        ends_at=invited.ends_at,
        place="广场",
    )
    s.meeting_invite(actor=secretary, meeting=other, organizations=[world.orgs[OrgKind.RESIDENTS]])
    s.agenda_item_add(actor=secretary, meeting=other, title="物业费")
    s.meeting_publish(actor=secretary, meeting=other)
    convene(title="草稿", publish=False)
    gone = s.meeting_cancel(actor=secretary, meeting=convene(title="取消的会"), reason="改期")
    # then the technician's feed has the meetings their company is invited to, cancelled one marked so
    feed = calendar_feed(user=world.users["technician"])
    events = {str(e["SUMMARY"]): str(e["STATUS"]) for e in _events(feed)}
    assert events == {"联席会议一": "CONFIRMED", "联席会议二": "CONFIRMED", "取消的会": "CANCELLED"}
    # the secretary's holds every published meeting they convened; a stranger's is empty
    assert {m.pk for m in feed_meetings(user=secretary)} == {invited.pk, private.pk, other.pk, gone.pk}
    assert _events(calendar_feed(user=world.users["stranger"])) == []


def test_the_feed_url_is_signed_and_retired_by_a_new_password(world: Any) -> None:
    user = world.users["representative"]
    token = calendar_feed_token(user)
    assert calendar_feed_user(token) == user
    assert calendar_feed_path(user) == f"/meetings/calendar/{token}.ics"
    # forged tokens open nothing
    for forged in (token[:-1] + ("x" if token[-1] != "x" else "y"), "", "abc", signing.Signer().sign_object({"u": 1})):
        with pytest.raises(NotFound):
            calendar_feed_user(forged)
    # a new password retires the old URL
    user.set_password("another-password-123")
    user.save()
    with pytest.raises(NotFound):
        calendar_feed_user(token)
    assert calendar_feed_user(calendar_feed_token(user)) == user
