"""What every voice service shares: locking, transitions, timeline events, audit and notifications."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, Organization, User
from gongzhi.accounts.roles import OrgKind
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict, DomainError
from gongzhi.core.services import now_or as now_or
from gongzhi.core.services import require as require
from gongzhi.notifications.services import notify

from ..models import TEXT_MAX, Status, Voice, VoiceEvent


def lock(voice: Voice) -> Voice:
    """The voice re-read under a row lock: concurrent transitions wait, then see the new state."""
    return Voice.objects.select_for_update().select_related("compound", "compound__community").get(pk=voice.pk)


def clean_text(text: str, *, field: str = "text", required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise DomainError(_("Enter the text."), field=field, code="required")
    if len(text) > TEXT_MAX:
        raise DomainError(
            _("At most %(max)d characters (this has %(n)d).") % {"max": TEXT_MAX, "n": len(text)},
            field=field,
            code="too_long",
        )
    return text


def event_add(
    voice: Voice,
    *,
    actor: Any,
    verb: str,
    at: datetime.datetime,
    note: str = "",
    public: bool = True,
    organization: Organization | None = None,
) -> VoiceEvent:
    return VoiceEvent.objects.create(
        community_id=voice.community_id,
        voice=voice,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        status=voice.status,
        public=public,
        note=note,
        organization=organization,
        at=at,
    )


def move(
    voice: Voice,
    to: str,
    *,
    actor: Any,
    verb: str,
    at: datetime.datetime,
    note: str = "",
    public: bool = True,
    organization: Organization | None = None,
    extra: dict[str, Any] | None = None,
) -> VoiceEvent:
    """Change the (locked) voice's status along ``Voice.TRANSITIONS``; an illegal move is a Conflict (409).

    Writes the timeline event and the audit event; the caller saves the voice.
    """
    before = voice.status
    if to not in Voice.TRANSITIONS.get(before, frozenset()):
        raise Conflict(
            _("This voice is %(status)s; it cannot become %(to)s.")
            % {"status": Status(before).label, "to": Status(to).label},
            code="illegal_transition",
        )
    voice.status = to
    event = event_add(voice, actor=actor, verb=verb, at=at, note=note, public=public, organization=organization)
    audit_record(
        actor=actor,
        verb=f"voice.{verb}",
        obj=voice,
        community_id=voice.community_id,
        before={"status": before},
        after={"status": to, **(extra or {})},
    )
    return event


def notify_later(*, recipients: Iterable[Any], verb: str, title: str, body: str = "", voice: Voice, key: str) -> None:
    """Notify after the commit, once per recipient and ``key`` (the voice's id is part of the key)."""
    people = [u for u in recipients if u is not None]
    if not people:
        return
    community_id = voice.community_id
    link = f"/voices/{voice.pk}/"
    dedup_key = f"voice:{voice.pk}:{key}"

    def send() -> None:
        notify(
            recipients=people,
            verb=verb,
            title=title,
            body=body,
            link=link,
            dedup_key=dedup_key,
            community_id=community_id,
        )

    transaction.on_commit(send)


def organization_staff(organization_ids: Iterable[int], roles: Iterable[str] | None = None) -> list[User]:
    qs = Membership.objects.filter(organization_id__in=list(organization_ids))
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return list(User.objects.filter(pk__in=qs.values("user_id"), is_active=True))


def compound_staff(voice: Voice, roles: Iterable[str]) -> list[User]:
    """Members with ``roles`` in the compound's property company or its community organization."""
    compound = voice.compound
    wanted = list(roles)
    qs = Membership.objects.filter(
        role__in=wanted, organization__kind=OrgKind.COMMUNITY, organization__area_id=compound.community_id
    )
    if compound.property_company_id:
        qs = qs | Membership.objects.filter(role__in=wanted, organization_id=compound.property_company_id)
    return list(User.objects.filter(pk__in=qs.values("user_id"), is_active=True))
