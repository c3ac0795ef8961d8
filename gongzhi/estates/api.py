"""REST endpoints for the estate: compounds, houses and house bindings.

Reads go through the scoped selectors (DESIGN rule 2), writes through the services; permissions that shape
the answer come from the ``rules`` predicates, as on the pages: names in full for those who see households
(``estates.view_households``), masked for the rest (a resident: except their own); phone numbers in full only
for those who call households (``estates.view_phones``) and for one's own.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.throttling import BaseThrottle, UserRateThrottle

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import ESTATE_VIEWERS, HOUSEHOLD_VIEWERS
from gongzhi.api.schemas import (
    CleanText,
    Id,
    PageMeta,
    PageQuery,
    StrictSchema,
    error_responses,
    paginate,
)
from gongzhi.api.security import acting_user
from gongzhi.core import crypto
from gongzhi.core.errors import NotFound

from . import services
from .models import Compound, House, HouseBinding, HouseStatus, Relation, Resident
from .selectors import (
    HouseSearch,
    binding_for_decision,
    binding_of,
    bindings_of,
    bindings_pending,
    compound_get,
    compound_overview,
    compounds_search,
    house_detail,
    house_search,
)

router = Router(tags=["estates"])

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
WRITE_THROTTLE: BaseThrottle = UserRateThrottle(getattr(settings, "API_WRITE_RATE", "60/m"))


# ---------------------------------------------------------------- schemas


class CompoundOut(Schema):
    code: str
    name: str
    community: str
    sub_district: str | None
    district: str | None
    property_company: str | None
    address: str
    delivered_on: datetime.date | None
    houses: int


class CompoundPage(PageMeta):
    items: list[CompoundOut]


class CompoundListQuery(PageQuery):
    q: CleanText = Field("", max_length=50, description="Part of the compound's name or code.")


class OccupancyOut(Schema):
    """入住率 at ``at`` (KPIS.md): occupied ÷ delivered houses; ``value`` is null when none are delivered."""

    at: datetime.date
    numerator: int
    denominator: int
    value: float | None


class CompoundDetailOut(CompoundOut):
    status_counts: dict[str, int]
    occupancy: OccupancyOut
    permanent_residents: int = Field(description="常住人口 at the same date (KPIS.md).")


class CompoundDetailQuery(StrictSchema):
    at: datetime.date | None = Field(
        None,
        ge=datetime.date(1900, 1, 1),
        le=datetime.date(2100, 12, 31),
        description="The date (YYYY-MM-DD) to measure at; today when omitted.",
    )


class HouseOut(Schema):
    id: int
    compound: str
    building: str
    unit: str
    room: str
    floor: int
    phase: str | None
    area: Decimal
    status: str
    status_label: str
    delivered_on: datetime.date | None
    moved_in_on: datetime.date | None
    owner_name: str
    owner_phone: str


class HousePage(PageMeta):
    items: list[HouseOut]


class HouseListQuery(PageQuery):
    q: CleanText = Field("", max_length=50, description="Building, room, owner name or an 11-digit mobile.")
    building: Id | None = Field(None, description="A building id.")
    status: HouseStatus | None = None


class ResidentOut(Schema):
    name: str
    phone: str
    relation: str
    relation_label: str
    is_permanent: bool
    moved_in_on: datetime.date | None
    moved_out_on: datetime.date | None


class HouseEventOut(Schema):
    status: str
    status_label: str
    effective_on: datetime.date


class HouseDetailOut(HouseOut):
    residents: list[ResidentOut]
    history: list[HouseEventOut]


class HouseRefOut(Schema):
    id: int
    compound_code: str
    compound_name: str
    label: str


class BindingOut(Schema):
    id: int
    house: HouseRefOut
    relation: str
    relation_label: str
    status: str
    status_label: str
    reason: str
    created_at: datetime.datetime
    decided_at: datetime.datetime | None


class ApplicantOut(Schema):
    name: str
    phone: str


class PendingBindingOut(BindingOut):
    applicant: ApplicantOut
    house_owner_name: str


class PendingBindingPage(PageMeta):
    items: list[PendingBindingOut]


class BindingIn(StrictSchema):
    house_id: Id
    relation: Relation


class DecisionIn(StrictSchema):
    approve: bool = Field(strict=True)
    reason: CleanText = Field("", max_length=200, description="Required when refusing; the resident sees it.")


# ---------------------------------------------------------------- helpers


def _compound_out(c: Compound, houses: int) -> dict[str, Any]:
    community = c.community
    sub = community.parent
    return {
        "code": c.code,
        "name": c.name,
        "community": community.name,
        "sub_district": sub.name if sub else None,
        "district": sub.parent.name if sub and sub.parent else None,
        "property_company": c.property_company.name if c.property_company else None,
        "address": c.address,
        "delivered_on": c.delivered_on,
        "houses": houses,
    }


@dataclass(frozen=True)
class Sight:
    """What the user may see in full: names (estates.view_households), phones (estates.view_phones)."""

    names: bool
    phones: bool

    @classmethod
    def of(cls, user: User, obj: Compound | House) -> Sight:
        return cls(
            names=user.has_perm("estates.view_households", obj),
            phones=user.has_perm("estates.view_phones", obj),
        )

    @classmethod
    def in_list(cls, user: User, obj: Compound | House) -> Sight:
        """Lists mask names too, except for those who call households (DESIGN rule 7)."""
        phones = user.has_perm("estates.view_phones", obj)
        return cls(names=phones, phones=phones)

    def name(self, name: str, *, own: bool = False) -> str:
        return name if self.names or own else crypto.mask_name(name)

    def phone(self, phone: str, *, own: bool = False) -> str:
        return phone if self.phones or own else crypto.mask_phone(phone)


def _house_out(house: House, sight: Sight) -> dict[str, Any]:
    return {
        "id": house.pk,
        "compound": house.compound.code,
        "building": house.building.name,
        "unit": house.unit.name,
        "room": house.room,
        "floor": house.floor,
        "phase": house.phase.name if house.phase else None,
        "area": house.area,
        "status": house.status,
        "status_label": str(house.get_status_display()),
        "delivered_on": house.delivered_on,
        "moved_in_on": house.moved_in_on,
        "owner_name": sight.name(house.owner_name),
        "owner_phone": sight.phone(house.owner_phone),
    }


def _resident_out(r: Resident, sight: Sight, user: User) -> dict[str, Any]:
    own = r.user_id == user.pk
    return {
        "name": sight.name(r.name, own=own),
        "phone": sight.phone(r.phone, own=own),
        "relation": r.relation,
        "relation_label": str(r.get_relation_display()),
        "is_permanent": r.is_permanent,
        "moved_in_on": r.moved_in_on,
        "moved_out_on": r.moved_out_on,
    }


def _binding_out(b: HouseBinding) -> dict[str, Any]:
    return {
        "id": b.pk,
        "house": {
            "id": b.house.pk,
            "compound_code": b.compound.code,
            "compound_name": b.compound.name,
            "label": f"{b.house.building.name}{b.house.unit.name}{b.house.room}",
        },
        "relation": b.relation,
        "relation_label": str(b.get_relation_display()),
        "status": b.status,
        "status_label": str(b.get_status_display()),
        "reason": b.reason,
        "created_at": b.created_at,
        "decided_at": b.decided_at,
    }


def _compound(user: User, code: str, roles: Iterable[str] = ESTATE_VIEWERS) -> Compound:
    """A compound in the user's scope for ``roles``; a code that cannot exist is simply not found."""
    if not CODE_RE.match(code):
        raise NotFound(_("No such compound."))
    return compound_get(user=user, code=code, roles=roles)


