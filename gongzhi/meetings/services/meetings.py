"""Convening a meeting: create, change, invite, publish (the agenda goes to the invitees), hold, cancel; the
invitees' answers; attachments."""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, Organization, User
from gongzhi.accounts.roles import OrgKind
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.estates.models import Compound

from ..models import (
    TEXT_MAX,
    TITLE_MAX,
    Meeting,
    MeetingAttachment,
    MeetingInvitation,
    MeetingKind,
    MeetingStatus,
    Party,
    Rsvp,
    attachment_path,
)
from ..rules import may_convene, may_respond, may_view_meeting, organization_ids
from ..uploads import attachment_check
from ._common import (
    ORG_PARTY,
    clean_text,
    invitee_users,
    meeting_link,
    meeting_lock,
    move,
    notify_later,
    now_or,
    party_of,
    require,
    user_or_none,
)

logger = logging.getLogger(__name__)

MAX_DURATION = datetime.timedelta(hours=24)
# A meeting may be marked held from this long before its start.
HOLD_EARLY = datetime.timedelta(hours=1)
EDITABLE = frozenset({MeetingStatus.DRAFT, MeetingStatus.PUBLISHED})
MEETING_FIELDS = [
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "is_private",
]
CALENDAR_FIELDS = ("starts_at", "ends_at", "place", "online_url", "title")


def _not_convener() -> str:
    return _("You may not convene meetings of this compound.")


def _moment(value: Any, *, field: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
        raise DomainError(_("Enter a date and time."), field=field, code="invalid_datetime")
    return value


def _clean_meeting(
    *,
    kind: str,
    title: str,
    starts_at: Any,
    ends_at: Any,
    place: str,
    online_url: str,
    description: str,
    is_private: bool,
    now: datetime.datetime,
    check_future: bool,
) -> dict[str, Any]:
    if kind not in MeetingKind.values:
        raise DomainError(_("Choose the kind of meeting."), field="kind", code="invalid_kind")
    start = _moment(starts_at, field="starts_at")
    end = _moment(ends_at, field="ends_at")
    if end <= start:
        raise DomainError(_("The meeting must end after it starts."), field="ends_at", code="ends_before_start")
    if end - start > MAX_DURATION:
        raise DomainError(_("A meeting lasts at most a day."), field="ends_at", code="too_long")
    if check_future and start <= now:
        raise DomainError(_("A meeting cannot start in the past."), field="starts_at", code="in_the_past")
    place = clean_text(place, field="place", required=False)
    online_url = clean_text(online_url, field="online_url", max_length=300, required=False)
    if online_url:
        try:
            URLValidator(schemes=["http", "https"])(online_url)
        except ValidationError:
            raise DomainError(
                _("Enter a web address starting with http:// or https://."), field="online_url", code="invalid_url"
            ) from None
    if not place and not online_url:
        raise DomainError(_("Enter a place or an online meeting link."), field="place", code="required")
    return {
        "kind": kind,
        "title": clean_text(title, field="title", max_length=TITLE_MAX),
        "description": clean_text(description, field="description", max_length=TEXT_MAX, required=False),
        "starts_at": start,
        "ends_at": end,
        "place": place,
        "online_url": online_url,
        "is_private": bool(is_private),
    }


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    compound: Compound,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    online_url: str = "",
    description: str = "",
    is_private: bool = False,
    now: datetime.datetime | None = None,
) -> Meeting:
    """A draft meeting of the compound, convened by ``actor`` (community staff)."""
    require(may_convene(actor, compound), _not_convener())
    fields = _clean_meeting(
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
        description=description,
        is_private=is_private,
        now=now_or(now),
        check_future=True,
    )
    meeting = Meeting.objects.create(
        community_id=compound.community_id,
        compound=compound,
        convener=actor,
        created_by=user_or_none(actor),
        sign_in_nonce=secrets.token_hex(8),
        **fields,
    )
    audit_record(
        actor=actor,
        verb="meeting.create",
        obj=meeting,
        community_id=meeting.community_id,
        after=snapshot(meeting, MEETING_FIELDS),
    )
    return meeting


