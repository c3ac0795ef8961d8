"""Which roles do what with activities and the care of vacant homes (scope still comes from estates/scope.py)."""

from __future__ import annotations

from gongzhi.accounts.roles import Role

# Community and property company staff create and run activities of the compounds in their scope.
ACTIVITY_MANAGERS = frozenset(
    {Role.SECRETARY, Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.PROPERTY_MANAGER, Role.CUSTOMER_SERVICE}
)
# See every activity that is no longer a draft, and the figures (no personal data beyond names at check-in).
ACTIVITY_VIEWERS = frozenset(
    {
        Role.TECHNICIAN,
        Role.FINANCE,
        Role.REPRESENTATIVE,
        Role.SUPERVISOR,
    }
)
# Property company staff look after vacant homes: see the due visits, record visits.
CARE_STAFF = frozenset({Role.PROPERTY_MANAGER, Role.CUSTOMER_SERVICE, Role.TECHNICIAN})
# …and edit the compound's care task list.
CARE_EDITORS = frozenset({Role.PROPERTY_MANAGER, Role.CUSTOMER_SERVICE})
