"""Authorization matrix of the meeting pages: every role of the world × every page and every form.

Conveners (secretary, community staff, the superuser) open every page of compound A's meetings and use every
form; the compound's other staff read a public meeting and its .ics; invitees (A's property company and
residents' representatives) answer; the compound's staff and residents sign in to a public meeting; residents
and staff read the residents' summary. A meeting one may not see is a 404 (it is not shown to exist), a page one
may see but not use is a 403, the anonymous visitor gets the log-in page; a refused form changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind
from gongzhi.meetings import selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import Meeting, MeetingKind
from gongzhi.testing.world import ALL_ROLES

from .helpers import meetings_state

pytestmark = pytest.mark.django_db

CONVENERS = {"secretary", "community_staff", "superuser"}
COMMUNITY_SIDE = CONVENERS | {"grid_worker"}
PROPERTY = {"property_manager", "customer_service", "technician", "finance"}
SUPERVISORS = {"sub_district_supervisor", "district_supervisor"}
COMPOUND_STAFF = COMMUNITY_SIDE | PROPERTY | SUPERVISORS | {"representative"}
LOGGED_IN = set(ALL_ROLES) - {"anonymous"}


def _soon(convene: Callable[..., Meeting], **kw: Any) -> Meeting:
    """A published public meeting starting in half an hour (sign-in is open)."""
    now = timezone.now()
    return convene(starts_at=now + datetime.timedelta(minutes=30), ends_at=now + datetime.timedelta(hours=2), **kw)


def _closed(world: Any, secretary: Any, convene: Callable[..., Meeting]) -> Meeting:
    """A closed public meeting whose minutes are published."""
    meeting = _soon(convene, title="已结束的会议")
    s.meeting_hold(actor=secretary, meeting=meeting)
    item = selectors.meeting_agenda(user=secretary, meeting=meeting)[0]
    s.minutes_record(actor=secretary, meeting=meeting, item=item, text="物业承诺两周内修好大堂电动门。")
    s.meeting_close(actor=secretary, meeting=meeting)
    draft = selectors.minutes_versions(user=secretary, meeting=meeting)[0]
    s.minutes_publish(actor=secretary, minutes=draft)
    meeting.refresh_from_db()
    return meeting


def _private(world: Any, secretary: Any) -> Meeting:
    """A published private owners' meeting inviting only A's residents' representatives."""
    now = timezone.now()
    meeting = s.meeting_create(
        actor=secretary,
        compound=world.compound_a,
        kind=MeetingKind.OWNERS,
        title="业主代表内部沟通",
        starts_at=now + datetime.timedelta(days=3),
        ends_at=now + datetime.timedelta(days=3, hours=1),
        place="居委会",
        is_private=True,
    )
    s.meeting_invite(actor=secretary, meeting=meeting, organizations=[world.orgs[OrgKind.RESIDENTS]])
    s.agenda_item_add(actor=secretary, meeting=meeting, title="维修基金")
    s.meeting_publish(actor=secretary, meeting=meeting)
    return meeting


def _expected(role: str, allowed: set[str], visible: set[str], ok: int = 200) -> int:
    if role == "anonymous":
        return 302
    if role in allowed:
        return ok
    return 403 if role in visible else 404


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_reaches_exactly_its_meeting_pages(world, client_for, secretary, convene, role):
    # given a public published meeting, a draft, a private meeting and a closed one with published minutes
    public = _soon(convene)
    draft = convene(publish=False, title="草稿会议")
    private = _private(world, secretary)
    closed = _closed(world, secretary, convene)
    client = client_for(world.users[role])
    pages: dict[str, tuple[str, set[str], set[str]]] = {
        "list": (reverse("meetings:list"), LOGGED_IN, LOGGED_IN),
        "new": (reverse("meetings:new"), CONVENERS, LOGGED_IN),
        "public": (reverse("meetings:detail", args=[public.pk]), COMPOUND_STAFF, COMPOUND_STAFF),
        "public ics": (reverse("meetings:ics", args=[public.pk]), COMPOUND_STAFF, COMPOUND_STAFF),
        "draft": (reverse("meetings:detail", args=[draft.pk]), COMMUNITY_SIDE, COMMUNITY_SIDE),
        "private": (
            reverse("meetings:detail", args=[private.pk]),
            COMMUNITY_SIDE | SUPERVISORS | {"representative"},
            COMMUNITY_SIDE | SUPERVISORS | {"representative"},
        ),
        "edit": (reverse("meetings:edit", args=[public.pk]), CONVENERS, COMPOUND_STAFF),
        "agenda": (reverse("meetings:agenda", args=[public.pk]), CONVENERS, COMPOUND_STAFF),
        "sign-in screen": (reverse("meetings:sign_in", args=[public.pk]), CONVENERS, COMPOUND_STAFF),
        "minutes": (reverse("meetings:minutes", args=[closed.pk]), CONVENERS, COMPOUND_STAFF),
        "summary": (reverse("meetings:summary", args=[closed.pk]), COMPOUND_STAFF | {"resident"}, set()),
        # the phone page only shows a button; anyone logged in may open it
        "scan": (reverse("meetings:scan", args=[public.pk]) + "?t=x", LOGGED_IN, LOGGED_IN),
    }
    # when the role opens every page
    got = {name: client.get(url).status_code for name, (url, _a, _v) in pages.items()}
    # then it gets exactly the pages its role allows
    expected = {name: _expected(role, allowed, visible) for name, (_u, allowed, visible) in pages.items()}
    assert got == expected