def _editable(meeting: Meeting) -> None:
    if meeting.status not in EDITABLE:
        raise Conflict(
            _("This meeting is %(status)s: it can no longer be changed.")
            % {"status": MeetingStatus(meeting.status).label},
            code="immutable",
        )


@transaction.atomic
def meeting_update(
    *,
    actor: Any,
    meeting: Meeting | int,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    online_url: str = "",
    description: str = "",
    is_private: bool = False,
    now: datetime.datetime | None = None,
) -> Meeting:
    """Change a draft or published meeting. A change of time or place of a published meeting goes to its
    invitees (and calendars see a new SEQUENCE)."""
    locked = meeting_lock(meeting)
    require(may_convene(actor, locked), _not_convener())
    _editable(locked)
    at = now_or(now)
    fields = _clean_meeting(
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
        description=description,
        is_private=is_private,
        now=at,
        check_future=starts_at != locked.starts_at,
    )
    before = snapshot(locked, MEETING_FIELDS)
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, fields[name])
    moved = any(name in CALENDAR_FIELDS for name in changed)
    if moved:
        locked.sequence += 1
    locked.save()
    audit_record(
        actor=actor,
        verb="meeting.update",
        obj=locked,
        community_id=locked.community_id,
        before={k: before[k] for k in changed},
        after=snapshot(locked, changed),
    )
    if moved and locked.status == MeetingStatus.PUBLISHED:
        notify_later(
            recipients=invitee_users(locked, without_declined=True),
            verb="meeting.changed",
            title=_("The meeting “%(title)s” has changed") % {"title": locked.title},
            body=_when_where(locked),
            link=meeting_link(locked),
            key=f"meeting:{locked.pk}:changed:{locked.sequence}",
            community_id=locked.community_id,
        )
    return locked


def _when_where(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    where = meeting.place or meeting.online_url
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} {where}".strip()


@transaction.atomic
def meeting_publish(*, actor: Any, meeting: Meeting | int, now: datetime.datetime | None = None) -> Meeting:
    """Publish a draft: its agenda goes to every invitee. It needs an agenda, invitees and a time still ahead; a
    three-party joint meeting invites the property company and the residents' representatives."""
    locked = meeting_lock(meeting)
    require(may_convene(actor, locked), _not_convener())
    at = now_or(now)
    if locked.status == MeetingStatus.DRAFT:
        if not locked.agenda_items.exists():
            raise DomainError(_("Add at least one agenda item before publishing."), code="empty_agenda")
        parties = set(
            MeetingInvitation.objects.filter(community_id=locked.community_id, meeting=locked).values_list(
                "party", flat=True
            )
        )
        if not parties:
            raise DomainError(_("Invite at least one organization or person before publishing."), code="no_invitees")
        if locked.kind == MeetingKind.JOINT and not {Party.PROPERTY, Party.RESIDENTS} <= parties:
            raise DomainError(
                _("A three-party joint meeting invites the property company and the residents' representatives."),
                code="parties_missing",
            )
        if locked.starts_at <= at:
            raise DomainError(
                _("This meeting's time has passed: change the time first."), field="starts_at", code="in_the_past"
            )
    before = move(locked, MeetingStatus.PUBLISHED, transitions=Meeting.TRANSITIONS, labels=MeetingStatus)
    locked.published_at = at
    locked.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="meeting.publish",
        obj=locked,
        community_id=locked.community_id,
        before={"status": before},
        after={"status": locked.status},
    )
    notify_later(
        recipients=invitee_users(locked),
        verb="meeting.published",
        title=_("Invitation: %(title)s") % {"title": locked.title},
        body=_when_where(locked),
        link=meeting_link(locked),
        key=f"meeting:{locked.pk}:published",
        community_id=locked.community_id,
    )
    return locked


