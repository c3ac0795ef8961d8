"""Raising a voice, and "me too"."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organization
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.estates.models import BindingStatus, Building, Compound, House, HouseBinding

from ..models import OPEN_STATUSES, Category, Channel, Kind, LocationKind, MeToo, Status, Voice, VoiceAssignment
from ..rules import is_resident_of, may_me_too
from ..text import category_suggest
from ._common import clean_text, event_add, lock, notify_later, now_or, organization_staff, require
from .policy import deadlines, route_for

IDEMPOTENCY_KEY_MAX = 64


def _location(
    *, author: Any, compound: Compound, location_kind: str, house: House | None, building: Building | None
) -> tuple[House | None, Building | None]:
    if location_kind == LocationKind.OWN_HOUSE:
        if house is None:
            raise DomainError(_("Choose your house."), field="house")
        own = HouseBinding.objects.filter(
            community_id=compound.community_id, house=house, user=author, status=BindingStatus.APPROVED
        ).exists()
        if house.compound_id != compound.pk or not own:
            raise DomainError(_("That is not one of your houses in this compound."), field="house")
        return house, house.building
    if location_kind == LocationKind.BUILDING:
        if building is None:
            raise DomainError(_("Choose the building."), field="building")
        if building.compound_id != compound.pk:
            raise DomainError(_("That building is not in this compound."), field="building")
        return None, building
    if location_kind == LocationKind.PUBLIC_AREA:
        return None, None
    raise DomainError(_("Say where: your house, a building or a public area."), field="location_kind")


@transaction.atomic
def voice_submit(
    *,
    author: Any,
    compound: Compound,
    kind: str,
    text: str,
    location_kind: str,
    category: Category | None = None,
    house: House | None = None,
    building: Building | None = None,
    is_public: bool = False,
    praised_organization: Organization | None = None,
    idempotency_key: str = "",
    channel: str | None = None,
    now: datetime.datetime | None = None,
) -> Voice:
    """A resident raises a voice about their compound.

    Only approved residents of the compound may. The same ``idempotency_key`` from the same author returns
    the voice already raised. Without a category one is suggested from the text (else 其他). Deadlines come
    from the deadline policy; the organization it would be routed to is stored as a suggestion.
    """
    if not getattr(author, "is_authenticated", False):
        raise NotAllowed(_("Log in to raise a voice."))
    key = (idempotency_key or "").strip()[:IDEMPOTENCY_KEY_MAX]
    if key:
        existing = Voice.objects.filter(community_id=compound.community_id, author=author, idempotency_key=key).first()
        if existing is not None:
            return existing
    require(is_resident_of(author, compound), _("Only residents of this compound may raise a voice here."))
    text = clean_text(text)
    house, building = _location(
        author=author, compound=compound, location_kind=location_kind, house=house, building=building
    )
    if praised_organization is not None and kind != Kind.PRAISE:
        praised_organization = None
    return voice_create(
        compound=compound,
        author=author,
        channel=Channel.APP if channel is None else channel,
        kind=kind,
        text=text,
        category=category,
        location_kind=location_kind,
        house=house,
        building=building,
        is_public=is_public,
        praised_organization=praised_organization,
        idempotency_key=key,
        now=now,
    )


def voice_create(
    *,
    compound: Compound,
    author: Any,
    channel: str,
    kind: str,
    text: str,
    category: Category | None,
    location_kind: str = LocationKind.PUBLIC_AREA,
    house: House | None = None,
    building: Building | None = None,
    is_public: bool = False,
    praised_organization: Organization | None = None,
    idempotency_key: str = "",
    now: datetime.datetime | None = None,
    **outside: Any,
) -> Voice:
    """Create a voice whose input has been checked: category, deadlines, routing, timeline, audit.

    The one place a voice comes into being, for every channel; the caller has checked who may raise it
    (``voice_submit`` for residents; Open311 by key). ``outside`` sets the outside channels' fields
    (``external_ref``, ``latitude``, ``contact_name`` …). Call inside a transaction.
    """
    if kind not in Kind.values:
        raise DomainError(_("Choose what kind of voice this is."), field="kind")
    key = idempotency_key
    active = Category.objects.filter(is_active=True)
    if category is None:
        category = category_suggest(text, active) or active.filter(name="其他").first() or active.first()
        if category is None:
            raise DomainError(_("Choose a category."), field="category")
    elif not category.is_active:
        raise DomainError(_("Choose a category."), field="category")
    at = now_or(now)
    response_due, resolution_due = deadlines(community_id=compound.community_id, kind=kind, category=category, start=at)
    suggested = praised_organization if kind == Kind.PRAISE and praised_organization else None
    voice = Voice(
        community_id=compound.community_id,
        compound=compound,
        author=author,
        channel=channel,
        kind=kind,
        category=category,
        text=text,
        location_kind=location_kind,
        house=house,
        building=building,
        is_public=is_public,
        praised_organization=praised_organization,
        suggested_organization=suggested or route_for(compound=compound, category=category),
        submitted_at=at,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        idempotency_key=key,
        **outside,
    )
    try:
        with transaction.atomic():
            voice.save()
    except IntegrityError:
        # The same submission raced us in: the first one wins, and this one returns it.
        existing = (
            Voice.objects.filter(community_id=compound.community_id, author=author, idempotency_key=key).first()
            if key and author is not None
            else None
        )
        if existing is not None:
            return existing
        raise
    event_add(voice, actor=author, verb="submit", at=at)
    if suggested is not None:
        # Praise goes straight to the praised organization, whose staff acknowledge it.
        VoiceAssignment.objects.create(
            community_id=voice.community_id, voice=voice, organization=suggested, is_lead=True, assigned_at=at
        )
        voice.lead_organization = suggested
        voice.save(update_fields=["lead_organization"])
        event_add(voice, actor=author, verb="route", at=at, public=False, organization=suggested)
        notify_later(
            recipients=organization_staff([suggested.pk]),
            verb="voice.praise",
            title=_("A resident has praised your organization"),
            body=text[:200],
            voice=voice,
            key="praise",
        )
    audit_record(
        actor=author,
        verb="voice.submit",
        obj=voice,
        community_id=voice.community_id,
        after=snapshot(voice, ["kind", "category_id", "location_kind", "is_public", "compound_id", "channel"]),
    )
    return voice


@transaction.atomic
def me_too_add(*, actor: Any, voice: Voice, now: datetime.datetime | None = None) -> MeToo:
    """A neighbour joins a public voice of their compound instead of raising a duplicate (once)."""
    voice = lock(voice)
    require(may_me_too(actor, voice), _("You may not join this voice."))
    if voice.status not in OPEN_STATUSES | {Status.RESOLVED}:
        raise Conflict(_("This voice is no longer open."), code="illegal_transition")
    existing = MeToo.objects.filter(community_id=voice.community_id, voice=voice, user=actor).first()
    if existing is not None:
        return existing
    me_too = MeToo.objects.create(community_id=voice.community_id, voice=voice, user=actor)
    Voice.objects.filter(pk=voice.pk).update(me_too_count=F("me_too_count") + 1)
    event_add(voice, actor=actor, verb="me_too", at=now_or(now), public=False)
    audit_record(actor=actor, verb="voice.me_too", obj=voice, community_id=voice.community_id)
    return me_too