def _id(value: int) -> int:
    """Ids outside a database integer are simply not found (never a database error)."""
    if not 1 <= value < 2**63:
        raise NotFound(_("Not found."))
    return value


def _house_to_bind(house_id: int) -> House:
    """Any house may be asked for: the applicant cannot see it yet, staff of its compound decide."""
    house = House.objects.select_related("compound", "building", "unit").filter(pk=house_id).first()
    if house is None:
        raise NotFound(_("No such house."))
    return house


def _binding_loaded(binding: HouseBinding) -> HouseBinding:
    return HouseBinding.objects.select_related("house", "house__building", "house__unit", "compound").get(pk=binding.pk)


# ---------------------------------------------------------------- compounds


@router.get("/compounds", response={200: CompoundPage, **error_responses()}, summary="Compounds in my scope")
def compound_list(request: HttpRequest, filters: Query[CompoundListQuery]) -> dict[str, Any]:
    qs = compounds_search(user=acting_user(request), q=filters.q).select_related("community__parent__parent")
    items, meta = paginate(qs, filters)
    return {**meta.model_dump(), "items": [_compound_out(c, c.n_houses) for c in items]}


@router.get(
    "/compounds/{code}",
    response={200: CompoundDetailOut, **error_responses(403, 404)},
    summary="A compound's overview: occupancy and permanent residents at a date",
)
def compound_detail(request: HttpRequest, code: str, filters: Query[CompoundDetailQuery]) -> dict[str, Any]:
    compound = _compound(acting_user(request), code)
    overview = compound_overview(compound=compound, at=filters.at or timezone.localdate())
    ratio = overview.occupancy
    return {
        **_compound_out(compound, overview.houses),
        "status_counts": {c.status: c.count for c in overview.status_counts},
        "occupancy": {
            "at": overview.at,
            "numerator": ratio.numerator,
            "denominator": ratio.denominator,
            "value": ratio.value,
        },
        "permanent_residents": overview.permanent_residents,
    }


