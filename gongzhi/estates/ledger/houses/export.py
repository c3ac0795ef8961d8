"""The compound's houses as ledger rows, written so that importing the file back changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count

from gongzhi.estates.models import Compound, House, Resident

from .rows import STATUS_LABELS, TYPE_LABELS


def house_rows(*, compound: Compound) -> Iterator[list[Any]]:
    """Rows in building → unit → floor → room order; 常住人数 counts current permanent residents."""
    scope = {"community_id": compound.community_id, "compound": compound}
    residents = dict(
        Resident.objects.filter(**scope, is_permanent=True, moved_out_on__isnull=True)
        .values("house_id")
        .annotate(n=Count("id"))
        .values_list("house_id", "n")
    )
    houses = (
        House.objects.filter(**scope)
        .order_by("building__sort_key", "building__name", "unit__sort_key", "unit__name", "floor", "room")
        .values_list(
            "id",
            "phase__name",
            "building__name",
            "unit__name",
            "room",
            "floor",
            "area",
            "status",
            "delivered_on",
            "moved_in_on",
            "owner_name",
            "owner_phone",
            "house_type",
        )
    )
    for (
        pk,
        phase,
        building,
        unit,
        room,
        floor,
        area,
        status,
        delivered,
        moved_in,
        owner,
        phone,
        house_type,
    ) in houses.iterator(chunk_size=2000):
        yield [
            phase or "",
            building,
            unit,
            room,
            floor,
            area,
            STATUS_LABELS.get(status, status),
            delivered,
            moved_in,
            owner,
            phone,
            residents.get(pk, 0),
            TYPE_LABELS.get(house_type, house_type),
        ]
