"""Scoped reads of cases and incidents. A case outside a user's reach is simply not found (no 403: its
existence is not disclosed). Scope over compounds comes from ``estates.scope``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet

from gongzhi.accounts.models import Membership, User
from gongzhi.accounts.roles import OrgKind, Role
from gongzhi.core.crypto import mask_name, mask_phone
from gongzhi.estates.models import Compound
from gongzhi.estates.scope import compound_filter

from .models import (
    Agreement,
    AgreementStatus,
    Capacity,
    Case,
    CaseAccess,
    CaseEvent,
    CaseEvidence,
    CaseMediator,
    CaseParty,
    CaseSession,
    FollowUp,
    IncidentEvent,
    MediationPolicy,
    SecurityIncident,
)
from .rules import (
    INCIDENT_REPORTERS,
    OPENERS,
    OVERSEERS,
    approved_house_ids,
    may_view_case,
    may_view_incident,
    representing_org_ids,
)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def cases_visible(*, user: Any) -> QuerySet[Case]:
    """The cases the user is a party to, mediates, or oversees as the community secretary (``rules``)."""
    if not _authenticated(user):
        return Case.objects.none()
    houses = approved_house_ids(user)
    orgs = representing_org_ids(user)
    party = CaseParty.objects.filter(case=OuterRef("pk")).filter(
        Q(user=user) | Q(house_id__in=houses) | Q(organization_id__in=orgs)
    )
    mediator = CaseMediator.objects.filter(case=OuterRef("pk"), user=user, is_active=True)
    q = Q(Exists(party)) | Q(Exists(mediator))
    overseen = compound_filter(user, OVERSEERS)
    if overseen is not None:
        q |= Q(compound__in=Compound.objects.filter(overseen))
    return Case.objects.filter(q).select_related("compound")


def case_find(*, user: Any, pk: Any) -> Case | None:
    """The case if the user may see it; None otherwise (the view answers 404 and logs the attempt)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    case = Case.objects.select_related("compound", "compound__community", "voice").filter(pk=pk).first()
    if case is None or not may_view_case(user, case):
        return None
    return case


@dataclass(frozen=True)
class CaseRow:
    """One line of a case list: names and phones masked."""

    case: Case
    parties: list[str]


def party_label(party: CaseParty, *, masked: bool) -> str:
    name = mask_name(party.name) if masked else party.name
    if party.kind == "household" and party.house is not None:
        house = party.house
        name = f"{house.building.name}{house.unit.name}{house.room} {name}".strip()
    phone = (mask_phone(party.phone) if masked else party.phone) if party.phone else ""
    return f"{name} {phone}".strip()


CASES_PER_PAGE = 30


