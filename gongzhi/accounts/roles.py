"""Kinds of organization and the roles their members hold (MISSION.md, "Who uses it")."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    COMMUNITY = "community", _("Community")
    PROPERTY = "property", _("Property company")
    RESIDENTS = "residents", _("Residents' representatives")
    DEPARTMENT = "department", _("Government department")
    POLICE = "police", _("Police station")
    LAW_FIRM = "law_firm", _("Law firm")
    SUB_DISTRICT = "sub_district", _("Sub-district")
    DISTRICT = "district", _("District")


class Role(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    PROPERTY_MANAGER = "property_manager", _("Property manager")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    TECHNICIAN = "technician", _("Technician")
    FINANCE = "finance", _("Finance")
    REPRESENTATIVE = "representative", _("Representative")
    LIAISON = "liaison", _("Liaison")
    OFFICER = "officer", _("Officer")
    LAWYER = "lawyer", _("Lawyer")
    SUPERVISOR = "supervisor", _("Supervisor")


ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrgKind.COMMUNITY: frozenset({Role.SECRETARY, Role.GRID_WORKER, Role.COMMUNITY_STAFF}),
    OrgKind.PROPERTY: frozenset({Role.PROPERTY_MANAGER, Role.CUSTOMER_SERVICE, Role.TECHNICIAN, Role.FINANCE}),
    OrgKind.RESIDENTS: frozenset({Role.REPRESENTATIVE}),
    OrgKind.DEPARTMENT: frozenset({Role.LIAISON}),
    OrgKind.POLICE: frozenset({Role.OFFICER}),
    OrgKind.LAW_FIRM: frozenset({Role.LAWYER}),
    OrgKind.SUB_DISTRICT: frozenset({Role.SUPERVISOR}),
    OrgKind.DISTRICT: frozenset({Role.SUPERVISOR}),
}

# What each role may do with the estate of the compounds in its scope.
ESTATE_VIEWERS = frozenset(
    {
        Role.SECRETARY,
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.PROPERTY_MANAGER,
        Role.CUSTOMER_SERVICE,
        Role.TECHNICIAN,
        Role.FINANCE,
        Role.REPRESENTATIVE,
        Role.SUPERVISOR,
    }
)
# Roles that see houses and households (names, masked phones); representatives and supervisors see aggregates.
HOUSEHOLD_VIEWERS = frozenset(
    {
        Role.SECRETARY,
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.PROPERTY_MANAGER,
        Role.CUSTOMER_SERVICE,
        Role.TECHNICIAN,
        Role.FINANCE,
    }
)
# Roles that contact households and so see full phone numbers.
PHONE_VIEWERS = frozenset({Role.SECRETARY, Role.GRID_WORKER, Role.PROPERTY_MANAGER, Role.CUSTOMER_SERVICE})
# Roles that maintain the house ledger (import, export, status changes) and approve house bindings.
ESTATE_EDITORS = frozenset({Role.SECRETARY, Role.COMMUNITY_STAFF, Role.PROPERTY_MANAGER, Role.CUSTOMER_SERVICE})
BINDING_DECIDERS = frozenset(
    {Role.SECRETARY, Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.PROPERTY_MANAGER, Role.CUSTOMER_SERVICE}
)
