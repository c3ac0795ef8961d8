"""Attendance: signing in by scanning the meeting's QR code, or marked by staff; replacing the code."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organization, User
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound

from ..models import Attendance, Meeting, MeetingInvitation, MeetingStatus, Party, SignInMethod
from ..rules import may_convene, may_sign_in, organization_ids
from ..signin import sign_in_token_read
from ._common import clean_text, meeting_lock, now_or, party_of, require, user_or_none

SIGNING_IN = frozenset({MeetingStatus.PUBLISHED, MeetingStatus.HELD})
# Sign-in opens this long before the meeting starts (or once staff mark it held).
SIGN_IN_EARLY = datetime.timedelta(hours=1)


def _not_convener() -> str:
    return _("You may not convene meetings of this compound.")


def _sign_in_open(meeting: Meeting, at: datetime.datetime) -> None:
    if meeting.status not in SIGNING_IN:
        raise Conflict(_("Sign-in is closed for this meeting."), code="sign_in_closed")
    if meeting.status == MeetingStatus.PUBLISHED and at < meeting.starts_at - SIGN_IN_EARLY:
        raise Conflict(_("Sign-in opens an hour before the meeting starts."), code="sign_in_not_open")


def _already(meeting: Meeting, user: Any) -> bool:
    return Attendance.objects.filter(community_id=meeting.community_id, meeting=meeting, user=user).exists()


def _party_and_org(meeting: Meeting, user: Any) -> tuple[str, Organization | None]:
    """The party of the person's invitation (named, or through their organization), else of their roles."""
    rows = MeetingInvitation.objects.filter(community_id=meeting.community_id, meeting=meeting).select_related(
        "organization"
    )
    own = rows.filter(user=user).first()
    if own is not None:
        return own.party, own.organization
    through = rows.filter(user__isnull=True, organization_id__in=organization_ids(user)).order_by("pk").first()
    if through is not None:
        return through.party, through.organization
    return party_of(user, meeting.compound), None


@transaction.atomic
def sign_in_rotate(*, actor: Any, meeting: Meeting | int) -> Meeting:
    """Replace the meeting's sign-in code: every code shown so far stops working."""
    locked = meeting_lock(meeting)
    require(may_convene(actor, locked), _not_convener())
    if locked.status not in SIGNING_IN:
        raise Conflict(_("Sign-in is closed for this meeting."), code="sign_in_closed")
    locked.sign_in_nonce = secrets.token_hex(8)
    locked.save(update_fields=["sign_in_nonce", "updated_at"])
    audit_record(actor=actor, verb="meeting.sign_in_rotate", obj=locked, community_id=locked.community_id)
    return locked


def attendance_sign_in(
    *, user: Any, token: str, now: datetime.datetime | None = None, meeting: Meeting | int | None = None
) -> Attendance:
    """Sign in to a meeting with its QR code (on the phone, logged in).

    Refused with a clear error, and nothing written: a forged or damaged code, an expired one, a code of another
    meeting (``meeting`` is the one whose page the code was opened on), a replaced code, a meeting not open for
    sign-in, someone who may not attend (a private meeting's non-invitee), and signing in a second time.
    """
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Log in to sign in."))
    at = now_or(now)
    code = sign_in_token_read(token, now=at)
    if meeting is not None:
        expected = meeting if isinstance(meeting, int) else meeting.pk
        if code.meeting_id != expected:
            raise DomainError(
                _("This sign-in code is for another meeting."), field="token", code="sign_in_wrong_meeting"
            )
    return _sign_in(user=user, meeting_id=code.meeting_id, nonce=code.nonce, at=at)


@transaction.atomic
def _sign_in(*, user: Any, meeting_id: int, nonce: str, at: datetime.datetime) -> Attendance:
    try:
        locked = meeting_lock(meeting_id)
    except NotFound:
        raise DomainError(
            _("This sign-in code is not valid: scan the code shown at the meeting."),
            field="token",
            code="sign_in_invalid",
        ) from None
    if not secrets.compare_digest(nonce, locked.sign_in_nonce):
        raise DomainError(
            _("This sign-in code has been replaced: scan the code shown at the meeting now."),
            field="token",
            code="sign_in_replaced",
        )
    require(may_sign_in(user, locked), _("You are not invited to this meeting."))
    _sign_in_open(locked, at)
    if _already(locked, user):
        raise Conflict(_("You have already signed in to this meeting."), code="already_signed_in")
    party, organization = _party_and_org(locked, user)
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                community_id=locked.community_id,
                meeting=locked,
                user=user,
                name=user.name,
                organization=organization,
                party=party,
                method=SignInMethod.QR,
                signed_in_at=at,
                recorded_by=user,
            )
    except IntegrityError:
        raise Conflict(_("You have already signed in to this meeting."), code="already_signed_in") from None
    audit_record(
        actor=user,
        verb="meeting.sign_in",
        obj=locked,
        community_id=locked.community_id,
        after={"attendance": attendance.pk, "party": party, "method": SignInMethod.QR},
    )
    return attendance


@transaction.atomic
def attendance_mark(
    *,
    actor: Any,
    meeting: Meeting | int,
    user: User | None = None,
    name: str = "",
    party: str = "",
    organization: Organization | None = None,
    now: datetime.datetime | None = None,
) -> Attendance:
    """Staff mark someone present: a person with an account (their party follows from their invitation or
    roles unless given), or a person without one by name and party."""
    locked = meeting_lock(meeting)
    require(may_convene(actor, locked), _not_convener())
    at = now_or(now)
    _sign_in_open(locked, at)
    if party and party not in Party.values:
        raise DomainError(_("Choose a party."), field="party", code="invalid_party")
    if user is not None:
        if _already(locked, user):
            raise Conflict(
                _("%(name)s has already signed in to this meeting.") % {"name": user.name}, code="already_signed_in"
            )
        invited_party, invited_org = _party_and_org(locked, user)
        name = user.name
        party = party or invited_party
        organization = organization or invited_org
    else:
        name = clean_text(name, field="name", max_length=50)
        if not party:
            raise DomainError(_("Choose a party."), field="party", code="invalid_party")
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                community_id=locked.community_id,
                meeting=locked,
                user=user,
                name=name,
                organization=organization,
                party=party,
                method=SignInMethod.STAFF,
                signed_in_at=at,
                recorded_by=user_or_none(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("%(name)s has already signed in to this meeting.") % {"name": name}, code="already_signed_in"
        ) from None
    audit_record(
        actor=actor,
        verb="meeting.attendance_mark",
        obj=locked,
        community_id=locked.community_id,
        after={"attendance": attendance.pk, "user": attendance.user_id, "party": party},
    )
    return attendance


@transaction.atomic
def attendance_remove(*, actor: Any, attendance: Attendance | int) -> None:
    """Take back a sign-in (a mistake) while the meeting is still open for sign-in."""
    pk = attendance if isinstance(attendance, int) else attendance.pk
    meeting_id = Attendance.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise NotFound(_("No such sign-in."))
    locked = meeting_lock(meeting_id)
    require(may_convene(actor, locked), _not_convener())
    if locked.status not in SIGNING_IN:
        raise Conflict(_("Sign-in is closed for this meeting."), code="sign_in_closed")
    found = Attendance.objects.get(pk=pk)
    before = {"attendance": found.pk, "user": found.user_id, "name": found.name, "party": found.party}
    found.delete()
    audit_record(
        actor=actor, verb="meeting.attendance_remove", obj=locked, community_id=locked.community_id, before=before
    )