def case_rows(
    *, user: Any, status: str = "", compound: Compound | None = None, q: str = "", page: Any = 1
) -> tuple[Page[Case], list[CaseRow]]:
    """One page of the cases the user may see, newest first, with their parties masked."""
    qs = cases_visible(user=user).order_by("-opened_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    if compound is not None:
        qs = qs.filter(compound=compound)
    if q:
        qs = qs.filter(title__icontains=q)
    current = Paginator(qs, CASES_PER_PAGE).get_page(page)
    cases = list(current.object_list)
    parties: dict[int, list[str]] = {}
    for p in CaseParty.objects.filter(case__in=cases).select_related("house__building", "house__unit"):
        parties.setdefault(p.case_id, []).append(party_label(p, masked=True))
    return current, [CaseRow(case=c, parties=parties.get(c.pk, [])) for c in cases]


def case_parties(case: Case) -> list[CaseParty]:
    return list(
        CaseParty.objects.filter(community_id=case.community_id, case=case).select_related(
            "house__building", "house__unit", "user", "organization"
        )
    )


def case_mediators(case: Case) -> list[CaseMediator]:
    return list(
        CaseMediator.objects.filter(community_id=case.community_id, case=case, is_active=True).select_related("user")
    )


def case_sessions(case: Case) -> list[CaseSession]:
    return list(
        CaseSession.objects.filter(community_id=case.community_id, case=case).prefetch_related("invited", "attendance")
    )


def case_evidence(case: Case) -> list[CaseEvidence]:
    return list(CaseEvidence.objects.filter(community_id=case.community_id, case=case).select_related("uploaded_by"))


def case_agreements(case: Case) -> list[Agreement]:
    return list(Agreement.objects.filter(community_id=case.community_id, case=case).order_by("-version"))


def current_agreement(case: Case) -> Agreement | None:
    return Agreement.objects.filter(community_id=case.community_id, case=case).order_by("-version").first()


def signed_agreement(case: Case) -> Agreement | None:
    return (
        Agreement.objects.filter(community_id=case.community_id, case=case, status=AgreementStatus.SIGNED)
        .order_by("-version")
        .first()
    )


def case_follow_ups(case: Case) -> list[FollowUp]:
    return list(FollowUp.objects.filter(community_id=case.community_id, case=case).select_related("agreement"))


def case_timeline(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(community_id=case.community_id, case=case).select_related("actor"))


def evidence_get(*, case: Case, pk: int) -> CaseEvidence | None:
    return CaseEvidence.objects.filter(community_id=case.community_id, case=case, pk=pk).first()


def area_chain(compound: Compound) -> list[int]:
    """The compound's community, sub-district and district (the areas a police station or law firm serves)."""
    ids: list[int] = []
    area: Any = compound.community
    while area is not None and len(ids) < 4:
        ids.append(area.pk)
        area = area.parent
    return ids


def eligible_mediators(compound: Compound, capacity: str) -> QuerySet[User]:
    """Who may be assigned to a case of the compound in this capacity (from their memberships)."""
    chain = area_chain(compound)
    community = Q(organization__kind=OrgKind.COMMUNITY, organization__area_id=compound.community_id)
    q: Q
    if capacity == Capacity.OFFICER:
        q = Q(role=Role.OFFICER, organization__kind=OrgKind.POLICE, organization__area_id__in=chain)
    elif capacity == Capacity.LAWYER:
        q = Q(role=Role.LAWYER, organization__kind=OrgKind.LAW_FIRM, organization__area_id__in=chain)
    elif capacity == Capacity.GRID_WORKER:
        q = community & Q(role=Role.GRID_WORKER)
    elif capacity == Capacity.COMMUNITY_STAFF:
        q = community & Q(role__in=[Role.COMMUNITY_STAFF, Role.SECRETARY])
    elif capacity == Capacity.PEOPLES_MEDIATOR:
        q = (community & Q(role__in=[Role.COMMUNITY_STAFF, Role.SECRETARY])) | Q(
            role=Role.REPRESENTATIVE, organization__kind=OrgKind.RESIDENTS, organization__compound=compound
        )
    else:
        return User.objects.none()
    members = Membership.objects.filter(q).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("name", "pk")


def mediator_choices(compound: Compound) -> list[tuple[str, list[User]]]:
    return [(c, list(eligible_mediators(compound, c)[:100])) for c in Capacity.values]


def serving_stations(compound: Compound) -> QuerySet[Any]:
    from gongzhi.accounts.models import Organization

    return Organization.objects.filter(kind=OrgKind.POLICE, area_id__in=area_chain(compound)).order_by("name")


def opener_compounds(*, user: Any) -> QuerySet[Compound]:
    q = compound_filter(user, OPENERS) if _authenticated(user) else None
    return Compound.objects.filter(q).order_by("name") if q is not None else Compound.objects.none()


def overseen_compounds(*, user: Any) -> QuerySet[Compound]:
    q = compound_filter(user, OVERSEERS) if _authenticated(user) else None
    return Compound.objects.filter(q).order_by("name") if q is not None else Compound.objects.none()


def access_log(*, user: Any, case: Case | None = None) -> QuerySet[CaseAccess]:
    """Views of (and attempts on) the cases of the communities the user is secretary of."""
    communities = overseen_compounds(user=user).values("community_id")
    qs = CaseAccess.objects.filter(community_id__in=communities).select_related("user", "case")
    if case is not None:
        qs = qs.filter(case=case)
    return qs.order_by("-at", "-pk")


def follow_up_days(community_id: int) -> tuple[int, int]:
    """Days after signing for the two follow-up visits: the community's policy, else settings (7 and 30)."""
    from django.conf import settings

    policy = MediationPolicy.objects.filter(community_id=community_id).first()
    if policy is not None:
        return policy.first_days, policy.second_days
    first, second = getattr(settings, "MEDIATION_FOLLOW_UP_DAYS", (7, 30))
    return int(first), int(second)


def report_compounds(*, user: Any) -> QuerySet[Compound]:
    q = compound_filter(user, INCIDENT_REPORTERS) if _authenticated(user) else None
    return Compound.objects.filter(q).order_by("name") if q is not None else Compound.objects.none()


def incidents_visible(*, user: Any) -> QuerySet[SecurityIncident]:
    if not _authenticated(user):
        return SecurityIncident.objects.none()
    reporters = Membership.objects.filter(user=user, role__in=INCIDENT_REPORTERS).values("organization_id")
    officers = Membership.objects.filter(user=user, role=Role.OFFICER).values("organization_id")
    return (
        SecurityIncident.objects.filter(Q(company_id__in=reporters) | Q(station_id__in=officers))
        .select_related("compound", "station", "company", "reported_by")
        .order_by("-reported_at", "-pk")
    )


def incident_get(*, user: Any, pk: int) -> SecurityIncident | None:
    incident = (
        SecurityIncident.objects.select_related("compound", "station", "company", "reported_by").filter(pk=pk).first()
    )
    if incident is None or not may_view_incident(user, incident):
        return None
    return incident


def incident_timeline(incident: SecurityIncident) -> list[IncidentEvent]:
    return list(
        IncidentEvent.objects.filter(community_id=incident.community_id, incident=incident).select_related("actor")
    )


def due_follow_ups(*, on: datetime.date) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(status="due", due_on__lte=on, reminded_at__isnull=True)
