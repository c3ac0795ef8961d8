"""Who may do what with mediation cases and security incidents, as ``rules`` predicates.

A case (or anything of one case) is seen only by:

- its parties: a person named on it, the residents with an approved binding to a household named on it, and the
  property manager and customer service of a property company named on it;
- its mediators (active assignments only: a mediator taken off the case no longer sees it);
- the secretary of the compound's community.

Nobody else — not other community staff, grid workers or police not assigned, not supervisors, not superusers —
sees a case or learns that it exists (404). Mediators and the secretary manage the case (parties, mediators,
evidence, sessions, agreement, outcome, follow-ups, reopening); parties read it, add evidence and download the
agreement. Community staff, secretaries and grid workers of the compound open cases (and turn voices into
cases). The secretary reads the access log and the figures of their community's compounds.

A security incident is reported by the property company's staff (property manager, customer service,
technician) of the compound to a police station serving it; the reporting company's staff and the station's
officers see it; the station's officers acknowledge it and record the outcome.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.accounts.roles import Role
from gongzhi.accounts.selectors import memberships_of
from gongzhi.estates.models import BindingStatus, Compound, HouseBinding
from gongzhi.estates.scope import roles_in_compound

from .models import (
    Agreement,
    Case,
    CaseEvidence,
    CaseMediator,
    CaseParty,
    CaseSession,
    FollowUp,
    SecurityIncident,
)

# Open cases of the compounds of their community (and turn voices into cases).
OPENERS = frozenset({Role.SECRETARY, Role.COMMUNITY_STAFF, Role.GRID_WORKER})
# See every case of their community's compounds, its access log and figures.
OVERSEERS = frozenset({Role.SECRETARY})
# Speak for a property company that is a party to a case.
COMPANY_REPRESENTATIVES = frozenset({Role.PROPERTY_MANAGER, Role.CUSTOMER_SERVICE})
# Property company staff who report security incidents.
INCIDENT_REPORTERS = frozenset({Role.PROPERTY_MANAGER, Role.CUSTOMER_SERVICE, Role.TECHNICIAN})


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def case_of(obj: Any) -> Case | None:
    if isinstance(obj, Case):
        return obj
    if isinstance(obj, CaseParty | CaseMediator | CaseEvidence | CaseSession | Agreement | FollowUp):
        return obj.case
    return None


def compound_of(obj: Any) -> Compound | None:
    if isinstance(obj, Compound):
        return obj
    if isinstance(obj, SecurityIncident):
        return obj.compound
    case = case_of(obj)
    return case.compound if case is not None else None


def _roles(user: Any, obj: Any) -> set[str]:
    compound = compound_of(obj)
    if compound is None or not _authenticated(user):
        return set()
    return roles_in_compound(user, compound)


def approved_house_ids(user: Any) -> set[int]:
    return set(HouseBinding.objects.filter(user=user, status=BindingStatus.APPROVED).values_list("house_id", flat=True))


def representing_org_ids(user: Any) -> set[int]:
    return {m.organization_id for m in memberships_of(user) if m.role in COMPANY_REPRESENTATIVES}


def party_of_case(user: Any, case: Case) -> bool:
    if not _authenticated(user):
        return False
    houses = approved_house_ids(user)
    orgs = representing_org_ids(user)
    for party in CaseParty.objects.filter(community_id=case.community_id, case=case).only(
        "user_id", "house_id", "organization_id"
    ):
        if party.user_id == user.pk or party.house_id in houses or party.organization_id in orgs:
            return True
    return False


def mediator_of_case(user: Any, case: Case) -> bool:
    if not _authenticated(user):
        return False
    cache = getattr(case, "_gz_mediators", None)
    if cache is None:
        cache = set(
            CaseMediator.objects.filter(community_id=case.community_id, case=case, is_active=True).values_list(
                "user_id", flat=True
            )
        )
        case._gz_mediators = cache  # type: ignore[attr-defined]
    return user.pk in cache


@rules.predicate
def is_party(user: Any, obj: Any) -> bool:
    case = case_of(obj)
    return case is not None and party_of_case(user, case)


@rules.predicate
def is_mediator(user: Any, obj: Any) -> bool:
    case = case_of(obj)
    return case is not None and mediator_of_case(user, case)


def _compound_role(roles: frozenset[str]) -> Any:
    @rules.predicate
    def predicate(user: Any, obj: Any) -> bool:
        return bool(_roles(user, obj) & roles)

    return predicate


is_overseer = _compound_role(OVERSEERS)
is_opener = _compound_role(OPENERS)
is_incident_reporter = _compound_role(INCIDENT_REPORTERS)


@rules.predicate
def is_incident_company_staff(user: Any, incident: Any) -> bool:
    """Staff (reporters' roles) of the property company that reported the incident."""
    if not isinstance(incident, SecurityIncident) or not _authenticated(user):
        return False
    return any(m.organization_id == incident.company_id and m.role in INCIDENT_REPORTERS for m in memberships_of(user))


@rules.predicate
def is_station_officer(user: Any, incident: Any) -> bool:
    if not isinstance(incident, SecurityIncident) or not _authenticated(user):
        return False
    return any(m.organization_id == incident.station_id and m.role == Role.OFFICER for m in memberships_of(user))


may_view_case = is_party | is_mediator | is_overseer
may_manage_case = is_mediator | is_overseer
may_add_evidence = may_view_case
may_open_case = is_opener
may_view_access_log = is_overseer
may_view_figures = is_overseer
may_set_policy = is_overseer
may_report_incident = is_incident_reporter
may_view_incident = is_incident_company_staff | is_station_officer
may_handle_incident = is_station_officer

rules.add_perm("mediation.view_case", may_view_case)
rules.add_perm("mediation.manage_case", may_manage_case)
rules.add_perm("mediation.add_evidence", may_add_evidence)
rules.add_perm("mediation.open_case", may_open_case)
rules.add_perm("mediation.view_access_log", may_view_access_log)
rules.add_perm("mediation.view_figures", may_view_figures)
rules.add_perm("mediation.set_policy", may_set_policy)
rules.add_perm("mediation.report_incident", may_report_incident)
rules.add_perm("mediation.view_incident", may_view_incident)
rules.add_perm("mediation.handle_incident", may_handle_incident)
