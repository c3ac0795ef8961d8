"""Who may read the KPIs and who may change what the insights pages keep.

Readers: the roles that view the compound's estate (``ESTATE_VIEWERS``: community and property staff,
residents' representatives, sub-district and district supervisors) within their scope, and superusers.
Residents (and applicants) read none: several KPIs are not public (arrears, reopen rates); the figures a
compound publishes to its residents come through the notices' lobby screen. Departments, police and law firms
reach no estate data, so no KPI either.

Writers: a sub-district's red-list weights by its supervisors (and the district's above it); honours by the
supervisors whose scope holds the compound; the governance report's narrative by the compound's secretary,
community staff and property manager.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.accounts.roles import ESTATE_VIEWERS, OrgKind, Role
from gongzhi.accounts.selectors import memberships_of
from gongzhi.estates.rules import may_view_compound
from gongzhi.estates.scope import roles_in_compound

KPI_VIEWERS = ESTATE_VIEWERS
NARRATIVE_EDITORS = frozenset({Role.SECRETARY, Role.COMMUNITY_STAFF, Role.PROPERTY_MANAGER})
may_view_kpis = may_view_compound  # (user, compound): a role of KPI_VIEWERS over it, or a superuser


@rules.predicate
def may_set_weights(user: Any, area: Any) -> bool:
    """(user, sub-district Area): a supervisor of that sub-district or of its district, or a superuser."""
    if not user.is_authenticated or area is None:
        return False
    if user.is_superuser:
        return True
    for m in memberships_of(user):
        org = m.organization
        if m.role != Role.SUPERVISOR or org.area_id is None:
            continue
        if org.kind == OrgKind.SUB_DISTRICT and org.area_id == area.pk:
            return True
        if org.kind == OrgKind.DISTRICT and org.area_id == area.parent_id:
            return True
    return False


@rules.predicate
def may_record_honour(user: Any, compound: Any) -> bool:
    """(user, Compound): a supervisor (sub-district or district) whose scope holds it, or a superuser."""
    if not user.is_authenticated or compound is None:
        return False
    return bool(user.is_superuser or Role.SUPERVISOR in roles_in_compound(user, compound))


@rules.predicate
def may_edit_narrative(user: Any, compound: Any) -> bool:
    """(user, Compound): its secretary, community staff or property manager, or a superuser."""
    if not user.is_authenticated or compound is None:
        return False
    return bool(user.is_superuser or roles_in_compound(user, compound) & NARRATIVE_EDITORS)


rules.add_perm("insights.view_kpis", may_view_kpis)
rules.add_perm("insights.set_weights", may_set_weights)
rules.add_perm("insights.record_honour", may_record_honour)
rules.add_perm("insights.edit_narrative", may_edit_narrative)
