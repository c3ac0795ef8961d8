"""KPI definitions (KPIS.md). Each KPI is defined once, here; pages, API and reports call these."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from gongzhi.estates.models import OCCUPIED_STATUSES, House, HouseEvent, Resident


@dataclass(frozen=True)
class Ratio:
    """A rate with its numerator and denominator; ``value`` is None (no data) when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def occupancy_rate(houses: QuerySet[House], at: datetime.date) -> Ratio:
    """入住率 at date d = houses occupied at d ÷ houses delivered at d.

    Delivered: delivery date ≤ d. Occupied: moved in on or before d (status 已入住 or 出租) and not moved
    out before d, read from the house's status events: the last event before d, or an occupying event on
    d itself (a move-out dated d still counts the house as occupied on d).
    """
    status_at = Subquery(
        HouseEvent.objects.filter(house=OuterRef("pk"))
        .filter(Q(effective_on__lt=at) | Q(effective_on=at, status__in=OCCUPIED_STATUSES))
        .order_by("-effective_on", "-id")
        .values("status")[:1]
    )
    row = (
        houses.filter(delivered_on__lte=at)
        .annotate(status_at=status_at)
        .aggregate(delivered=Count("id"), occupied=Count("id", filter=Q(status_at__in=OCCUPIED_STATUSES)))
    )
    return Ratio(numerator=row["occupied"], denominator=row["delivered"])


def permanent_residents(residents: QuerySet[Resident], at: datetime.date) -> int:
    """常住人口 at d = residents marked permanent whose move-in ≤ d and no move-out before d."""
    return (
        residents.filter(is_permanent=True, moved_in_on__lte=at)
        .filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=at))
        .count()
    )
