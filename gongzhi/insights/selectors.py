"""Scoped reads of the KPIs: the compounds a user may measure (estates/scope.py decides), and their KPIs."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound
from gongzhi.estates.models import Area, AreaLevel, Compound
from gongzhi.estates.selectors import compound_get, compounds_for

from .engine import KpiReport, as_of_check, kpis_compute
from .periods import parse_date, parse_period
from .rules import KPI_VIEWERS


def kpi_compounds(*, user: Any) -> QuerySet[Compound]:
    """The compounds whose KPIs the user may read."""
    return compounds_for(user, KPI_VIEWERS)


def compound_kpis(*, user: Any, code: str, period: str, as_of: str | None = None) -> tuple[Compound, KpiReport]:
    """Every KPI of one compound in scope (NotFound / NotAllowed otherwise), computed from the events; bad
    periods and dates are DomainErrors naming the field."""
    compound = compound_get(user=user, code=code, roles=KPI_VIEWERS)
    p = parse_period(period)
    day: datetime.date | None = parse_date(as_of) if as_of else None
    day = as_of_check(compound, p, day)
    return compound, kpis_compute([compound], p, as_of=day)


def area_compounds(*, user: Any, area: Area) -> QuerySet[Compound]:
    """The compounds of a community, sub-district or district that the user may measure (their scope ∩ the
    area): a property company sees its own compounds of a sub-district, a supervisor every one."""
    under = {
        AreaLevel.COMMUNITY: Q(community_id=area.pk),
        AreaLevel.SUB_DISTRICT: Q(community__parent_id=area.pk),
        AreaLevel.DISTRICT: Q(community__parent__parent_id=area.pk),
    }[AreaLevel(area.level)]
    return kpi_compounds(user=user).filter(under).select_related("community").order_by("name", "pk")


def kpi_areas(*, user: Any) -> list[Area]:
    """The communities, sub-districts and districts holding a compound the user may measure (for pickers)."""
    communities = Area.objects.filter(pk__in=kpi_compounds(user=user).values("community_id"))
    subs = Area.objects.filter(pk__in=communities.values("parent_id"))
    districts = Area.objects.filter(pk__in=subs.values("parent_id"))
    return list(districts.order_by("name")) + list(subs.order_by("name")) + list(communities.order_by("name"))


def area_get(*, user: Any, pk: int) -> Area:
    """An area holding at least one compound the user may measure; NotFound otherwise (no existence leak)."""
    area = Area.objects.filter(pk=pk).first()
    if area is None or not area_compounds(user=user, area=area).exists():
        raise NotFound(_("No such area."))
    return area
