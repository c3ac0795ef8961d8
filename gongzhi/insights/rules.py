"""Who may read the KPIs: the roles that view the compound's estate (``ESTATE_VIEWERS``: community and property
staff, residents' representatives, sub-district and district supervisors) within their scope, and superusers.

Residents (and applicants) read none through the KPI API: several KPIs are not public (arrears, reopen
rates); the figures a compound publishes to its residents come through the notices' lobby screen and the
governance report. Departments, police and law firms reach no estate data, so no KPI either.
"""

from __future__ import annotations

import rules

from gongzhi.accounts.roles import ESTATE_VIEWERS
from gongzhi.estates.rules import may_view_compound

KPI_VIEWERS = ESTATE_VIEWERS
may_view_kpis = may_view_compound  # (user, compound): a role of KPI_VIEWERS over it, or a superuser

rules.add_perm("insights.view_kpis", may_view_kpis)
