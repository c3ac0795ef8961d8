"""Writes for the estate: compounds, house status, residents and house bindings."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organization
from gongzhi.accounts.roles import OrgKind
from gongzhi.core import crypto
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotAllowed

from .models import (
    OCCUPIED_STATUSES,
    Area,
    AreaLevel,
    BindingStatus,
    Compound,
    House,
    HouseBinding,
    HouseEvent,
    HouseStatus,
    HouseType,
    Relation,
    Resident,
)
from .rules import may_decide_binding, may_edit_ledger

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


def area_get_or_create(*, level: str, name: str, parent: Area | None) -> Area:
    area, _created = Area.objects.get_or_create(level=level, name=name.strip(), parent=parent)
    return area


def _area_organization(*, kind: str, area: Area) -> Organization:
    """The organization that is this area; named after the area, prefixed by its parent when the name is taken
    (there are many 幸福社区 in a city)."""
    existing = Organization.objects.filter(kind=kind, area=area).first()
    if existing is not None:
        return existing
    name = area.name
    if Organization.objects.filter(kind=kind, name=name).exists() and area.parent is not None:
        name = f"{area.parent.name}{area.name}"
    return Organization.objects.create(kind=kind, area=area, name=name)


@transaction.atomic
def compound_create(
    *,
    actor: Any,
    code: str,
    name: str,
    community: str,
    sub_district: str,
    district: str,
    property_company: Organization | None = None,
    address: str = "",
    delivered_on: datetime.date | None = None,
) -> Compound:
    """A compound in community ← sub-district ← district, creating the missing areas (and community org)."""
    code = code.strip().lower()
    if not CODE_RE.match(code):
        raise DomainError(_("A compound code has 2-40 lower-case letters, digits or dashes."), field="code")
    if not name.strip():
        raise DomainError(_("Enter the compound's name."), field="name")
    if Compound.objects.filter(code=code).exists():
        raise Conflict(_("A compound with code %(code)s already exists.") % {"code": code}, field="code")
    d = area_get_or_create(level=AreaLevel.DISTRICT, name=district, parent=None)
    s = area_get_or_create(level=AreaLevel.SUB_DISTRICT, name=sub_district, parent=d)
    c = area_get_or_create(level=AreaLevel.COMMUNITY, name=community, parent=s)
    for kind, area in ((OrgKind.DISTRICT, d), (OrgKind.SUB_DISTRICT, s), (OrgKind.COMMUNITY, c)):
        _area_organization(kind=kind, area=area)
    compound = Compound.objects.create(
        code=code,
        name=name.strip(),
        community=c,
        property_company=property_company,
        address=address.strip(),
        delivered_on=delivered_on,
    )
    audit_record(
        actor=actor,
        verb="compound.create",
        obj=compound,
        community_id=c.id,
        after=snapshot(compound, ["code", "name", "community_id", "property_company_id", "delivered_on"]),
    )
    return compound


@transaction.atomic
def house_set_status(
    *, actor: Any, house: House, status: str, effective_on: datetime.date, source: str = "staff"
) -> House:
    """Record a status change as an event and keep the house's current status in step."""
    if actor is not None and source == "staff" and not may_edit_ledger(actor, house):
        raise NotAllowed(_("You may not change this house."))
    if status not in HouseStatus.values:
        raise DomainError(_("Unknown house status."), field="status")
    if effective_on > timezone.localdate():
        raise DomainError(_("A status change cannot be dated in the future."), field="effective_on")
    if house.delivered_on and effective_on < house.delivered_on and status != HouseStatus.UNDELIVERED:
        raise DomainError(_("The house was not yet delivered on that date."), field="effective_on")
    house = House.objects.select_for_update().get(pk=house.pk)
    before = snapshot(house, ["status", "moved_in_on"])
    HouseEvent.objects.create(
        community_id=house.community_id,
        house=house,
        status=status,
        effective_on=effective_on,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        source=source,
    )
    latest = house.events.order_by("-effective_on", "-id").values_list("status", flat=True).first()
    house.status = latest or status
    if status in OCCUPIED_STATUSES and house.moved_in_on is None:
        house.moved_in_on = effective_on
    house.save(update_fields=["status", "moved_in_on", "updated_at"])
    audit_record(
        actor=actor,
        verb="house.status",
        obj=house,
        community_id=house.community_id,
        before=before,
        after={**snapshot(house, ["status", "moved_in_on"]), "effective_on": effective_on},
    )
    return house