@transaction.atomic
def meeting_hold(*, actor: Any, meeting: Meeting | int, now: datetime.datetime | None = None) -> Meeting:
    """Mark a published meeting as held (it is taking place): minutes and decisions may now be recorded."""
    locked = meeting_lock(meeting)
    require(may_convene(actor, locked), _not_convener())
    at = now_or(now)
    if locked.status == MeetingStatus.PUBLISHED and at < locked.starts_at - HOLD_EARLY:
        raise DomainError(_("A meeting can be marked as held only from an hour before it starts."), code="too_early")
    before = move(locked, MeetingStatus.HELD, transitions=Meeting.TRANSITIONS, labels=MeetingStatus)
    locked.held_at = at
    locked.save(update_fields=["status", "held_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="meeting.hold",
        obj=locked,
        community_id=locked.community_id,
        before={"status": before},
        after={"status": locked.status},
    )
    return locked


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting | int, reason: str, now: datetime.datetime | None = None) -> Meeting:
    """Cancel a draft or published meeting, with a reason; the invitees of a published one are told."""
    locked = meeting_lock(meeting)
    require(may_convene(actor, locked), _not_convener())
    reason = clean_text(reason, field="reason")
    was = locked.status
    move(locked, MeetingStatus.CANCELLED, transitions=Meeting.TRANSITIONS, labels=MeetingStatus)
    locked.cancelled_at = now_or(now)
    locked.cancel_reason = reason
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "sequence", "updated_at"])
    audit_record(
        actor=actor,
        verb="meeting.cancel",
        obj=locked,
        community_id=locked.community_id,
        before={"status": was},
        after={"status": locked.status, "reason": reason},
    )
    if was == MeetingStatus.PUBLISHED:
        notify_later(
            recipients=invitee_users(locked, without_declined=True),
            verb="meeting.cancelled",
            title=_("Cancelled: %(title)s") % {"title": locked.title},
            body=reason,
            link=meeting_link(locked),
            key=f"meeting:{locked.pk}:cancelled",
            community_id=locked.community_id,
        )
    return locked


# --- Invitations ------------------------------------------------------------------------------------------------


def _invitations_open(meeting: Meeting) -> None:
    if meeting.status not in EDITABLE:
        raise Conflict(
            _("This meeting is %(status)s: its invitations can no longer be changed.")
            % {"status": MeetingStatus(meeting.status).label},
            code="immutable",
        )


