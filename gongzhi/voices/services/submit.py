"""Raising a voice, and "me too"."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, Organization, User
from gongzhi.accounts.roles import OrgKind
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.estates.models import Area, BindingStatus, Building, Compound, House, HouseBinding

from ..models import (
    OPEN_STATUSES,
    Category,
    Channel,
    Kind,
    LocationKind,
    MeToo,
    PhotoStage,
    Status,
    Voice,
    VoiceAssignment,
    VoiceEvent,
)
from ..photos import PreparedPhoto, photos_prepare
from ..rules import is_resident_of, may_me_too
from ..text import category_suggest
from ._common import clean_text, event_add, lock, notify_later, now_or, organization_staff, require
from .photos import photos_store
from .policy import intake_policy

IDEMPOTENCY_KEY_MAX = 64
# Who may be praised: the bodies that serve a compound (the residents' committee, the property company, the
# community and the sub-district, district bodies and departments above it, the police station).
PRAISE_KINDS = (
    OrgKind.PROPERTY,
    OrgKind.COMMUNITY,
    OrgKind.RESIDENTS,
    OrgKind.SUB_DISTRICT,
    OrgKind.DISTRICT,
    OrgKind.DEPARTMENT,
    OrgKind.POLICE,
)


def praise_targets(compounds: Iterable[Compound]) -> QuerySet[Organization]:
    """The organizations a resident of these compounds may praise (see ``PRAISE_KINDS``)."""
    area_ids: set[int] = set()
    q = Q(pk__in=[])
    for compound in compounds:
        area: Area | None = compound.community
        while area is not None and len(area_ids) < 64:
            area_ids.add(area.pk)
            area = area.parent
        if compound.property_company_id:
            q |= Q(pk=compound.property_company_id)
        q |= Q(kind=OrgKind.RESIDENTS, compound_id=compound.pk)
    q |= Q(area_id__in=area_ids, kind__in=PRAISE_KINDS)
    return Organization.objects.filter(q).order_by("kind", "name")


def praise_people(organization: Organization | None) -> QuerySet[User]:
    """The active staff of an organization, by name: whom a resident may praise by name."""
    if organization is None:
        return User.objects.none()
    members = Membership.objects.filter(organization=organization).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("name", "pk")


def _praise(
    *, kind: str, compound: Compound, organization: Organization | None, person: Any
) -> tuple[Organization | None, Any]:
    """The praised organization and person, checked: an organization serving the compound, a member of it."""
    if kind != Kind.PRAISE:
        return None, None
    if organization is not None and not praise_targets([compound]).filter(pk=organization.pk).exists():
        raise DomainError(_("Choose an organization that serves your compound."), field="praised_organization")
    if person is not None:
        if organization is None:
            raise DomainError(_("Choose the organization of the person you praise."), field="praised_organization")
        if not praise_people(organization).filter(pk=person.pk).exists():
            raise DomainError(_("Choose a person of that organization."), field="praised_user")
    return organization, person


@dataclass(frozen=True)
class Submitted:
    """What ``voice_submit_outcome`` hands back: the voice; whether this call raised it (False: the same
    idempotency key had raised it before, or raced this call in); the timeline events it wrote (none if not)."""

    voice: Voice
    created: bool
    events: tuple[VoiceEvent, ...] = ()


def _homes(author: Any, compound: Compound) -> set[int]:
    """The houses of the compound the author is an approved resident of (``rules.is_resident_of`` is "any")."""
    return set(
        HouseBinding.objects.filter(
            community_id=compound.community_id, compound=compound, user=author, status=BindingStatus.APPROVED
        ).values_list("house_id", flat=True)
    )


def _location(
    *,
    compound: Compound,
    location_kind: str,
    house: House | None,
    building: Building | None,
    homes: set[int],
) -> tuple[House | None, Building | None]:
    if location_kind == LocationKind.OWN_HOUSE:
        if house is None:
            raise DomainError(_("Choose your house."), field="house")
        if house.compound_id != compound.pk or house.pk not in homes:
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
    praised_user: Any = None,
    photos: Sequence[Any] = (),
    idempotency_key: str = "",
    channel: str | None = None,
    now: datetime.datetime | None = None,
) -> Voice:
    """A resident raises a voice about their compound, with up to ``VoicePhoto.MAX_PER_VOICE`` photos.

    Only approved residents of the compound may. The same ``idempotency_key`` from the same author returns
    the voice already raised (its photos are not added again). Without a category one is suggested from the
    text (else 其他). Deadlines come from the deadline policy; the organization it would be routed to is stored
    as a suggestion. Praise goes to the praised organization (one serving the compound) and the praised person
    (one of its staff) is told as well. Photos are checked and re-encoded before the transaction starts; a bad
    one refuses the whole voice.
    """
    if not getattr(author, "is_authenticated", False):
        raise NotAllowed(_("Log in to raise a voice."))
    if photos:  # decode photos (slow) only for someone who may raise the voice, and outside the transaction
        require(is_resident_of(author, compound), _("Only residents of this compound may raise a voice here."))
    prepared = photos_prepare(photos) if photos else []
    return voice_submit_outcome(
        author=author,
        compound=compound,
        kind=kind,
        text=text,
        location_kind=location_kind,
        category=category,
        house=house,
        building=building,
        is_public=is_public,
        praised_organization=praised_organization,
        praised_user=praised_user,
        prepared=prepared,
        idempotency_key=idempotency_key,
        channel=channel,
        now=now,
    ).voice


@transaction.atomic
def voice_submit_outcome(
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
    praised_user: Any = None,
    prepared: Sequence[PreparedPhoto] = (),
    idempotency_key: str = "",
    channel: str | None = None,
    now: datetime.datetime | None = None,
) -> Submitted:
    """``voice_submit`` with photos already prepared, saying whether the voice is new and which timeline
    events it wrote (so that the API answers with the new voice without reading it again)."""
    if not getattr(author, "is_authenticated", False):
        raise NotAllowed(_("Log in to raise a voice."))
    return _voice_submit(
        author=author,
        compound=compound,
        kind=kind,
        text=text,
        location_kind=location_kind,
        category=category,
        house=house,
        building=building,
        is_public=is_public,
        praised_organization=praised_organization,
        praised_user=praised_user,
        prepared=prepared,
        idempotency_key=idempotency_key,
        channel=channel,
        now=now,
    )


def _voice_submit(
    *,
    author: Any,
    compound: Compound,
    kind: str,
    text: str,
    location_kind: str,
    category: Category | None,
    house: House | None,
    building: Building | None,
    is_public: bool,
    praised_organization: Organization | None,
    praised_user: Any,
    prepared: Sequence[PreparedPhoto],
    idempotency_key: str,
    channel: str | None,
    now: datetime.datetime | None,
) -> Submitted:
    key = (idempotency_key or "").strip()[:IDEMPOTENCY_KEY_MAX]
    if key:
        existing = Voice.objects.filter(community_id=compound.community_id, author=author, idempotency_key=key).first()
        if existing is not None:
            return Submitted(voice=existing, created=False)
    # One query for both checks: a resident of the compound (``is_resident_of``), and which houses are theirs.
    homes = _homes(author, compound)
    require(bool(homes), _("Only residents of this compound may raise a voice here."))
    text = clean_text(text)
    house, building = _location(
        compound=compound, location_kind=location_kind, house=house, building=building, homes=homes
    )
    praised_organization, praised_user = _praise(
        kind=kind, compound=compound, organization=praised_organization, person=praised_user
    )
    submitted = _voice_create(
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
        praised_user=praised_user,
        idempotency_key=key,
        now=now,
    )
    if submitted.created and prepared:
        voice = submitted.voice
        photos_store(actor=author, voice=voice, prepared=list(prepared), stage=PhotoStage.RAISED, at=voice.submitted_at)
    return submitted


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
    praised_user: Any = None,
    idempotency_key: str = "",
    now: datetime.datetime | None = None,
    **outside: Any,
) -> Voice:
    """Create a voice whose input has been checked: category, deadlines, routing, timeline, audit.

    The one place a voice comes into being, for every channel; the caller has checked who may raise it
    (``voice_submit`` for residents; Open311 by key). ``outside`` sets the outside channels' fields
    (``external_ref``, ``latitude``, ``contact_name`` …). Call inside a transaction.
    """
    return _voice_create(
        compound=compound,
        author=author,
        channel=channel,
        kind=kind,
        text=text,
        category=category,
        location_kind=location_kind,
        house=house,
        building=building,
        is_public=is_public,
        praised_organization=praised_organization,
        praised_user=praised_user,
        idempotency_key=idempotency_key,
        now=now,
        **outside,
    ).voice


def _voice_create(
    *,
    compound: Compound,
    author: Any,
    channel: str,
    kind: str,
    text: str,
    category: Category | None,
    location_kind: str,
    house: House | None,
    building: Building | None,
    is_public: bool,
    praised_organization: Organization | None,
    praised_user: Any,
    idempotency_key: str,
    now: datetime.datetime | None,
    **outside: Any,
) -> Submitted:
    """``voice_create``, also saying whether the voice is new (False: the same submission raced us in)."""
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
    response_due, resolution_due, routed_id = intake_policy(compound=compound, kind=kind, category=category, start=at)
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
        praised_user=praised_user if kind == Kind.PRAISE else None,
        suggested_organization_id=suggested.pk if suggested is not None else routed_id,
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
            return Submitted(voice=existing, created=False)
        raise
    events = [event_add(voice, actor=author, verb="submit", at=at)]
    if suggested is not None:
        # Praise goes straight to the praised organization, whose staff acknowledge it.
        VoiceAssignment.objects.create(
            community_id=voice.community_id, voice=voice, organization=suggested, is_lead=True, assigned_at=at
        )
        voice.lead_organization = suggested
        voice.save(update_fields=["lead_organization"])
        events.append(event_add(voice, actor=author, verb="route", at=at, public=False, organization=suggested))
        notify_later(
            recipients=organization_staff([suggested.pk]),
            verb="voice.praise",
            title=_("A resident has praised your organization"),
            body=text[:200],
            voice=voice,
            key="praise",
        )
    if voice.praised_user is not None:
        notify_later(
            recipients=[voice.praised_user],
            verb="voice.praise",
            title=_("A resident has praised you"),
            body=text[:200],
            voice=voice,
            key="praise:person",
        )
    audit_record(
        actor=author,
        verb="voice.submit",
        obj=voice,
        community_id=voice.community_id,
        after=snapshot(
            voice,
            ["kind", "category_id", "location_kind", "is_public", "compound_id", "channel", "praised_user_id"],
        ),
    )
    return Submitted(voice=voice, created=True, events=tuple(events))


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
