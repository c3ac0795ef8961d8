"""Cases: opening (also from a voice), parties, mediators, evidence, and the access log."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import crypto
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.estates.models import BindingStatus, Compound, House, HouseBinding, Resident
from gongzhi.estates.scope import roles_in_compound
from gongzhi.voices import selectors as voice_selectors
from gongzhi.voices.models import VoiceEvent
from gongzhi.voices.photos import thumb_name

from ..models import (
    NAME_MAX,
    PLACE_MAX,
    TITLE_MAX,
    Capacity,
    Case,
    CaseAccess,
    CaseEvidence,
    CaseMediator,
    CaseParty,
    CaseType,
    PartyKind,
    evidence_path,
)
from ..rules import may_add_evidence, may_manage_case, may_open_case, may_view_case
from ..selectors import eligible_mediators
from ..uploads import evidence_check
from ._common import (
    TEXT_MAX,
    case_link,
    case_lock,
    choice,
    clean_text,
    event_add,
    notify_later,
    now_or,
    require_visible,
    user_or_none,
)

logger = logging.getLogger(__name__)

MAX_PARTIES = 10
# The capacity an opener is assigned in, from their role (a secretary oversees every case and is not assigned).
OPENER_CAPACITY = {"grid_worker": Capacity.GRID_WORKER, "community_staff": Capacity.COMMUNITY_STAFF}
VOICE_VERB = "mediation"


@dataclass(frozen=True)
class PartyInput:
    """A party as entered: a household (its house, as 1栋1单元101), a person (name and phone), or the company."""

    kind: str
    house: str = ""
    name: str = ""
    phone: str = ""


def house_by_label(compound: Compound, label: str, *, field: str = "house") -> House:
    """The compound's house written as building + unit + room (spaces and dashes ignored); else a clear error."""
    wanted = "".join(ch for ch in str(label or "") if ch not in " -/－—")
    if not wanted:
        raise DomainError(_("Enter the house, e.g. 1栋1单元101."), field=field, code="required")
    candidates = House.objects.filter(community_id=compound.community_id, compound=compound).select_related(
        "building", "unit"
    )
    for house in candidates.filter(room__in=[wanted[-n:] for n in range(1, min(len(wanted), 20) + 1)]):
        if f"{house.building.name}{house.unit.name}{house.room}".replace(" ", "") == wanted:
            return house
    raise DomainError(
        _("%(house)s is not a house of this compound.") % {"house": label[:40]}, field=field, code="not_in_compound"
    )


def _person_of_compound(compound: Compound, phone: str) -> tuple[User | None, bool]:
    """The account with this phone, and whether the phone belongs to someone of the compound."""
    digest = crypto.phone_hash(phone)
    user = User.objects.filter(phone_hash=digest, is_active=True).first()
    if (
        user is not None
        and HouseBinding.objects.filter(
            community_id=compound.community_id, compound=compound, user=user, status=BindingStatus.APPROVED
        ).exists()
    ):
        return user, True
    known = (
        Resident.objects.filter(community_id=compound.community_id, compound=compound, phone_hash=digest).exists()
        or House.objects.filter(community_id=compound.community_id, compound=compound, owner_phone_hash=digest).exists()
    )
    return (user if known else None), known


def party_build(*, case: Case, compound: Compound, data: PartyInput, actor: Any, at: datetime.datetime) -> CaseParty:
    """An unsaved party, checked: a household of the compound, a person of the compound, its property company."""
    kind = choice(data.kind, PartyKind, field="kind")
    party = CaseParty(
        community_id=compound.community_id, case=case, kind=kind, added_by=user_or_none(actor), added_at=at
    )
    if kind == PartyKind.COMPANY:
        if compound.property_company_id is None:
            raise DomainError(_("This compound has no property company."), field="kind", code="no_company")
        party.organization_id = compound.property_company_id
        party.name = compound.property_company.name if compound.property_company else ""
        return party
    if kind == PartyKind.HOUSEHOLD:
        house = house_by_label(compound, data.house)
        party.house = house
        party.name = clean_text(data.name or house.owner_name or data.house, field="name", max_length=NAME_MAX)
        phone = data.phone or house.owner_phone
        if phone:
            party.phone = crypto.normalize_phone(phone)
        return party
    party.name = clean_text(data.name, field="name", max_length=NAME_MAX)
    phone = crypto.normalize_phone(data.phone)
    if not crypto.is_mobile(phone):
        raise DomainError(_("Enter an 11-digit mobile number."), field="phone", code="invalid_phone")
    user, known = _person_of_compound(compound, phone)
    if not known:
        raise DomainError(
            _("%(name)s is not a resident of this compound.") % {"name": party.name},
            field="phone",
            code="not_in_compound",
        )
    party.phone, party.user = phone, user
    if data.house:
        party.house = house_by_label(compound, data.house)
    return party


