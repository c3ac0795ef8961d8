"""The compound's voices as work-order rows, written so that importing the file back changes nothing.

Every voice is exported, whichever channel it came in by, except withdrawn ones (the ledger has no word for
them). A voice imported with a 编号 keeps it; every other voice is numbered ``GZ-<id>``, which names it
again on import. Times are Beijing time to the minute; 评价 is the latest rating of a resolved or closed
voice; a voice judged 无效 (rejected, or merged as a duplicate) carries its closing time as 办结时间.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, Subquery

from gongzhi.estates.models import Compound

from ..models import Status, Voice, VoiceRating
from .rows import KIND_LABELS, LEDGER_STATUS, RATING_LABELS, STATUS_LABELS, LedgerStatus, clean_text, platform_ref
from .times import as_cell


def workorder_rows(*, compound: Compound) -> Iterator[list[Any]]:
    latest_rating = Subquery(
        VoiceRating.objects.filter(community_id=OuterRef("community_id"), voice=OuterRef("pk"))
        .order_by("-at", "-id")
        .values("score")[:1]
    )
    voices = (
        Voice.objects.filter(community_id=compound.community_id, compound=compound)
        .exclude(status=Status.WITHDRAWN)
        .annotate(rating=latest_rating)
        .order_by("submitted_at", "id")
        .values_list(
            "id",
            "ledger_key",
            "external_ref",
            "submitted_at",
            "kind",
            "category__name",
            "text",
            "building__name",
            "house_id",
            "house__building__name",
            "house__unit__name",
            "house__room",
            "status",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "rating",
        )
    )
    for (
        pk,
        key,
        ref,
        submitted,
        kind,
        category,
        text,
        building,
        house_id,
        house_building,
        house_unit,
        house_room,
        status,
        accepted,
        resolved,
        closed,
        rating,
    ) in voices.iterator(chunk_size=2000):
        word = LEDGER_STATUS[status]
        done = word in (LedgerStatus.RESOLVED, LedgerStatus.CLOSED)
        where = (house_building, house_unit, house_room) if house_id is not None else (building or "", "", "")
        yield [
            ref if key.startswith("ref:") else platform_ref(pk),
            as_cell(submitted),
            KIND_LABELS.get(kind, kind),
            category,
            clean_text(text),
            *where,
            STATUS_LABELS[word],
            as_cell(accepted),
            as_cell(closed if word == LedgerStatus.INVALID else resolved if done else None),
            RATING_LABELS.get(rating, "") if done and rating else "",
        ]