@router.get(
    "/compounds/{code}/houses",
    response={200: HousePage, **error_responses(403, 404)},
    summary="Houses of a compound (search, building, status); names and phones masked unless allowed",
)
def house_list(request: HttpRequest, code: str, filters: Query[HouseListQuery]) -> dict[str, Any]:
    user = acting_user(request)
    compound = _compound(user, code, HOUSEHOLD_VIEWERS)
    sight = Sight.in_list(user, compound)
    search = HouseSearch(q=filters.q, building_id=filters.building, status=filters.status or "")
    items, meta = paginate(house_search(compound=compound, search=search, with_phones=sight.phones), filters)
    for house in items:
        house.compound = compound
    services.house_list_view_record(
        actor=user, compound=compound, shown=len(items), with_phones=sight.phones, searched=bool(search.q)
    )
    return {**meta.model_dump(), "items": [_house_out(h, sight) for h in items]}


# ---------------------------------------------------------------- houses


@router.get(
    "/houses/{house_id}",
    response={200: HouseDetailOut, **error_responses(403, 404)},
    summary="One house with its residents and status history (a resident: only their own house)",
)
def house_get(request: HttpRequest, house_id: int) -> dict[str, Any]:
    user = acting_user(request)
    house = house_detail(user=user, house_id=_id(house_id))
    sight = Sight.of(user, house)
    services.house_view_record(actor=user, house=house)
    return {
        **_house_out(house, sight),
        "residents": [_resident_out(r, sight, user) for r in house.residents.all()],
        "history": [
            {"status": e.status, "status_label": str(e.get_status_display()), "effective_on": e.effective_on}
            for e in house.events.all()
        ],
    }


# ---------------------------------------------------------------- house bindings


@router.post(
    "/bindings",
    response={201: BindingOut, **error_responses(404, 409)},
    throttle=WRITE_THROTTLE,
    summary="Ask to be bound to a house (owner, family member or tenant)",
)
def binding_create(request: HttpRequest, payload: BindingIn) -> Status[dict[str, Any]]:
    binding = services.binding_request(
        user=acting_user(request), house=_house_to_bind(payload.house_id), relation=payload.relation
    )
    return Status(201, _binding_out(_binding_loaded(binding)))


@router.get("/bindings/mine", response={200: list[BindingOut], **error_responses()}, summary="My binding requests")
def binding_mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [_binding_out(b) for b in bindings_of(acting_user(request))[:100]]


@router.get(
    "/bindings/pending",
    response={200: PendingBindingPage, **error_responses()},
    summary="Binding requests waiting for my decision",
)
def binding_pending(request: HttpRequest, paging: Query[PageQuery]) -> dict[str, Any]:
    user = acting_user(request)
    items, meta = paginate(bindings_pending(user), paging)
    rows = []
    for b in items:
        sight = Sight.of(user, b.compound)
        rows.append(
            {
                **_binding_out(b),
                "applicant": {"name": b.user.name, "phone": sight.phone(b.user.phone)},
                "house_owner_name": sight.name(b.house.owner_name),
            }
        )
    return {**meta.model_dump(), "items": rows}


@router.post(
    "/bindings/{binding_id}/decide",
    response={200: BindingOut, **error_responses(403, 404, 409)},
    throttle=WRITE_THROTTLE,
    summary="Approve or refuse a binding request (refusing needs a reason)",
)
def binding_decide(request: HttpRequest, binding_id: int, payload: DecisionIn) -> dict[str, Any]:
    user = acting_user(request)
    binding = services.binding_decide(
        actor=user,
        binding=binding_for_decision(user=user, pk=_id(binding_id)),
        approve=payload.approve,
        reason=payload.reason,
    )
    return _binding_out(_binding_loaded(binding))


@router.post(
    "/bindings/{binding_id}/withdraw",
    response={200: BindingOut, **error_responses(403, 404, 409)},
    throttle=WRITE_THROTTLE,
    summary="Withdraw my own pending request",
)
def binding_withdraw(request: HttpRequest, binding_id: int) -> dict[str, Any]:
    user = acting_user(request)
    binding = services.binding_withdraw(user=user, binding=binding_of(user=user, pk=_id(binding_id)))
    return _binding_out(_binding_loaded(binding))
