"""Every role in the world × every meeting and action-item action and read.

Community staff (secretary, community staff) convene and manage; grid workers see their community's meetings;
invitees (here A's property company and residents' representatives) answer and sign in; a public meeting is
seen by every staff member of the compound, a private one only by the community's staff, supervisors and its
invitees; the property company updates the items it is responsible for; residents read the public summary of
minutes and the public 整改清单 and rate items that answer their voices; outside organizations see only what
they are invited to or responsible for; applicants, strangers and the anonymous visitor nothing.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind
from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.meetings import calendar, selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import ActionItem, ActionStatus, Meeting, MeetingKind, Minutes, Party, Rsvp
from gongzhi.meetings.services import BulkRefused, BulkRow
from gongzhi.testing.voices_factories import VoiceFactory
from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices.models import Score

from .conftest import in_days

pytestmark = pytest.mark.django_db

CONVENERS = {"secretary", "community_staff", "superuser"}
COMMUNITY_SIDE = CONVENERS | {"grid_worker"}
PROPERTY = {"property_manager", "customer_service", "technician", "finance"}
SUPERVISORS = {"sub_district_supervisor", "district_supervisor"}
COMPOUND_STAFF = COMMUNITY_SIDE | PROPERTY | SUPERVISORS | {"representative"}

EXPECTED: dict[str, set[str]] = {
    # convening
    "meeting_create": CONVENERS,
    "meeting_update": CONVENERS,
    "meeting_invite": CONVENERS,
    "meeting_publish": CONVENERS,
    "meeting_hold": CONVENERS,
    "meeting_cancel": CONVENERS,
    "agenda_item_add": CONVENERS,
    "attachment_add": CONVENERS,
    "sign_in_rotate": CONVENERS,
    "attendance_mark": CONVENERS,
    "minutes_record": CONVENERS,
    "decision_add": CONVENERS,
    "meeting_close": CONVENERS,
    "minutes_publish": CONVENERS,
    "minutes_correct": CONVENERS,
    # invitees
    "respond_public": PROPERTY | {"representative"},
    "respond_private": {"representative"},
    "sign_in_public": COMPOUND_STAFF | {"resident"},
    "sign_in_private": COMMUNITY_SIDE | {"representative"},
    # action items
    "action_create": CONVENERS,
    "action_update_own": CONVENERS | PROPERTY,
    "action_update_department": CONVENERS | {"liaison"},
    "action_sub_item_add": CONVENERS | PROPERTY,
    "action_cancel": CONVENERS,
    "action_edit": CONVENERS,
    "action_bulk_update": CONVENERS | PROPERTY,
    "action_rate": {"resident"},
    # reads
    "view_public_meeting": COMPOUND_STAFF,
    "view_private_meeting": COMMUNITY_SIDE | SUPERVISORS | {"representative"},
    "view_draft_meeting": COMMUNITY_SIDE,
    "list_private_meeting": COMMUNITY_SIDE | SUPERVISORS | {"representative"},
    "private_meeting_ics": COMMUNITY_SIDE | SUPERVISORS | {"representative"},
    "view_department_meeting": COMMUNITY_SIDE | SUPERVISORS | {"liaison"},
    "attendance_counts": COMPOUND_STAFF,
    "agenda_candidates": CONVENERS,
    "sign_in_code": CONVENERS,
    "public_minutes": COMPOUND_STAFF | {"resident"},
    "public_action_list": COMPOUND_STAFF | {"resident"},
    "view_public_action": COMPOUND_STAFF | {"resident"},
    "view_private_action": COMMUNITY_SIDE | SUPERVISORS | PROPERTY,
    "list_private_action": COMMUNITY_SIDE | SUPERVISORS | PROPERTY,
}


def _actions(world: Any) -> dict[str, Callable[[Any], Any]]:
    u, orgs = world.users, world.orgs
    secretary, manager, compound = u["secretary"], u["property_manager"], world.compound_a
    days = itertools.count(2)

    def meeting(
        *, publish: bool = True, private: bool = False, kind: str = MeetingKind.JOINT, invite: Any = None
    ) -> Meeting:
        n = next(days)
        m = s.meeting_create(
            actor=secretary,
            compound=compound,
            kind=kind,
            title=f"会议{n}",
            starts_at=in_days(n),
            ends_at=in_days(n, 12),
            place="会议室",
            is_private=private,
        )
        s.meeting_invite(
            actor=secretary,
            meeting=m,
            organizations=invite if invite is not None else [orgs[OrgKind.PROPERTY], orgs[OrgKind.RESIDENTS]],
        )
        s.agenda_item_add(actor=secretary, meeting=m, title="议题")
        if publish:
            s.meeting_publish(actor=secretary, meeting=m)
        m.refresh_from_db()
        return m

    def held(**kw: Any) -> Meeting:
        m = meeting(**kw)
        return s.meeting_hold(actor=secretary, meeting=m, now=m.starts_at)

    def closed(*, publish_minutes: bool = False, private: bool = False) -> Meeting:
        m = held(private=private)
        s.minutes_record(actor=secretary, meeting=m, item=m.agenda_items.get(), text="纪要")
        s.meeting_close(actor=secretary, meeting=m)
        if publish_minutes:
            s.minutes_publish(actor=secretary, minutes=Minutes.objects.get(meeting=m))
        m.refresh_from_db()
        return m

    def item(*, public: bool = True, organization: Any = None, voice_ids: Any = ()) -> ActionItem:
        return s.action_item_create(
            actor=secretary,
            compound=compound,
            title="大堂照明",
            due_on=timezone.localdate() + datetime.timedelta(days=20),
            responsible_organization=organization or orgs[OrgKind.PROPERTY],
            is_public=public,
            voice_ids=voice_ids,
        )

    def done_item_answering_the_resident() -> ActionItem:
        voice = VoiceFactory.create(compound=compound, author=u["resident"])
        it = item(voice_ids=[voice.pk])
        s.action_progress_update(actor=manager, item=it, status=ActionStatus.DONE)
        return it

    def sign_in(m: Meeting) -> Callable[[Any], Any]:
        at = m.starts_at - datetime.timedelta(minutes=10)
        token = selectors.meeting_sign_in_code(user=secretary, meeting=m, now=at)
        return lambda a: s.attendance_sign_in(user=a, token=token, now=at, meeting=m)

    public, draft = meeting(), meeting(publish=False)
    private = meeting(private=True, kind=MeetingKind.OWNERS, invite=[orgs[OrgKind.RESIDENTS]])
    department = meeting(private=True, kind=MeetingKind.COORDINATION, invite=[orgs[OrgKind.DEPARTMENT]])
    public_minutes = closed(publish_minutes=True)
    public_item, private_item = item(), item(public=False)
    department_item = item(organization=orgs[OrgKind.DEPARTMENT])
    sign_in_public, sign_in_private = sign_in(public), sign_in(private)
    upload = b"%PDF-1.4\n%%EOF\n"

    def must_list(qs: Any, wanted: Any) -> None:
        if wanted not in list(qs):
            raise NotFound("not listed")

    return {
        "meeting_create": lambda a: s.meeting_create(
            actor=a,
            compound=compound,
            kind=MeetingKind.SITE_VISIT,
            title="现场走访",
            starts_at=in_days(40),
            ends_at=in_days(40, 11),
            place="3栋",
        ),
        "meeting_update": lambda a: s.meeting_update(
            actor=a,
            meeting=public,
            kind=public.kind,
            title=f"改名{next(days)}",
            starts_at=public.starts_at,
            ends_at=public.ends_at,
            place=public.place,
        ),
        "meeting_invite": lambda a: s.meeting_invite(actor=a, meeting=draft, users=[u["officer"]]),
        "meeting_publish": lambda a: s.meeting_publish(actor=a, meeting=meeting(publish=False)),
        "meeting_hold": lambda a: (lambda m: s.meeting_hold(actor=a, meeting=m, now=m.starts_at))(meeting()),
        "meeting_cancel": lambda a: s.meeting_cancel(actor=a, meeting=meeting(), reason="改期"),
        "agenda_item_add": lambda a: s.agenda_item_add(actor=a, meeting=draft, title="新议题"),
        "attachment_add": lambda a: s.attachment_add(actor=a, meeting=public, file=_bytes(upload), name="a.pdf"),
        "sign_in_rotate": lambda a: s.sign_in_rotate(actor=a, meeting=public),
        "attendance_mark": lambda a: s.attendance_mark(
            actor=a, meeting=public, name="王科长", party=Party.DEPARTMENT, now=public.starts_at
        ),
        "minutes_record": lambda a: (
            lambda m: s.minutes_record(actor=a, meeting=m, item=m.agenda_items.get(), text="纪要")
        )(held()),
        "decision_add": lambda a: s.decision_add(actor=a, item=held().agenda_items.get(), text="决定"),
        "meeting_close": lambda a: (
            lambda m: (
                s.minutes_record(actor=secretary, meeting=m, item=m.agenda_items.get(), text="纪要"),
                s.meeting_close(actor=a, meeting=m),
            )
        )(held()),
        "minutes_publish": lambda a: s.minutes_publish(actor=a, minutes=Minutes.objects.get(meeting=closed())),
        "minutes_correct": lambda a: s.minutes_correct(
            actor=a, minutes=Minutes.objects.get(meeting=closed(publish_minutes=True)), reason="更正"
        ),
        "respond_public": lambda a: s.invitation_respond(actor=a, meeting=public, answer=Rsvp.YES),
        "respond_private": lambda a: s.invitation_respond(actor=a, meeting=private, answer=Rsvp.MAYBE),
        "sign_in_public": sign_in_public,
        "sign_in_private": sign_in_private,
        "action_create": lambda a: s.action_item_create(
            actor=a,
            compound=compound,
            title="石材养护",
            due_on=timezone.localdate() + datetime.timedelta(days=9),
            responsible_organization=orgs[OrgKind.PROPERTY],
        ),
        "action_update_own": lambda a: s.action_progress_update(actor=a, item=item(), progress=20),
        "action_update_department": lambda a: s.action_progress_update(
            actor=a, item=department_item, note=f"已对接 {next(days)}"
        ),
        "action_sub_item_add": lambda a: s.action_item_create(
            actor=a, parent=public_item, title="子项", due_on=timezone.localdate() + datetime.timedelta(days=5)
        ),
        "action_cancel": lambda a: s.action_progress_update(
            actor=a, item=item(), status=ActionStatus.CANCELLED, reason="不再需要"
        ),
        "action_edit": lambda a: s.action_item_edit(
            actor=a,
            item=public_item,
            title=f"改名{next(days)}",
            due_on=public_item.due_on,
            responsible_organization=orgs[OrgKind.PROPERTY],
        ),
        "action_bulk_update": lambda a: s.actions_bulk_update(actor=a, rows=[BulkRow(id=item().pk, progress=10)]),
        "action_rate": lambda a: s.action_rate(actor=a, item=done_item_answering_the_resident(), score=Score.BASIC),
        "view_public_meeting": lambda a: selectors.meeting_get(user=a, pk=public.pk),
        "view_private_meeting": lambda a: selectors.meeting_get(user=a, pk=private.pk),
        "view_draft_meeting": lambda a: selectors.meeting_get(user=a, pk=draft.pk),
        "list_private_meeting": lambda a: must_list(selectors.meetings_list(user=a), private),
        "private_meeting_ics": lambda a: calendar.meeting_ics_for(user=a, pk=private.pk),
        "view_department_meeting": lambda a: selectors.meeting_get(user=a, pk=department.pk),
        "attendance_counts": lambda a: selectors.attendance_counts(user=a, meeting=public),
        "agenda_candidates": lambda a: selectors.agenda_candidates(user=a, compound=compound),
        "sign_in_code": lambda a: selectors.meeting_sign_in_code(user=a, meeting=public),
        "public_minutes": lambda a: selectors.public_minutes(user=a, meeting=public_minutes),
        "public_action_list": lambda a: must_list(selectors.action_list_public(user=a, compound=compound), public_item),
        "view_public_action": lambda a: selectors.action_get(user=a, pk=public_item.pk),
        "view_private_action": lambda a: selectors.action_get(user=a, pk=private_item.pk),
        "list_private_action": lambda a: must_list(selectors.actions_visible(user=a), private_item),
    }


def _bytes(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


@pytest.mark.parametrize("action", list(EXPECTED))
def test_matrix(world: Any, action: str) -> None:
    run = _actions(world)[action]
    allowed = set()
    for role in ALL_ROLES:
        actor = world.users[role] or AnonymousUser()
        try:
            run(actor)
        except (NotAllowed, NotFound):
            continue
        except BulkRefused as refused:  # a bulk update lists a refusal per row
            assert {e.code for e in refused.errors} == {"forbidden"}, (role, refused.errors)
            continue
        allowed.add(role)
    assert allowed == EXPECTED[action], f"{action}: allowed {sorted(allowed)}"


def test_every_action_has_an_expectation_and_every_role_is_in_the_world(world: Any) -> None:
    assert set(_actions(world)) == set(EXPECTED)
    everyone = set().union(*EXPECTED.values())
    assert everyone <= set(ALL_ROLES)
    # nobody outside the compound's parties ever gets anything but what they are invited to or responsible for
    assert {"applicant", "stranger", "anonymous", "lawyer", "officer"}.isdisjoint(everyone)


def test_a_technician_does_not_see_a_private_meeting_they_were_not_invited_to(world: Any, secretary: Any) -> None:
    # given a private meeting inviting only the residents' representatives, and a public one
    meeting = s.meeting_create(
        actor=secretary,
        compound=world.compound_a,
        kind=MeetingKind.OWNERS,
        title="业主代表闭门会",
        starts_at=in_days(3),
        ends_at=in_days(3, 12),
        place="会议室",
        is_private=True,
    )
    s.meeting_invite(actor=secretary, meeting=meeting, organizations=[world.orgs[OrgKind.RESIDENTS]])
    s.agenda_item_add(actor=secretary, meeting=meeting, title="物业费争议")
    s.meeting_publish(actor=secretary, meeting=meeting)
    technician = world.users["technician"]
    # then the technician gets "no such meeting" (not "forbidden": its existence is not disclosed), no list entry,
    # no calendar entry, no invitation
    with pytest.raises(NotFound) as refused:
        selectors.meeting_get(user=technician, pk=meeting.pk)
    assert refused.value.message == "No such meeting."
    assert meeting not in list(selectors.meetings_list(user=technician))
    assert meeting not in calendar.feed_meetings(user=technician)
    assert meeting not in list(selectors.invitations_of_user(user=technician))
    # once the technician is invited by name, they see it
    s.meeting_invite(actor=secretary, meeting=meeting, users=[technician])
    assert selectors.meeting_get(user=technician, pk=meeting.pk) == meeting