def _assign(case: Case, *, user: User, capacity: str, actor: Any, at: datetime.datetime) -> CaseMediator:
    mediator = CaseMediator.objects.create(
        community_id=case.community_id,
        case=case,
        user=user,
        capacity=capacity,
        assigned_by=user_or_none(actor),
        assigned_at=at,
    )
    case._gz_mediators = None  # type: ignore[attr-defined]
    return mediator


def _open(
    *,
    actor: Any,
    compound: Compound,
    case_type: str,
    title: str,
    description: str,
    place: str,
    parties: Sequence[PartyInput],
    at: datetime.datetime,
    voice_id: int | None = None,
    known_parties: Sequence[CaseParty] = (),
) -> Case:
    if not may_open_case(actor, compound):
        raise NotAllowed(_("You may not open mediation cases in this compound."))
    case = Case(
        community_id=compound.community_id,
        compound=compound,
        case_type=choice(case_type, CaseType, field="case_type"),
        title=clean_text(title, field="title", max_length=TITLE_MAX),
        description=clean_text(description, field="description", max_length=TEXT_MAX),
        place=clean_text(place, field="place", max_length=PLACE_MAX, required=False),
        voice_id=voice_id,
        opened_by=user_or_none(actor),
        opened_at=at,
    )
    if len(parties) + len(known_parties) > MAX_PARTIES:
        raise DomainError(_("At most %(max)d parties.") % {"max": MAX_PARTIES}, field="parties", code="too_many")
    built = [party_build(case=case, compound=compound, data=p, actor=actor, at=at) for p in parties]
    if not built and not known_parties:
        raise DomainError(_("Name at least one party."), field="parties", code="required")
    case.save()
    for party in [*known_parties, *built]:
        party.case = case
        party.save()
    roles = roles_in_compound(actor, compound)
    role_capacity = next((OPENER_CAPACITY[r] for r in sorted(roles) if r in OPENER_CAPACITY), None)
    if role_capacity is not None and "secretary" not in roles:
        _assign(case, user=actor, capacity=role_capacity, actor=actor, at=at)
    event_add(case, actor=actor, verb="open", at=at)
    audit_record(
        actor=actor,
        verb="mediation.case_open",
        obj=case,
        community_id=case.community_id,
        after={"type": case.case_type, "parties": len(built) + len(known_parties), "voice": voice_id},
    )
    return case


@transaction.atomic
def case_open(
    *,
    actor: Any,
    compound: Compound,
    case_type: str,
    title: str,
    description: str,
    place: str = "",
    parties: Sequence[PartyInput] = (),
    now: datetime.datetime | None = None,
) -> Case:
    """Open a case: community staff, the secretary or a grid worker of the compound; at least one party, each of
    the compound. The opener (not the secretary, who oversees every case) becomes its first mediator."""
    return _open(
        actor=actor,
        compound=compound,
        case_type=case_type,
        title=title,
        description=description,
        place=place,
        parties=parties,
        at=now_or(now),
    )