@transaction.atomic
def meeting_invite(
    *,
    actor: Any,
    meeting: Meeting | int,
    organizations: Iterable[Organization] = (),
    users: Iterable[User] = (),
) -> list[MeetingInvitation]:
    """Invite organizations (all their members) and named people; those already invited are left as they are.

    Residents' representatives are invited only to meetings of their own compound. When the meeting is already
    published, the new invitees are sent the invitation.
    """
    locked = meeting_lock(meeting)
    require(may_convene(actor, locked), _not_convener())
    _invitations_open(locked)
    orgs = list({o.pk: o for o in organizations}.values())
    people = list({u.pk: u for u in users}.values())
    if not orgs and not people:
        raise DomainError(_("Choose at least one organization or person to invite."), code="required")
    for org in orgs:
        if org.kind == OrgKind.RESIDENTS and org.compound_id != locked.compound_id:
            raise DomainError(
                _("%(name)s represents the residents of another compound.") % {"name": org.name},
                field="organizations",
                code="other_compound",
            )
    for person in people:
        if not person.is_active:
            raise DomainError(
                _("%(name)s cannot be invited: the account is not active.") % {"name": person.name},
                field="users",
                code="inactive",
            )
    existing = MeetingInvitation.objects.filter(community_id=locked.community_id, meeting=locked)
    invited_orgs = set(existing.filter(user__isnull=True).values_list("organization_id", flat=True))
    rows_by_user = {row.user_id: row for row in existing.filter(user__isnull=False)}
    changed: list[MeetingInvitation] = []
    fresh_users: list[User] = []
    for org in orgs:
        if org.pk in invited_orgs:
            continue
        changed.append(
            MeetingInvitation.objects.create(
                community_id=locked.community_id,
                meeting=locked,
                organization=org,
                party=ORG_PARTY.get(org.kind, Party.OTHER),
                invited_by=user_or_none(actor),
            )
        )
        fresh_users.extend(
            User.objects.filter(pk__in=Membership.objects.filter(organization=org).values("user_id"), is_active=True)
        )
    for person in people:
        row = rows_by_user.get(person.pk)
        if row is not None and row.organization_id is None:
            continue  # already invited by name
        if row is not None:  # answered through an organization: now invited by name too
            row.organization = None
            row.save(update_fields=["organization"])
            changed.append(row)
            continue
        changed.append(
            MeetingInvitation.objects.create(
                community_id=locked.community_id,
                meeting=locked,
                user=person,
                party=party_of(person, locked.compound),
                invited_by=user_or_none(actor),
            )
        )
        fresh_users.append(person)
    if changed:
        audit_record(
            actor=actor,
            verb="meeting.invite",
            obj=locked,
            community_id=locked.community_id,
            after={
                "organizations": [r.organization_id for r in changed if r.user_id is None],
                "users": [r.user_id for r in changed if r.user_id is not None],
            },
        )
    if locked.status == MeetingStatus.PUBLISHED and fresh_users:
        notify_later(
            recipients=fresh_users,
            verb="meeting.published",
            title=_("Invitation: %(title)s") % {"title": locked.title},
            body=_when_where(locked),
            link=meeting_link(locked),
            key=f"meeting:{locked.pk}:published",
            community_id=locked.community_id,
        )
    return changed


@transaction.atomic
def meeting_uninvite(*, actor: Any, invitation: MeetingInvitation | int) -> None:
    """Withdraw an invitation (an organization's takes its members' answers with it)."""
    pk = invitation if isinstance(invitation, int) else invitation.pk
    meeting_id = MeetingInvitation.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise NotFound(_("No such invitation."))
    locked = meeting_lock(meeting_id)
    require(may_convene(actor, locked), _not_convener())
    _invitations_open(locked)
    found = MeetingInvitation.objects.get(pk=pk)
    before = snapshot(found, ["organization_id", "user_id", "party", "rsvp"])
    if found.user_id is None and found.organization_id is not None:
        MeetingInvitation.objects.filter(
            community_id=locked.community_id, meeting=locked, organization_id=found.organization_id
        ).delete()
    else:
        found.delete()
    audit_record(actor=actor, verb="meeting.uninvite", obj=locked, community_id=locked.community_id, before=before)