@transaction.atomic
def house_set_type(*, actor: Any, house: House, house_type: str) -> House:
    """Record what the house is used as (住宅, 别墅, 商业): its fee standard is chosen by it."""
    if not may_edit_ledger(actor, house):
        raise NotAllowed(_("You may not change this house."))
    if house_type not in HouseType.values:
        raise DomainError(_("Choose a house type."), field="house_type", code="invalid")
    house = House.objects.select_for_update().get(pk=house.pk)
    if house.house_type == house_type:
        return house
    before = snapshot(house, ["house_type"])
    house.house_type = house_type
    house.save(update_fields=["house_type", "updated_at"])
    audit_record(
        actor=actor,
        verb="house.type",
        obj=house,
        community_id=house.community_id,
        before=before,
        after=snapshot(house, ["house_type"]),
    )
    return house


@transaction.atomic
def binding_request(*, user: Any, house: House, relation: str) -> HouseBinding:
    """A resident asks to be bound to a house; staff of the compound decide."""
    if relation not in Relation.values:
        raise DomainError(_("Choose owner, family member or tenant."), field="relation")
    if HouseBinding.objects.filter(
        house=house, user=user, status__in=[BindingStatus.PENDING, BindingStatus.APPROVED]
    ).exists():
        raise Conflict(_("You have already asked to be bound to this house."))
    if HouseBinding.objects.filter(user=user, status=BindingStatus.PENDING).count() >= 5:
        raise DomainError(_("You have too many requests waiting; wait for a decision first."))
    binding = HouseBinding.objects.create(
        community_id=house.community_id,
        compound_id=house.compound_id,
        house=house,
        user=user,
        relation=relation,
    )
    audit_record(
        actor=user,
        verb="binding.request",
        obj=binding,
        community_id=house.community_id,
        after={"house": house.pk, "relation": relation},
    )
    return binding


def _transition(binding: HouseBinding, to: str) -> None:
    if to not in HouseBinding.TRANSITIONS[binding.status]:
        raise Conflict(
            _("This request is already %(status)s.") % {"status": binding.get_status_display()},
            code="illegal_transition",
        )


@transaction.atomic
def binding_decide(*, actor: Any, binding: HouseBinding, approve: bool, reason: str = "") -> HouseBinding:
    """Approve (the resident joins the household) or refuse (with a reason the resident sees)."""
    binding = HouseBinding.objects.select_for_update().select_related("house", "house__compound").get(pk=binding.pk)
    if not may_decide_binding(actor, binding.house):
        raise NotAllowed(_("You may not decide requests for this compound."))
    to = BindingStatus.APPROVED if approve else BindingStatus.REFUSED
    _transition(binding, to)
    reason = reason.strip()
    if not approve and not reason:
        raise DomainError(_("Give the resident a reason for the refusal."), field="reason")
    binding.status = to
    binding.reason = reason[:200]
    binding.decided_by = actor
    binding.decided_at = timezone.now()
    binding.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
    if approve:
        _resident_for_binding(binding)
    audit_record(
        actor=actor,
        verb="binding.approve" if approve else "binding.refuse",
        obj=binding,
        community_id=binding.community_id,
        before={"status": BindingStatus.PENDING},
        after={"status": to, "reason": binding.reason},
    )
    return binding