def _post_actions(world: Any, secretary: Any, convene: Callable[..., Meeting]) -> dict[str, Any]:
    public = _soon(convene)
    draft = convene(publish=False, title="草稿会议")
    token = selectors.meeting_sign_in_code(user=secretary, meeting=public)
    held = _soon(convene, title="进行中的会议")
    s.meeting_hold(actor=secretary, meeting=held)
    item = selectors.meeting_agenda(user=secretary, meeting=held)[0]
    return {
        "publish": (reverse("meetings:publish", args=[draft.pk]), {}, CONVENERS, COMMUNITY_SIDE),
        "edit": (
            reverse("meetings:edit", args=[draft.pk]),
            {
                "kind": "joint",
                "title": "改过的标题",
                "starts_at": timezone.localtime(draft.starts_at).strftime("%Y-%m-%dT%H:%M"),
                "ends_at": timezone.localtime(draft.ends_at).strftime("%Y-%m-%dT%H:%M"),
                "place": "社区党群服务中心",
            },
            CONVENERS,
            COMMUNITY_SIDE,
        ),
        "invite": (
            reverse("meetings:invite", args=[draft.pk]),
            {"organizations": [world.orgs[OrgKind.COMMUNITY].pk]},
            CONVENERS,
            COMMUNITY_SIDE,
        ),
        "agenda_free": (
            reverse("meetings:agenda_free", args=[draft.pk]),
            {"title": "垃圾分类"},
            CONVENERS,
            COMMUNITY_SIDE,
        ),
        "cancel": (reverse("meetings:cancel", args=[public.pk]), {"reason": "台风"}, CONVENERS, COMPOUND_STAFF),
        "rsvp": (
            reverse("meetings:rsvp", args=[public.pk]),
            {"answer": "yes"},
            PROPERTY | {"representative"},
            COMPOUND_STAFF,
        ),
        "sign in by QR": (
            reverse("meetings:scan", args=[public.pk]),
            {"t": token},
            COMPOUND_STAFF | {"resident"},
            LOGGED_IN,
        ),
        "rotate": (reverse("meetings:sign_in_rotate", args=[public.pk]), {}, CONVENERS, COMPOUND_STAFF),
        "mark": (
            reverse("meetings:attendance_mark", args=[public.pk]),
            {"name": "王师傅", "party": "other"},
            CONVENERS,
            COMPOUND_STAFF,
        ),
        "minutes": (
            reverse("meetings:minutes_record", args=[held.pk, item.pk]),
            {"text": "讨论了门禁。"},
            CONVENERS,
            COMPOUND_STAFF,
        ),
        "decision": (
            reverse("meetings:decision_add", args=[held.pk, item.pk]),
            {"text": "物业负责维修。"},
            CONVENERS,
            COMPOUND_STAFF,
        ),
    }


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(
    "action",
    [
        "publish",
        "edit",
        "invite",
        "agenda_free",
        "cancel",
        "rsvp",
        "sign in by QR",
        "rotate",
        "mark",
        "minutes",
        "decision",
    ],
)
def test_each_role_may_use_exactly_its_meeting_forms(world, client_for, secretary, convene, role, action):
    # given compound A's meetings: a draft, a published one starting soon, one being held
    url, data, allowed, visible = _post_actions(world, secretary, convene)[action]
    client = client_for(world.users[role])
    before = meetings_state()
    # when the role posts the form
    response = client.post(url, data)
    # then those allowed succeed and are redirected; everyone else is refused (403 / 404 / the log-in page) and
    # nothing changed
    assert response.status_code == _expected(role, allowed, visible, ok=302), response.content.decode()[:1500]
    if role in allowed:
        assert "/accounts/login/" not in response["Location"]
        assert meetings_state() != before
    else:
        assert meetings_state() == before


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != "anonymous"])
def test_the_meetings_link_shows_to_staff_and_residents(world, client_for, role):
    # given the role on a page with the navigation
    page = client_for(world.users[role]).get(reverse("meetings:list")).content.decode()
    # then staff of any organization and residents of a compound see the link; applicants and strangers do not
    shown = f'href="{reverse("meetings:list")}"' in page
    assert shown == (role not in {"applicant", "stranger"})


def test_the_calendar_feed_opens_with_its_token_only(world, client, secretary, convene):
    # given a published meeting the representative is invited to (through their organization)
    meeting = convene()
    from gongzhi.meetings.calendar import calendar_feed_path

    path = calendar_feed_path(world.users["representative"])
    # when a calendar app fetches the feed without a session, then with a damaged token
    good = client.get(path)
    bad = client.get(path.replace(".ics", "x.ics"))
    # then the feed lists the meeting; the damaged token is a 404
    assert good.status_code == 200
    assert good["Content-Type"].startswith("text/calendar")
    assert meeting.title in good.content.decode()
    assert bad.status_code == 404
