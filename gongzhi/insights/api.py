"""REST endpoints of the KPIs: ``GET /api/insights/kpis/?compound=CODE&period=2025[&as_of=2025-06-30]``.

Scoped like the pages (``selectors.compound_kpis``): staff, representatives and supervisors read the compounds
in their scope; residents and outside organizations none (rules.py). 404 for an unknown compound, 403 for one
out of scope, 400 for a period or date that does not parse or an as-of date before the compound existed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router

from gongzhi.api.schemas import StrictSchema, error_responses
from gongzhi.api.security import acting_user

from .present import report_dict
from .selectors import compound_kpis

router = Router(tags=["insights"])


class KpiQuery(StrictSchema):
    compound: str = Field(..., min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    period: str = Field(..., min_length=4, max_length=10)
    as_of: str | None = Field(None, max_length=10)


@router.get("/kpis/", response={200: dict[str, Any], **error_responses(403, 404)})
def kpis(request: HttpRequest, query: Query[KpiQuery]) -> dict[str, Any]:
    """Every KPI of a compound for a period: numerator, denominator, value, the year before, the change."""
    compound, report = compound_kpis(
        user=acting_user(request), code=query.compound, period=query.period, as_of=query.as_of
    )
    return report_dict(report, compound)
