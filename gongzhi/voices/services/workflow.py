"""Staff handling a voice: accept, reject, merge, dispatch / transfer, joint handling, replies, resolve."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organization, User
from gongzhi.accounts.selectors import memberships_of
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict, DomainError

from ..models import Kind, MeToo, Status, Voice, VoiceAssignment, VoiceReply
from ..rules import may_handle_voice, may_transfer_voice, may_triage_voice
from ._common import clean_text, event_add, lock, move, notify_later, now_or, organization_staff, require
from .policy import route_for

OPEN_FOR_WORK = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.REOPENED})


def _acting_organization(actor: Any, voice: Voice) -> Organization | None:
    """The organization the actor acts for: an assigned one first, else the first they belong to."""
    assigned = set(voice.assignments.filter(is_active=True).values_list("organization_id", flat=True))
    memberships = memberships_of(actor)
    for m in memberships:
        if m.organization_id in assigned:
            return m.organization
    return memberships[0].organization if memberships else None


def _accept(voice: Voice, *, actor: Any, at: datetime.datetime, note: str = "") -> None:
    move(voice, Status.ACCEPTED, actor=actor, verb="accept", at=at, note=note)
    if voice.accepted_at is None:  # the first acceptance is the response (KPIS.md 响应率)
        voice.accepted_at = at


@transaction.atomic
def voice_accept(*, actor: Any, voice: Voice, note: str = "", now: datetime.datetime | None = None) -> Voice:
    """受理: staff of the compound accept a submitted (or reopened) voice. A second accept is a Conflict."""
    voice = lock(voice)
    require(may_triage_voice(actor, voice), _("You may not accept this voice."))
    _accept(voice, actor=actor, at=now_or(now), note=clean_text(note, field="note", required=False))
    voice.save()
    notify_later(
        recipients=[voice.author],
        verb="voice.accepted",
        title=_("Your voice has been accepted"),
        voice=voice,
        key=f"accepted:{voice.events.count()}",
    )
    return voice


@transaction.atomic
def voice_reject(*, actor: Any, voice: Voice, reason: str, now: datetime.datetime | None = None) -> Voice:
    """Reject a submitted voice as invalid, with a reason the author sees. It then counts in no KPI."""
    voice = lock(voice)
    require(may_triage_voice(actor, voice), _("You may not reject this voice."))
    reason = clean_text(reason, field="reason")
    move(voice, Status.REJECTED, actor=actor, verb="reject", at=now_or(now), note=reason)
    voice.save()
    notify_later(
        recipients=[voice.author],
        verb="voice.rejected",
        title=_("Your voice was not accepted"),
        body=reason,
        voice=voice,
        key="rejected",
    )
    return voice


@transaction.atomic
def voice_merge(*, actor: Any, voice: Voice, original: Voice, now: datetime.datetime | None = None) -> Voice:
    """Merge a submitted duplicate into its original: its author and followers follow the original instead.

    The duplicate's author and its "me too" users become "me too" of the original (unless they wrote it),
    and all of them are told.
    """
    if voice.pk == original.pk:
        raise DomainError(_("A voice cannot be a duplicate of itself."), field="original")
    # Lock both in id order so that two merges cannot deadlock.
    first, second = sorted([voice, original], key=lambda v: v.pk)
    locked = {v.pk: lock(v) for v in (first, second)}
    voice, original = locked[voice.pk], locked[original.pk]
    require(may_triage_voice(actor, voice), _("You may not merge this voice."))
    if original.compound_id != voice.compound_id:
        raise DomainError(_("The original must be a voice of the same compound."), field="original")
    if original.status in (Status.REJECTED, Status.MERGED, Status.WITHDRAWN):
        raise Conflict(_("The original is itself closed as invalid, duplicate or withdrawn."), code="bad_original")
    at = now_or(now)
    move(
        voice,
        Status.MERGED,
        actor=actor,
        verb="merge",
        at=at,
        note=_("Merged into voice #%(id)s.") % {"id": original.pk},
        extra={"merged_into": original.pk},
    )
    voice.merged_into = original
    voice.save()
    followers: set[int] = {*MeToo.objects.filter(voice=voice).values_list("user_id", flat=True)}
    if voice.author_id is not None:
        followers.add(voice.author_id)
    followers.discard(original.author_id or 0)
    already = set(MeToo.objects.filter(voice=original).values_list("user_id", flat=True))
    new = [uid for uid in followers if uid not in already]
    MeToo.objects.bulk_create(
        [MeToo(community_id=original.community_id, voice=original, user_id=uid) for uid in new], ignore_conflicts=True
    )
    if new:
        Voice.objects.filter(pk=original.pk).update(me_too_count=F("me_too_count") + len(new))
    event_add(original, actor=actor, verb="merged_in", at=at, public=False, note=f"#{voice.pk}")
    notify_later(
        recipients=User.objects.filter(pk__in={voice.author_id, *followers}),
        verb="voice.merged",
        title=_("Your voice joins an earlier one on the same matter"),
        body=_("You will be told what happens to voice #%(id)s.") % {"id": original.pk},
        voice=voice,
        key="merged",
    )
    return voice


def _assign(
    voice: Voice, *, organizations: Sequence[Organization], lead: Organization, actor: Any, at: datetime.datetime
) -> None:
    VoiceAssignment.objects.filter(voice=voice, is_active=True).update(is_active=False)
    VoiceAssignment.objects.bulk_create(
        [
            VoiceAssignment(
                community_id=voice.community_id,
                voice=voice,
                organization=org,
                is_lead=org.pk == lead.pk,
                assigned_at=at,
                assigned_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            for org in organizations
        ]
    )
    voice.lead_organization = lead
    voice._gz_assigned_orgs = {o.pk for o in organizations}  # type: ignore[attr-defined]


def _dispatch(
    voice: Voice,
    *,
    actor: Any,
    organizations: Sequence[Organization],
    lead: Organization,
    note: str,
    at: datetime.datetime,
    verb: str,
) -> None:
    if voice.status == Status.SUBMITTED:  # dispatching a new voice accepts it first
        require(may_triage_voice(actor, voice), _("You may not dispatch this voice."))
        _accept(voice, actor=actor, at=at)
    elif voice.status == Status.DISPATCHED:
        require(may_transfer_voice(actor, voice), _("You may not transfer this voice."))
        verb = "transfer" if verb == "dispatch" else verb
    else:
        require(may_triage_voice(actor, voice), _("You may not dispatch this voice."))
    move(
        voice,
        Status.DISPATCHED,
        actor=actor,
        verb=verb,
        at=at,
        note=note,
        organization=lead,
        extra={"lead": lead.pk, "organizations": [o.pk for o in organizations]},
    )
    _assign(voice, organizations=organizations, lead=lead, actor=actor, at=at)
    voice.save()
    count = voice.events.count()
    notify_later(
        recipients=organization_staff([o.pk for o in organizations]),
        verb="voice.dispatched",
        title=_("A voice has been sent to your organization"),
        body=voice.text[:200],
        voice=voice,
        key=f"dispatched:{count}",
    )
    notify_later(
        recipients=[voice.author],
        verb="voice.dispatched",
        title=_("Your voice has been passed to %(org)s") % {"org": lead.name},
        voice=voice,
        key=f"dispatched:{count}",
    )


@transaction.atomic
def voice_dispatch(
    *,
    actor: Any,
    voice: Voice,
    organization: Organization | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Voice:
    """Send the voice to one organization (the routing rule's when none is given). From dispatched: transfer."""
    voice = lock(voice)
    organization = (
        organization or voice.suggested_organization or route_for(compound=voice.compound, category=voice.category)
    )
    if organization is None:
        raise DomainError(_("Choose the organization to send it to."), field="organization")
    _dispatch(
        voice,
        actor=actor,
        organizations=[organization],
        lead=organization,
        note=clean_text(note, field="note", required=False),
        at=now_or(now),
        verb="dispatch",
    )
    return voice


@transaction.atomic
def voice_assign_joint(
    *,
    actor: Any,
    voice: Voice,
    organizations: Sequence[Organization],
    lead: Organization,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Voice:
    """问题联判 · 服务联做: several organizations handle the voice together, one of them the lead."""
    voice = lock(voice)
    unique = list({o.pk: o for o in organizations}.values())
    if len(unique) < 2:
        raise DomainError(_("Joint handling needs at least two organizations."), field="organizations")
    if lead.pk not in {o.pk for o in unique}:
        raise DomainError(_("The lead must be one of the organizations."), field="lead")
    _dispatch(
        voice,
        actor=actor,
        organizations=unique,
        lead=lead,
        note=clean_text(note, field="note", required=False),
        at=now_or(now),
        verb="assign_joint",
    )
    return voice


def _reply_add(voice: Voice, *, actor: Any, text: str, internal: bool, at: datetime.datetime) -> VoiceReply:
    return VoiceReply.objects.create(
        community_id=voice.community_id,
        voice=voice,
        author=actor,
        organization=_acting_organization(actor, voice),
        is_internal=internal,
        text=text,
        created_at=at,
    )


@transaction.atomic
def voice_reply(*, actor: Any, voice: Voice, text: str, now: datetime.datetime | None = None) -> VoiceReply:
    """A public reply: the author sees it, and neighbours too when the voice is public."""
    voice = lock(voice)
    require(may_handle_voice(actor, voice), _("You may not reply to this voice."))
    if voice.status not in OPEN_FOR_WORK | {Status.SUBMITTED}:
        raise Conflict(_("This voice is no longer open."), code="illegal_transition")
    text = clean_text(text)
    at = now_or(now)
    reply = _reply_add(voice, actor=actor, text=text, internal=False, at=at)
    event_add(voice, actor=actor, verb="reply", at=at, note=text, organization=reply.organization)
    audit_record(actor=actor, verb="voice.reply", obj=voice, community_id=voice.community_id)
    notify_later(
        recipients=[voice.author],
        verb="voice.reply",
        title=_("A reply to your voice"),
        body=text[:200],
        voice=voice,
        key=f"reply:{reply.pk}",
    )
    return reply


@transaction.atomic
def voice_note_add(*, actor: Any, voice: Voice, text: str, now: datetime.datetime | None = None) -> VoiceReply:
    """An internal note: staff only, never shown to the author or neighbours."""
    voice = lock(voice)
    require(may_handle_voice(actor, voice), _("You may not add notes to this voice."))
    text = clean_text(text)
    at = now_or(now)
    note = _reply_add(voice, actor=actor, text=text, internal=True, at=at)
    event_add(voice, actor=actor, verb="note", at=at, note=text, public=False, organization=note.organization)
    audit_record(actor=actor, verb="voice.note", obj=voice, community_id=voice.community_id)
    return note


def _resolve(voice: Voice, *, actor: Any, reply: str, at: datetime.datetime, verb: str = "resolve") -> None:
    if voice.status == Status.SUBMITTED:
        _accept(voice, actor=actor, at=at)
    reply_row = _reply_add(voice, actor=actor, text=reply, internal=False, at=at)
    move(voice, Status.RESOLVED, actor=actor, verb=verb, at=at, note=reply, organization=reply_row.organization)
    voice.resolved_at = at
    voice.reply = reply


@transaction.atomic
def voice_resolve(*, actor: Any, voice: Voice, reply: str, now: datetime.datetime | None = None) -> Voice:
    """办结: resolve with a public reply (required). The author may then rate it."""
    voice = lock(voice)
    require(may_handle_voice(actor, voice), _("You may not resolve this voice."))
    reply = clean_text(reply, field="reply")
    at = now_or(now)
    _resolve(voice, actor=actor, reply=reply, at=at)
    voice.save()
    notify_later(
        recipients=[voice.author],
        verb="voice.resolved",
        title=_("Your voice has been resolved: please rate the answer"),
        body=reply[:200],
        voice=voice,
        key=f"resolved:{voice.events.count()}",
    )
    return voice


@transaction.atomic
def praise_acknowledge(*, actor: Any, voice: Voice, reply: str, now: datetime.datetime | None = None) -> Voice:
    """The praised organization (or compound staff) thanks the author; the praise is then closed."""
    voice = lock(voice)
    if voice.kind != Kind.PRAISE:
        raise DomainError(_("Only praise is acknowledged."), field="kind")
    praised = voice.praised_organization_id
    is_praised_staff = praised is not None and praised in {m.organization_id for m in memberships_of(actor)}
    require(is_praised_staff or may_handle_voice(actor, voice), _("You may not acknowledge this praise."))
    reply = clean_text(reply, field="reply")
    at = now_or(now)
    if voice.status not in (Status.SUBMITTED, *OPEN_FOR_WORK):
        raise Conflict(_("This voice is no longer open."), code="illegal_transition")
    _resolve(voice, actor=actor, reply=reply, at=at, verb="acknowledge")
    move(voice, Status.CLOSED, actor=actor, verb="close", at=at)
    voice.closed_at = at
    voice.save()
    notify_later(
        recipients=[voice.author],
        verb="voice.acknowledged",
        title=_("Thank you: your praise has been passed on"),
        body=reply[:200],
        voice=voice,
        key="acknowledged",
    )
    return voice