@transaction.atomic
def case_from_voice(
    *,
    actor: Any,
    voice_id: int,
    case_type: str,
    title: str,
    description: str = "",
    place: str = "",
    parties: Sequence[PartyInput] = (),
    now: datetime.datetime | None = None,
) -> Case:
    """Turn a voice into a case: read through the voices' scoped selector (a voice the actor does not see is not
    found); its submitter becomes a party and is told; the voice's timeline gets an internal "mediation" event."""
    voice = voice_selectors.voice_get(user=actor, pk=voice_id)
    at = now_or(now)
    compound = voice.compound
    if not may_open_case(actor, compound):
        raise NotAllowed(_("You may not open mediation cases in this compound."))
    if Case.objects.filter(community_id=voice.community_id, voice=voice).exists():
        raise Conflict(_("This voice is already a mediation case."), code="already_converted")
    submitter = CaseParty(
        community_id=compound.community_id, kind=PartyKind.PERSON, added_by=user_or_none(actor), added_at=at
    )
    if voice.author is not None:
        submitter.user = voice.author
        submitter.name = voice.author.name[:NAME_MAX]
        submitter.phone = voice.author.phone
    else:
        submitter.name = (voice.contact_name or _("Submitter"))[:NAME_MAX]
        submitter.phone = voice.contact_phone
    submitter.house = voice.house if voice.house is not None and voice.house.compound_id == compound.pk else None
    try:
        with transaction.atomic():
            case = _open(
                actor=actor,
                compound=compound,
                case_type=case_type,
                title=title,
                description=description or voice.text,
                place=place or voice.address_text,
                parties=parties,
                at=at,
                voice_id=voice.pk,
                known_parties=[submitter],
            )
    except IntegrityError:
        raise Conflict(_("This voice is already a mediation case."), code="already_converted") from None
    VoiceEvent.objects.create(
        community_id=voice.community_id,
        voice=voice,
        actor=user_or_none(actor),
        verb=VOICE_VERB,
        status=voice.status,
        public=False,
        note="",  # the case's number is not shown to the voice's other staff: only its link, to those on the case
        at=at,
    )
    audit_record(
        actor=actor, verb="voice.to_mediation", obj=voice, community_id=voice.community_id, after={"case": case.pk}
    )
    notify_later(
        recipients=[voice.author],
        verb="mediation.voice_converted",
        title=_("Your voice #%(voice)s is now mediation case #%(case)s") % {"voice": voice.pk, "case": case.pk},
        body=_("A mediator will contact you to arrange a session."),
        link=case_link(case),
        key=f"mediation:{case.pk}:from_voice",
        community_id=case.community_id,
    )
    return case


@transaction.atomic
def party_add(*, actor: Any, case: Case, party: PartyInput, now: datetime.datetime | None = None) -> CaseParty:
    case = case_lock(case)
    require_visible(may_view_case(actor, case))
    if not may_manage_case(actor, case):
        raise NotAllowed(_("You may not change this case."))
    if CaseParty.objects.filter(community_id=case.community_id, case=case).count() >= MAX_PARTIES:
        raise DomainError(_("At most %(max)d parties.") % {"max": MAX_PARTIES}, field="kind", code="too_many")
    at = now_or(now)
    row = party_build(case=case, compound=case.compound, data=party, actor=actor, at=at)
    row.save()
    event_add(case, actor=actor, verb="party_add", at=at)
    audit_record(
        actor=actor,
        verb="mediation.party_add",
        obj=case,
        community_id=case.community_id,
        after={"party": row.pk, "kind": row.kind},
    )
    return row


@transaction.atomic
def mediator_assign(
    *, actor: Any, case: Case, user_id: Any, capacity: str, now: datetime.datetime | None = None
) -> CaseMediator:
    """Assign a mediator in a capacity; only people whose membership fits the capacity for this compound."""
    case = case_lock(case)
    require_visible(may_view_case(actor, case))
    if not may_manage_case(actor, case):
        raise NotAllowed(_("You may not change this case."))
    capacity = choice(capacity, Capacity, field="capacity")
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        pk = 0
    user = eligible_mediators(case.compound, capacity).filter(pk=pk).first()
    if user is None:
        raise DomainError(_("Choose someone who may mediate in this capacity."), field="user", code="not_eligible")
    if CaseMediator.objects.filter(community_id=case.community_id, case=case, user=user, is_active=True).exists():
        raise Conflict(_("%(name)s already mediates this case.") % {"name": user.name}, code="already_assigned")
    at = now_or(now)
    mediator = _assign(case, user=user, capacity=capacity, actor=actor, at=at)
    event_add(case, actor=actor, verb="mediator_assign", at=at, note=f"{user.name} · {Capacity(capacity).label}")
    audit_record(
        actor=actor,
        verb="mediation.mediator_assign",
        obj=case,
        community_id=case.community_id,
        after={"user": user.pk, "capacity": capacity},
    )
    notify_later(
        recipients=[user],
        verb="mediation.assigned",
        title=_("You are a mediator of case #%(id)s") % {"id": case.pk},
        link=case_link(case),
        key=f"mediation:{case.pk}:assigned:{mediator.pk}",
        community_id=case.community_id,
    )
    return mediator


