"""Signing in by the meeting's QR code (signed, expiring, bound to the meeting) and attendance marked by staff."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import signing

from gongzhi.accounts.roles import OrgKind
from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.meetings import selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import Attendance, Meeting, MeetingStatus, Party, SignInMethod
from gongzhi.meetings.signin import SALT, SIGN_IN_VALID, qr_svg, sign_in_token

from .helpers import meetings_state

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


def _code(secretary: Any, meeting: Meeting, at: datetime.datetime) -> str:
    return selectors.meeting_sign_in_code(user=secretary, meeting=meeting, now=at)


def test_an_invited_representative_signs_in_by_the_qr_code_once(
    world: Any, convene: Callable[..., Meeting], secretary: Any
) -> None:
    # given a published meeting and the code shown on the screen ten minutes before it starts
    meeting = convene()
    at = meeting.starts_at - 10 * MINUTE
    token = _code(secretary, meeting, at)
    # when the representative scans it on their phone
    attendance = s.attendance_sign_in(user=world.users["representative"], token=token, now=at, meeting=meeting)
    # then they are recorded, for the residents' side, by QR
    assert (attendance.party, attendance.method, attendance.name) == (
        Party.RESIDENTS,
        SignInMethod.QR,
        "representative",
    )
    assert attendance.organization == world.orgs[OrgKind.RESIDENTS]
    # and a second scan is refused with a clear error, nothing doubled
    before = meetings_state()
    with pytest.raises(Conflict) as twice:
        s.attendance_sign_in(user=world.users["representative"], token=token, now=at + MINUTE)
    assert twice.value.code == "already_signed_in"
    assert twice.value.message == "You have already signed in to this meeting."
    assert meetings_state() == before
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_an_expired_code_is_refused(world: Any, convene: Callable[..., Meeting], secretary: Any) -> None:
    meeting = convene()
    issued = meeting.starts_at - 30 * MINUTE
    token = _code(secretary, meeting, issued)
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.attendance_sign_in(user=world.users["representative"], token=token, now=issued + SIGN_IN_VALID)
    assert (refused.value.code, refused.value.field) == ("sign_in_expired", "token")
    assert "expired" in refused.value.message
    assert meetings_state() == before
    # one second earlier it was still good
    s.attendance_sign_in(
        user=world.users["representative"], token=token, now=issued + SIGN_IN_VALID - datetime.timedelta(seconds=1)
    )


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature tampered
        lambda token: signing.TimestampSigner(salt="another.salt").sign_object({"m": 1, "n": "x", "e": 9999999999}),
        lambda token: signing.TimestampSigner(key="not-the-secret", salt=SALT).sign_object(
            {"m": 1, "n": "x", "e": 9999999999}
        ),
        lambda token: "",
        lambda token: "garbage:and:more",
        lambda token: signing.TimestampSigner(salt=SALT).sign_object({"m": "x"}),  # signed, but not a sign-in code
    ],
    ids=["tampered", "other-salt", "other-key", "empty", "garbage", "wrong-shape"],
)
def test_a_forged_code_is_refused(
    world: Any, convene: Callable[..., Meeting], secretary: Any, forge: Callable[[str], str]
) -> None:
    meeting = convene()
    at = meeting.starts_at - 10 * MINUTE
    token = forge(_code(secretary, meeting, at))
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.attendance_sign_in(user=world.users["representative"], token=token, now=at)
    assert refused.value.code == "sign_in_invalid"
    assert meetings_state() == before


def test_a_code_of_another_meeting_is_refused(world: Any, convene: Callable[..., Meeting], secretary: Any) -> None:
    first, second = convene(), convene(title="业主见面会")
    at = first.starts_at - 10 * MINUTE
    token = _code(secretary, first, at)
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.attendance_sign_in(user=world.users["representative"], token=token, now=at, meeting=second)
    assert refused.value.code == "sign_in_wrong_meeting"
    assert meetings_state() == before


def test_a_replaced_code_cannot_be_reused(world: Any, convene: Callable[..., Meeting], secretary: Any) -> None:
    # given a code that went round a chat group, and the secretary replacing it
    meeting = convene()
    at = meeting.starts_at - 10 * MINUTE
    old = _code(secretary, meeting, at)
    s.sign_in_rotate(actor=secretary, meeting=meeting)
    before = meetings_state()
    # then the old code is refused, the new one works
    with pytest.raises(DomainError) as refused:
        s.attendance_sign_in(user=world.users["representative"], token=old, now=at)
    assert refused.value.code == "sign_in_replaced"
    assert meetings_state() == before
    meeting.refresh_from_db()
    s.attendance_sign_in(user=world.users["representative"], token=_code(secretary, meeting, at), now=at)


def test_a_code_of_a_closed_or_cancelled_meeting_is_refused(
    world: Any, convene: Callable[..., Meeting], secretary: Any
) -> None:
    meeting = convene()
    at = meeting.starts_at - 10 * MINUTE
    token = _code(secretary, meeting, at)
    s.meeting_cancel(actor=secretary, meeting=meeting, reason="改期")
    before = meetings_state()
    with pytest.raises(Conflict) as refused:
        s.attendance_sign_in(user=world.users["representative"], token=token, now=at)
    assert refused.value.code == "sign_in_closed"
    assert meetings_state() == before


def test_sign_in_opens_an_hour_before_the_start(world: Any, convene: Callable[..., Meeting], secretary: Any) -> None:
    meeting = convene()
    early = meeting.starts_at - 2 * datetime.timedelta(hours=1)
    with pytest.raises(Conflict) as refused:
        s.attendance_sign_in(user=world.users["representative"], token=_code(secretary, meeting, early), now=early)
    assert refused.value.code == "sign_in_not_open"


def test_a_technician_not_invited_cannot_sign_in_to_a_private_meeting(
    world: Any, convene: Callable[..., Meeting], secretary: Any
) -> None:
    # given a private owners' meeting inviting only the residents' representatives, and its code
    private = s.meeting_create(
        actor=secretary,
        compound=world.compound_a,
        kind="owners",
        title="业主代表闭门会",
        starts_at=convene(publish=False).starts_at,
        ends_at=convene(publish=False).ends_at,
        place="会议室",
        is_private=True,
    )
    s.meeting_invite(actor=secretary, meeting=private, organizations=[world.orgs[OrgKind.RESIDENTS]])
    s.agenda_item_add(actor=secretary, meeting=private, title="物业费争议")
    s.meeting_publish(actor=secretary, meeting=private)
    private.refresh_from_db()
    at = private.starts_at - 10 * MINUTE
    token = _code(secretary, private, at)
    public = convene()
    before = meetings_state()
    # when the technician (who learnt the code) tries it, they are refused
    with pytest.raises(NotAllowed):
        s.attendance_sign_in(user=world.users["technician"], token=token, now=at)
    assert meetings_state() == before
    # while on a public meeting every staff member of the compound and its residents may sign in
    s.attendance_sign_in(user=world.users["technician"], token=_code(secretary, public, at), now=at)
    resident = s.attendance_sign_in(user=world.users["resident"], token=_code(secretary, public, at), now=at)
    assert resident.party == Party.RESIDENTS


def test_strangers_and_anonymous_visitors_cannot_sign_in(
    world: Any, convene: Callable[..., Meeting], secretary: Any
) -> None:
    meeting = convene()
    at = meeting.starts_at - 10 * MINUTE
    token = _code(secretary, meeting, at)
    before = meetings_state()
    for user in (world.users["stranger"], world.users["applicant"], world.users["lawyer"]):
        with pytest.raises(NotAllowed):
            s.attendance_sign_in(user=user, token=token, now=at)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        s.attendance_sign_in(user=AnonymousUser(), token=token, now=at)
    assert meetings_state() == before


def test_staff_mark_attendance_and_counts_are_by_party(
    world: Any, held: Callable[..., Meeting], secretary: Any
) -> None:
    # given a held meeting
    meeting = held()
    at = meeting.starts_at + 10 * MINUTE
    token = _code(secretary, meeting, at)
    # when the representative and the technician sign in, and the secretary marks herself, the property
    # manager, a department official without an account and a resident by name
    s.attendance_sign_in(user=world.users["representative"], token=token, now=at)
    s.attendance_sign_in(user=world.users["technician"], token=token, now=at)
    s.attendance_mark(actor=secretary, meeting=meeting, user=secretary, now=at)
    s.attendance_mark(actor=secretary, meeting=meeting, user=world.users["property_manager"], now=at)
    s.attendance_mark(actor=secretary, meeting=meeting, name="王科长", party=Party.DEPARTMENT, now=at)
    s.attendance_mark(actor=secretary, meeting=meeting, name="3栋业主", party=Party.RESIDENTS, now=at)
    # then the counts are by party
    counts = selectors.attendance_counts(user=world.users["representative"], meeting=meeting)
    assert counts.by_party == {
        Party.COMMUNITY: 1,
        Party.PROPERTY: 2,
        Party.RESIDENTS: 2,
        Party.DEPARTMENT: 1,
        Party.SUPERIOR: 0,
        Party.OTHER: 0,
    }
    assert counts.total == 6
    # marking someone already signed in, or a name without a party, is refused and changes nothing
    before = meetings_state()
    with pytest.raises(Conflict) as twice:
        s.attendance_mark(actor=secretary, meeting=meeting, user=world.users["technician"], now=at)
    assert twice.value.code == "already_signed_in"
    with pytest.raises(DomainError) as no_party:
        s.attendance_mark(actor=secretary, meeting=meeting, name="某人", now=at)
    assert no_party.value.field == "party"
    with pytest.raises(DomainError) as no_name:
        s.attendance_mark(actor=secretary, meeting=meeting, name=" ", party=Party.OTHER, now=at)
    assert no_name.value.field == "name"
    with pytest.raises(NotAllowed):
        s.attendance_mark(actor=world.users["property_manager"], meeting=meeting, name="x", party="other", now=at)
    assert meetings_state() == before


def test_a_mistaken_sign_in_is_taken_back_by_staff(world: Any, held: Callable[..., Meeting], secretary: Any) -> None:
    meeting = held()
    wrong = s.attendance_mark(actor=secretary, meeting=meeting, name="重复", party=Party.OTHER)
    s.attendance_remove(actor=secretary, attendance=wrong)
    assert not Attendance.objects.filter(pk=wrong.pk).exists()


def test_the_code_is_only_shown_to_conveners_while_sign_in_is_open(
    world: Any, convene: Callable[..., Meeting], secretary: Any
) -> None:
    meeting = convene(publish=False)
    with pytest.raises(Conflict):
        selectors.meeting_sign_in_code(user=secretary, meeting=meeting)
    s.meeting_publish(actor=secretary, meeting=meeting)
    meeting.refresh_from_db()
    assert selectors.meeting_sign_in_code(user=secretary, meeting=meeting)
    with pytest.raises(NotAllowed):
        selectors.meeting_sign_in_code(user=world.users["representative"], meeting=meeting)
    assert meeting.status == MeetingStatus.PUBLISHED


def test_the_qr_picture_is_an_svg_of_the_link() -> None:
    svg = qr_svg(
        "https://gongzhi.example/meetings/1/sign-in?t="
        + sign_in_token(meeting_id=1, nonce="abc", now=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC))
    )
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<script" not in svg and "style=" not in svg
