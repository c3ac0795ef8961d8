"""Who may serve on a compound's duty posts, and as what (the kinds the staffing rule counts).

- a police officer: an officer of a police station whose area is the compound's community, its sub-district or
  its district;
- property staff: a member of the property company that manages the compound;
- a resident volunteer: an active registered volunteer of the compound who lives there (an approved binding).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongzhi.accounts.models import Membership, User
from gongzhi.accounts.roles import ROLES_BY_KIND, OrgKind, Role
from gongzhi.estates.models import Area, BindingStatus, Compound, HouseBinding

from .models import ServeKind, Volunteer, VolunteerStatus

PROPERTY_ROLES = ROLES_BY_KIND[OrgKind.PROPERTY]
# When a person may serve as several kinds, the first that applies is the default.
KIND_ORDER = (ServeKind.OFFICER, ServeKind.PROPERTY, ServeKind.VOLUNTEER)


def area_chain(compound: Compound) -> list[int]:
    """The compound's community, sub-district and district ids."""
    ids: list[int] = []
    area: Area | None = compound.community
    while area is not None and len(ids) < 3:
        ids.append(area.pk)
        area = area.parent
    return ids


def _officer_q(compound: Compound) -> Q:
    return Q(role=Role.OFFICER, organization__kind=OrgKind.POLICE, organization__area_id__in=area_chain(compound))


def _property_q(compound: Compound) -> Q:
    return Q(
        role__in=PROPERTY_ROLES,
        organization__kind=OrgKind.PROPERTY,
        organization_id=compound.property_company_id or -1,
    )


def _volunteer_user_ids(compound: Compound, user_ids: list[int] | None = None) -> set[int]:
    volunteers = Volunteer.objects.filter(
        community_id=compound.community_id, compound=compound, status=VolunteerStatus.ACTIVE
    )
    residents = HouseBinding.objects.filter(
        community_id=compound.community_id, compound=compound, status=BindingStatus.APPROVED
    )
    if user_ids is not None:
        volunteers = volunteers.filter(user_id__in=user_ids)
        residents = residents.filter(user_id__in=user_ids)
    return set(volunteers.values_list("user_id", flat=True)) & set(residents.values_list("user_id", flat=True))


def serve_kinds(user: Any, compound: Compound) -> list[str]:
    """The kinds ``user`` may serve as on the compound's posts, in ``KIND_ORDER``."""
    if not getattr(user, "is_authenticated", False):
        return []
    memberships = Membership.objects.filter(user_id=user.pk)
    kinds: list[str] = []
    if memberships.filter(_officer_q(compound)).exists():
        kinds.append(ServeKind.OFFICER)
    if memberships.filter(_property_q(compound)).exists():
        kinds.append(ServeKind.PROPERTY)
    if _volunteer_user_ids(compound, [user.pk]):
        kinds.append(ServeKind.VOLUNTEER)
    return kinds


def eligible_people(compound: Compound) -> list[tuple[User, str]]:
    """Everyone who may serve on the compound's posts, with the kind they serve as (one row per kind), by kind
    then name; three queries."""
    rows: list[tuple[User, str]] = []
    for kind, q in ((ServeKind.OFFICER, _officer_q(compound)), (ServeKind.PROPERTY, _property_q(compound))):
        ids = Membership.objects.filter(q).values("user_id")
        rows += [(u, kind) for u in User.objects.filter(pk__in=ids, is_active=True).order_by("name", "pk")]
    volunteer_ids = _volunteer_user_ids(compound)
    rows += [
        (u, ServeKind.VOLUNTEER)
        for u in User.objects.filter(pk__in=volunteer_ids, is_active=True).order_by("name", "pk")
    ]
    return rows
