"""Scoped reads of the KPIs: the compounds a user may measure (estates/scope.py decides), and their KPIs."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from gongzhi.estates.models import Compound
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