@transaction.atomic
def mediator_remove(*, actor: Any, case: Case, mediator_id: int, now: datetime.datetime | None = None) -> CaseMediator:
    case = case_lock(case)
    require_visible(may_view_case(actor, case))
    if not may_manage_case(actor, case):
        raise NotAllowed(_("You may not change this case."))
    mediator = (
        CaseMediator.objects.filter(community_id=case.community_id, case=case, pk=mediator_id, is_active=True)
        .select_related("user")
        .first()
    )
    if mediator is None:
        raise NotFound(_("No such mediator."))
    at = now_or(now)
    mediator.is_active, mediator.removed_at = False, at
    mediator.save(update_fields=["is_active", "removed_at"])
    event_add(case, actor=actor, verb="mediator_remove", at=at, note=mediator.user.name)
    audit_record(
        actor=actor,
        verb="mediation.mediator_remove",
        obj=case,
        community_id=case.community_id,
        after={"user": mediator.user_id},
    )
    return mediator


def evidence_storage() -> Any:
    return CaseEvidence._meta.get_field("file").storage


@transaction.atomic
def evidence_add(
    *, actor: Any, case: Case, upload: Any, note: str = "", now: datetime.datetime | None = None
) -> CaseEvidence:
    """A photo or a PDF for the case (parties, mediators, the secretary); checked by content before anything."""
    case = case_lock(case)
    require_visible(may_view_case(actor, case))
    if not may_add_evidence(actor, case):
        raise NotAllowed(_("You may not add evidence to this case."))
    note = clean_text(note, field="note", required=False)
    if CaseEvidence.objects.filter(community_id=case.community_id, case=case).count() >= CaseEvidence.MAX_PER_CASE:
        raise DomainError(
            _("A case has at most %(max)d pieces of evidence.") % {"max": CaseEvidence.MAX_PER_CASE},
            field="file",
            code="too_many",
        )
    checked = evidence_check(upload)
    at = now_or(now)
    row = CaseEvidence(
        community_id=case.community_id,
        case=case,
        kind=checked.kind,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=len(checked.content),
        note=note,
        uploaded_by=user_or_none(actor),
        uploaded_at=at,
    )
    row.file.name = evidence_path(row, "evidence")
    row.save()
    storage = evidence_storage()
    name, content, thumb = row.file.name, checked.content, checked.thumb

    def write() -> None:
        written: list[str] = []
        try:
            saved = storage.save(name, ContentFile(content))
            written.append(saved)
            if saved != name:
                CaseEvidence.objects.filter(pk=row.pk).update(file=saved)
            if thumb:
                written.append(storage.save(thumb_name(saved), ContentFile(thumb)))
        except Exception:
            logger.exception("Evidence could not be written; its row is removed.")
            for done in written:
                try:
                    storage.delete(done)
                except OSError:
                    logger.exception("Could not remove %s", done)
            CaseEvidence.objects.filter(pk=row.pk).delete()

    transaction.on_commit(write)
    event_add(case, actor=actor, verb="evidence_add", at=at, note=row.original_name)
    audit_record(
        actor=actor,
        verb="mediation.evidence_add",
        obj=case,
        community_id=case.community_id,
        after={"evidence": row.pk, "kind": row.kind, "bytes": row.size},
    )
    return row


# --- The access log ------------------------------------------------------------------------------------------------


@transaction.atomic
def case_view_record(*, actor: Any, case: Case, what: str = "case") -> CaseAccess:
    """Every view of a case (its page, evidence, the agreement) is logged, for the secretary to read."""
    row = CaseAccess.objects.create(
        community_id=case.community_id, case=case, case_ref=case.pk, user=user_or_none(actor), what=what, allowed=True
    )
    audit_record(
        actor=actor, verb="mediation.case_view", obj=case, community_id=case.community_id, after={"what": what}
    )
    return row


@transaction.atomic
def case_access_refused(*, actor: Any, case_ref: Any, what: str = "case") -> CaseAccess | None:
    """Someone asked for a case they may not see (they get 404): logged against the case's community."""
    try:
        ref = int(case_ref)
    except (TypeError, ValueError):
        return None
    if ref <= 0 or ref > 2**62:
        return None
    case = Case.objects.filter(pk=ref).only("pk", "community_id").first()
    row = CaseAccess.objects.create(
        community_id=case.community_id if case else None,
        case=case,
        case_ref=ref,
        user=user_or_none(actor),
        what=what,
        allowed=False,
    )
    audit_record(
        actor=actor,
        verb="mediation.case_refused",
        object_type="mediation.case",
        object_id=ref,
        community_id=case.community_id if case else None,
        after={"what": what},
    )
    return row
