"""What the author does with their voice: withdraw, rate, reopen; and closing after the rating window."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict, DomainError

from ..models import Score, Status, Voice, VoiceRating
from ..rules import may_rate_voice, may_reopen_voice, may_withdraw_voice
from ._common import clean_text, compound_staff, lock, move, notify_later, now_or, organization_staff, require
from .policy import deadline_hours

REOPEN_WINDOW = datetime.timedelta(days=7)
COMMENT_MAX = 500


@transaction.atomic
def voice_withdraw(*, actor: Any, voice: Voice, reason: str = "", now: datetime.datetime | None = None) -> Voice:
    """The author withdraws their voice before it is resolved."""
    voice = lock(voice)
    require(may_withdraw_voice(actor, voice), _("Only the author may withdraw a voice."))
    reason = clean_text(reason, field="reason", required=False)
    move(voice, Status.WITHDRAWN, actor=actor, verb="withdraw", at=now_or(now), note=reason)
    voice.save()
    if voice.lead_organization_id:
        notify_later(
            recipients=organization_staff([voice.lead_organization_id]),
            verb="voice.withdrawn",
            title=_("A voice has been withdrawn by its author"),
            voice=voice,
            key="withdrawn",
        )
    return voice


def latest_rating(voice: Voice) -> VoiceRating | None:
    return voice.ratings.order_by("-at", "-id").first()


@transaction.atomic
def voice_rate(
    *, actor: Any, voice: Voice, score: str, comment: str = "", now: datetime.datetime | None = None
) -> VoiceRating:
    """The author rates the answer once per resolution. 满意 / 基本满意 close the voice; 不满意 leaves 7 days
    to reopen it. After a reopen and a new resolution, the new rating replaces the old one in the KPIs."""
    voice = lock(voice)
    require(may_rate_voice(actor, voice), _("Only the author may rate the answer."))
    if score not in Score.values:
        raise DomainError(_("Choose satisfied, basically satisfied or dissatisfied."), field="score")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(_("At most %(max)d characters.") % {"max": COMMENT_MAX}, field="comment")
    if voice.status != Status.RESOLVED or voice.resolved_at is None:
        raise Conflict(_("Only a resolved voice can be rated."), code="illegal_transition")
    if voice.ratings.filter(at__gte=voice.resolved_at).exists():
        raise Conflict(_("You have already rated this answer."), code="already_rated")
    at = now_or(now)
    rating = VoiceRating.objects.create(
        community_id=voice.community_id, voice=voice, rater=actor, score=score, comment=comment, at=at
    )
    if score in (Score.SATISFIED, Score.BASIC):
        move(voice, Status.CLOSED, actor=actor, verb="close", at=at, note=comment, extra={"score": score})
        voice.closed_at = at
        voice.save()
    else:
        audit_record(actor=actor, verb="voice.rate", obj=voice, community_id=voice.community_id, after={"score": score})
        notify_later(
            recipients=organization_staff([voice.lead_organization_id]) if voice.lead_organization_id else [],
            verb="voice.dissatisfied",
            title=_("A resident is not satisfied with the answer"),
            body=comment[:200],
            voice=voice,
            key=f"dissatisfied:{rating.pk}",
        )
    return rating


@transaction.atomic
def voice_reopen(*, actor: Any, voice: Voice, reason: str = "", now: datetime.datetime | None = None) -> Voice:
    """The author reopens a resolved voice rated 不满意, within 7 days of its resolution.

    A fresh resolution deadline starts; the response was already given, so ``accepted_at`` stays.
    """
    voice = lock(voice)
    require(may_reopen_voice(actor, voice), _("Only the author may reopen a voice."))
    at = now_or(now)
    if voice.status != Status.RESOLVED or voice.resolved_at is None:
        raise Conflict(_("Only a resolved voice can be reopened."), code="illegal_transition")
    rating = latest_rating(voice)
    if rating is None or rating.at < voice.resolved_at or rating.score != Score.DISSATISFIED:
        raise Conflict(_("Rate the answer as dissatisfied before reopening."), code="not_dissatisfied")
    if at > voice.resolved_at + REOPEN_WINDOW:
        raise Conflict(_("A voice can be reopened only within 7 days of its resolution."), code="reopen_expired")
    reason = clean_text(reason, field="reason", required=False)
    previous_due = voice.resolution_due_at
    move(
        voice,
        Status.REOPENED,
        actor=actor,
        verb="reopen",
        at=at,
        note=reason,
        extra={"previous_resolution_due": previous_due},
    )
    _response, resolution = deadline_hours(community_id=voice.community_id, kind=voice.kind, category=voice.category)
    voice.resolved_at = None
    voice.resolution_due_at = at + datetime.timedelta(hours=resolution) if resolution is not None else None
    voice.resolution_reminded = False
    voice.resolution_escalation = 0
    voice.save()
    recipients = (
        organization_staff([voice.lead_organization_id])
        if voice.lead_organization_id
        else compound_staff(voice, ["property_manager", "customer_service"])
    )
    notify_later(
        recipients=recipients,
        verb="voice.reopened",
        title=_("A resident reopened a voice"),
        body=reason[:200],
        voice=voice,
        key=f"reopened:{voice.events.count()}",
    )
    return voice


@transaction.atomic
def voice_close_expired(*, voice: Voice, now: datetime.datetime | None = None) -> Voice | None:
    """Close a resolved voice whose 7-day window has passed (by the system, from the deadline sweep)."""
    voice = lock(voice)
    at = now_or(now)
    if voice.status != Status.RESOLVED or voice.resolved_at is None or at <= voice.resolved_at + REOPEN_WINDOW:
        return None
    move(voice, Status.CLOSED, actor=None, verb="close", at=at, note="")
    voice.closed_at = at
    voice.save()
    return voice
