"""REST endpoints of the KPIs.

- ``GET /api/insights/kpis/?compound=CODE&period=2025[&as_of=2025-06-30]``: every KPI of one compound, computed
  from the events. 404 for an unknown compound, 403 for one out of scope, 400 for a period or date that does not
  parse or an as-of date before the compound existed.
- ``GET /api/insights/areas/{pk}/kpis/?period=2025[&cohort=2023][&page=&page_size=]``: the community,
  sub-district or district dashboard's table — each compound of the area in the user's scope (of one delivery
  year with ``cohort``), a page of them by name, and the total over all of them (sums of numerators and
  denominators), read from the rollups. 403 for a user who reads no KPI at all, 404 for an unknown area or one
  where the user measures nothing, 400 for a period that does not parse or a cohort the area does not have.

Scoped like the pages (``selectors``): staff, representatives and supervisors read the compounds in their scope;
residents and outside organizations none (rules.py).
"""

from __future__ import annotations

import math
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router

from gongzhi.api.schemas import MAX_PAGE_SIZE, StrictSchema, error_responses
from gongzhi.api.security import acting_user

from .periods import parse_period
from .present import report_dict, value_dict
from .rollups import kpis_from_rollups
from .selectors import compound_kpis
from .views.area import area_for, area_query, cohort_check, cohort_years

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


class AreaPath(StrictSchema):
    pk: int = Field(..., ge=1, le=2**63 - 1, description="The area's id (a community, sub-district or district)")


class AreaKpiQuery(StrictSchema):
    period: str = Field(..., min_length=4, max_length=10, description="2025, 2025Q1 or 2025-03")
    cohort: int | None = Field(None, ge=2000, le=2099, description="Only the compounds delivered in this year")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


@router.get(
    "/areas/{pk}/kpis/",
    response={200: dict[str, Any], **error_responses(403, 404)},
    summary="The KPIs of every compound of an area in my scope, and their total",
)
def area_kpis(request: HttpRequest, path: Path[AreaPath], query: Query[AreaKpiQuery]) -> dict[str, Any]:
    """Each compound's KPIs (a page, by name) and the total over all the compounds selected: the numerators and
    denominators added up — never a mean of rates — with the year before and the change. Read from the rollups:
    a period not rolled up reads "no data"."""
    user = acting_user(request)
    area = area_for(user, path.pk)
    period = parse_period(query.period)
    cohort = cohort_check(query.cohort, cohort_years(user=user, area=area))
    compounds = area_query(user=user, area=area, cohort=cohort)
    report = kpis_from_rollups(compounds, period)
    start = (query.page - 1) * query.page_size
    shown = compounds[start : start + query.page_size]
    return {
        "area": {"id": area.pk, "name": area.name, "level": area.level},
        "period": period.code,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "as_of": report.as_of.isoformat(),
        "year_before": {"period": report.year_before_period.code, "as_of": report.year_before_as_of.isoformat()},
        "cohort": cohort,
        "count": len(compounds),
        "page": query.page,
        "page_size": query.page_size,
        "pages": max(1, math.ceil(len(compounds) / query.page_size)),
        "compounds": [
            {
                "code": c.code,
                "name": c.name,
                "community": c.community.name,
                "delivered_on": c.delivered_on.isoformat() if c.delivered_on else None,
                "kpis": [value_dict(v) for v in report.values(c.pk)],
            }
            for c in shown
        ],
        "total": {"compounds": len(compounds), "kpis": [value_dict(v) for v in report.values(None)]},
    }
