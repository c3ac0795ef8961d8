"""Which compounds a user reaches, and with which roles. The one place scope is decided (DESIGN rule 2)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from gongzhi.accounts.models import Membership
from gongzhi.accounts.roles import OrgKind
from gongzhi.accounts.selectors import memberships_of

from .models import Compound


def _membership_q(m: Membership) -> Q | None:
    """The compounds one membership reaches, as a filter on Compound."""
    org = m.organization
    if org.kind == OrgKind.COMMUNITY and org.area_id:
        return Q(community_id=org.area_id)
    if org.kind == OrgKind.PROPERTY:
        return Q(property_company_id=org.id)
    if org.kind == OrgKind.RESIDENTS and org.compound_id:
        return Q(id=org.compound_id)
    if org.kind == OrgKind.SUB_DISTRICT and org.area_id:
        return Q(community__parent_id=org.area_id)
    if org.kind == OrgKind.DISTRICT and org.area_id:
        return Q(community__parent__parent_id=org.area_id)
    return None


def _reaches(m: Membership, compound: Compound) -> bool:
    org = m.organization
    if org.kind == OrgKind.COMMUNITY:
        return org.area_id is not None and compound.community_id == org.area_id
    if org.kind == OrgKind.PROPERTY:
        return compound.property_company_id == org.id
    if org.kind == OrgKind.RESIDENTS:
        return compound.id == org.compound_id
    if org.kind == OrgKind.SUB_DISTRICT:
        return org.area_id is not None and compound.community.parent_id == org.area_id
    if org.kind == OrgKind.DISTRICT:
        parent = compound.community.parent
        return org.area_id is not None and parent is not None and parent.parent_id == org.area_id
    return False


def compound_filter(user: Any, roles: Iterable[str]) -> Q | None:
    """A filter for the compounds where the user holds one of ``roles``; None when there are none."""
    wanted = set(roles)
    q: Q | None = None
    for m in memberships_of(user):
        if m.role not in wanted:
            continue
        mq = _membership_q(m)
        if mq is not None:
            q = mq if q is None else q | mq
    return q


def roles_in_compound(user: Any, compound: Compound) -> set[str]:
    """The roles the user holds over this compound (through any membership that reaches it)."""
    return {m.role for m in memberships_of(user) if _reaches(m, compound)}