@transaction.atomic
def invitation_respond(
    *,
    actor: Any,
    meeting: Meeting | int,
    answer: str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> MeetingInvitation:
    """An invitee answers: attending, not attending or maybe (and may change the answer until the meeting
    starts). A member of an invited organization answers for themselves."""
    locked = meeting_lock(meeting)
    if not may_view_meeting(actor, locked):
        raise NotFound(_("No such meeting."))
    require(may_respond(actor, locked), _("You are not invited to this meeting."))
    if answer not in (Rsvp.YES, Rsvp.NO, Rsvp.MAYBE):
        raise DomainError(_("Answer attending, not attending or maybe."), field="answer", code="invalid_answer")
    note = clean_text(note, field="note", required=False)
    at = now_or(now)
    if locked.status != MeetingStatus.PUBLISHED or at >= locked.starts_at:
        raise Conflict(_("Answers are closed: the meeting has begun or is over."), code="rsvp_closed")
    rows = MeetingInvitation.objects.filter(community_id=locked.community_id, meeting=locked)
    row = rows.filter(user=actor).first()
    if row is None:
        org_row = (
            rows.filter(user__isnull=True, organization_id__in=organization_ids(actor))
            .select_related("organization")
            .order_by("pk")
            .first()
        )
        if org_row is None:  # cannot happen after may_respond; kept for safety
            raise NotFound(_("No such invitation."))
        row = MeetingInvitation(
            community_id=locked.community_id,
            meeting=locked,
            user=actor,
            organization=org_row.organization,
            party=org_row.party,
        )
    before = {"rsvp": row.rsvp}
    row.rsvp = answer
    row.rsvp_note = note
    row.responded_at = at
    row.save()
    audit_record(
        actor=actor,
        verb="meeting.rsvp",
        obj=locked,
        community_id=locked.community_id,
        before=before,
        after={"rsvp": answer, "invitation": row.pk},
    )
    return row


# --- Attachments ------------------------------------------------------------------------------------------------


def attachment_add(
    *,
    actor: Any,
    meeting: Meeting | int,
    file: IO[bytes] | Any,
    name: str = "",
    now: datetime.datetime | None = None,
) -> MeetingAttachment:
    """Attach a document (PDF, photo, Word / Excel / PowerPoint), checked by content before anything is written;
    the file is written once the transaction commits."""
    checked = attachment_check(file, name or str(getattr(file, "name", "") or ""))
    return _attachment_add(actor=actor, meeting=meeting, checked=checked, now=now_or(now))


@transaction.atomic
def _attachment_add(*, actor: Any, meeting: Meeting | int, checked: Any, now: datetime.datetime) -> MeetingAttachment:
    locked = meeting_lock(meeting)
    require(may_convene(actor, locked), _not_convener())
    if locked.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting was cancelled."), code="cancelled")
    count = MeetingAttachment.objects.filter(community_id=locked.community_id, meeting=locked).count()
    if count >= MeetingAttachment.MAX_PER_MEETING:
        raise DomainError(
            _("A meeting has at most %(max)d attachments.") % {"max": MeetingAttachment.MAX_PER_MEETING},
            field="file",
            code="too_many",
        )
    attachment = MeetingAttachment(
        community_id=locked.community_id,
        meeting=locked,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=len(checked.content),
        uploaded_by=user_or_none(actor),
        uploaded_at=now,
    )
    attachment.file.name = attachment_path(attachment, checked.original_name)
    attachment.save()
    storage = attachment.file.storage
    name, pk, content = attachment.file.name, attachment.pk, checked.content

    def write() -> None:
        try:
            saved = storage.save(name, ContentFile(content))
            if saved != name:
                MeetingAttachment.objects.filter(pk=pk).update(file=saved)
        except Exception:
            logger.exception("A meeting attachment could not be written; its row is removed.")
            MeetingAttachment.objects.filter(pk=pk).delete()

    transaction.on_commit(write)
    audit_record(
        actor=actor,
        verb="meeting.attachment_add",
        obj=locked,
        community_id=locked.community_id,
        after={
            "attachment": attachment.pk,
            "name": attachment.original_name,
            "type": attachment.content_type,
            "size": attachment.size,
        },
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Any, attachment: MeetingAttachment | int) -> None:
    """Remove an attachment of a meeting not yet closed; the file goes once the transaction commits."""
    pk = attachment if isinstance(attachment, int) else attachment.pk
    meeting_id = MeetingAttachment.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise NotFound(_("No such attachment."))
    locked = meeting_lock(meeting_id)
    require(may_convene(actor, locked), _not_convener())
    if not locked.is_open:
        raise Conflict(
            _("This meeting is %(status)s: it can no longer be changed.")
            % {"status": MeetingStatus(locked.status).label},
            code="immutable",
        )
    found = MeetingAttachment.objects.get(pk=pk)
    storage, name = found.file.storage, found.file.name
    before = {"attachment": found.pk, "name": found.original_name}
    found.delete()
    transaction.on_commit(lambda: storage.delete(name))
    audit_record(
        actor=actor, verb="meeting.attachment_remove", obj=locked, community_id=locked.community_id, before=before
    )