def _resident_for_binding(binding: HouseBinding) -> Resident:
    """Claim an unnamed ledger resident of the household when there is one, else add the person."""
    user = binding.user
    house = binding.house
    resident = (
        Resident.objects.filter(house=house, user__isnull=True, name="", moved_out_on__isnull=True)
        .order_by("id")
        .first()
        if binding.relation != Relation.TENANT or house.status == HouseStatus.RENTED
        else None
    )
    if resident is None:
        resident = Resident(
            community_id=house.community_id,
            compound_id=house.compound_id,
            house=house,
            is_permanent=house.status in OCCUPIED_STATUSES,
            moved_in_on=timezone.localdate() if house.status in OCCUPIED_STATUSES else None,
            source="binding",
        )
    resident.user = user
    resident.name = user.name
    resident.phone = user.phone
    resident.phone_hash = crypto.phone_hash(user.phone)
    resident.relation = binding.relation
    resident.save()
    return resident


@transaction.atomic
def binding_withdraw(*, user: Any, binding: HouseBinding) -> HouseBinding:
    binding = HouseBinding.objects.select_for_update().get(pk=binding.pk)
    if binding.user_id != user.pk:
        raise NotAllowed(_("This is not your request."))
    _transition(binding, BindingStatus.WITHDRAWN)
    binding.status = BindingStatus.WITHDRAWN
    binding.save(update_fields=["status", "updated_at"])
    audit_record(actor=user, verb="binding.withdraw", obj=binding, community_id=binding.community_id)
    return binding


def house_view_record(*, actor: Any, house: House) -> None:
    """Opening a house page shows personal data: audited (DESIGN rule 7)."""
    audit_record(actor=actor, verb="house.view", obj=house, community_id=house.community_id)


def house_list_view_record(*, actor: Any, compound: Compound, shown: int, with_phones: bool, searched: bool) -> None:
    """A page of the house list (owner names, phones) was shown; the search text itself is not logged."""
    audit_record(
        actor=actor,
        verb="house.list",
        obj=compound,
        community_id=compound.community_id,
        after={"shown": shown, "full_phones": with_phones, "searched": searched},
    )


def bindings_view_record(*, actor: Any, shown: int) -> None:
    """The binding queue (applicants' names, masked phones) was shown (DESIGN rule 7)."""
    audit_record(actor=actor, verb="binding.queue_view", object_type="estates.housebinding", after={"shown": shown})


def access_denied_record(*, actor: Any, object_type: str, object_id: Any, community_id: int | None = None) -> None:
    """A refused page (HTTP 403) is audited, without personal data."""
    audit_record(
        actor=actor,
        verb="access.denied",
        object_type=object_type,
        object_id=object_id,
        community_id=community_id,
    )


@transaction.atomic
def resident_move_out(*, actor: Any, resident: Resident, moved_out_on: datetime.date) -> Resident:
    """Record that a resident left the house; a resident with an account loses access to it (binding ended)."""
    resident = Resident.objects.select_for_update().select_related("house", "house__compound").get(pk=resident.pk)
    if not may_edit_ledger(actor, resident.house):
        raise NotAllowed(_("You may not change this house."))
    if resident.moved_out_on is not None:
        raise Conflict(_("This resident has already moved out."), code="illegal_transition")
    if moved_out_on > timezone.localdate():
        raise DomainError(_("A move-out cannot be dated in the future."), field="moved_out_on")
    if resident.moved_in_on and moved_out_on < resident.moved_in_on:
        raise DomainError(_("The move-out date is before the move-in date."), field="moved_out_on")
    resident.moved_out_on = moved_out_on
    resident.save(update_fields=["moved_out_on", "updated_at"])
    ended = 0
    if resident.user_id is not None:
        ended = HouseBinding.objects.filter(
            house=resident.house, user_id=resident.user_id, status=BindingStatus.APPROVED
        ).update(status=BindingStatus.ENDED, decided_by=actor, decided_at=timezone.now())
    audit_record(
        actor=actor,
        verb="resident.move_out",
        obj=resident,
        community_id=resident.community_id,
        before={"moved_out_on": None},
        after={"moved_out_on": moved_out_on, "bindings_ended": ended},
    )
    return resident
