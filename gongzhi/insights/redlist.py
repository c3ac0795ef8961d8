"""The red list (红榜, KPIS.md "Ranking"): a sub-district's compounds ranked for a period by a composite score.

score = Σ weight × rate over four components — satisfaction (``voices_satisfaction_rate``), resolution
(``voices_resolution_rate``), response (``voices_response_rate``) and current-period collection
(``fees_collection_rate``) — with the sub-district's ``RedListWeights`` (whole percentages adding up to 100;
40/25/15/20 by default), so the score runs from 0 to 100. Figures are read from the rollups
(``kpis_from_rollups``), never by scanning history.

Too little data for a component makes the compound *unranked* for it, never 0: fewer rated voices than
``min_ratings`` for satisfaction, fewer voices (the rate's denominator) than ``min_voices`` for response and
resolution, nothing receivable (no bills) for collection. A compound unranked on any component is listed
below the ranking with the reason per component and the components it does have (a component weighted 0
unranks no one). Scores equal to the
hundredth share a rank (1, 1, 3).

A red list is published: it names every compound of the sub-district to anyone who may open the page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.estates.models import Area, AreaLevel, Compound

from .models import RedListWeights
from .periods import Period
from .registry import Measure
from .rollups import kpis_from_rollups

HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class ComponentSpec:
    name: str  # the RedListWeights field holding its weight
    key: str  # the KPI read from the rollups
    label: str | Promise
    minimum: str  # "ratings" / "voices" / "bills": which minimum decides "too little data"


COMPONENTS: tuple[ComponentSpec, ...] = (
    ComponentSpec("satisfaction", "voices_satisfaction_rate", gettext_lazy("Satisfaction"), "ratings"),
    ComponentSpec("resolution", "voices_resolution_rate", gettext_lazy("Resolution"), "voices"),
    ComponentSpec("response", "voices_response_rate", gettext_lazy("Response"), "voices"),
    ComponentSpec("collection", "fees_collection_rate", gettext_lazy("Current-period collection"), "bills"),
)
KEYS = tuple(c.key for c in COMPONENTS)


@dataclass(frozen=True)
class Weights:
    """A sub-district's weights (whole percentages) and minimums; ``is_default`` when none were set."""

    satisfaction: int = 40
    resolution: int = 25
    response: int = 15
    collection: int = 20
    min_ratings: int = 10
    min_voices: int = 10
    is_default: bool = True
    updated_at: datetime.datetime | None = None
    updated_by: Any = None

    def of(self, name: str) -> int:
        return int(getattr(self, name))

    @property
    def parts(self) -> list[tuple[ComponentSpec, int]]:
        return [(c, self.of(c.name)) for c in COMPONENTS]

    def text(self) -> str:
        """ "Satisfaction 40%, Resolution 25%, …; at least 10 ratings and 10 voices" (the xlsx title)."""
        parts = ", ".join(f"{c.label} {w}%" for c, w in self.parts)
        return _("%(parts)s; at least %(ratings)s ratings and %(voices)s voices") % {
            "parts": parts,
            "ratings": self.min_ratings,
            "voices": self.min_voices,
        }


WEIGHT_FIELDS = ("satisfaction", "resolution", "response", "collection", "min_ratings", "min_voices")


def weights_of(area: Area) -> Weights:
    """The weights a sub-district set, or the defaults (40/25/15/20, at least 10 ratings and 10 voices)."""
    row = RedListWeights.objects.filter(area=area).select_related("updated_by").first()
    if row is None:
        return Weights()
    return Weights(
        **{name: int(getattr(row, name)) for name in WEIGHT_FIELDS},
        is_default=False,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


@dataclass(frozen=True)
class Component:
    """One component of one compound: its measure, and whether it counts (``reason`` says why not)."""

    spec: ComponentSpec
    weight: int
    measure: Measure
    reason: str | None  # None: ranked on it

    @property
    def value(self) -> Decimal | None:
        return self.measure.value

    @property
    def ranked(self) -> bool:
        return self.reason is None

    @property
    def points(self) -> Decimal | None:
        """What the component adds to the score (weight × rate), or None when unranked."""
        v = self.value
        return None if v is None or not self.ranked else Decimal(self.weight) * v


@dataclass(frozen=True)
class Entry:
    compound: Compound
    components: list[Component]
    score: Decimal | None  # to the hundredth; None when unranked
    rank: int | None = None

    @property
    def ranked(self) -> bool:
        return self.score is not None

    @property
    def reasons(self) -> list[Component]:
        return [c for c in self.components if not c.ranked]


@dataclass(frozen=True)
class RedList:
    area: Area
    period: Period
    as_of: datetime.date
    weights: Weights
    ranked: list[Entry]
    unranked: list[Entry]

    @property
    def entries(self) -> list[Entry]:
        return self.ranked + self.unranked


def _whole(x: Decimal | None) -> int:
    return int((x or Decimal(0)).to_integral_value(rounding=ROUND_HALF_UP))


def _reason(spec: ComponentSpec, m: Measure, weights: Weights) -> str | None:
    """Why a component does not count for a compound, or None when it does."""
    n = _whole(m.denominator)
    if spec.minimum == "ratings":
        if m.value is None or n < weights.min_ratings:
            return _("%(n)s ratings, fewer than %(min)s") % {"n": n, "min": weights.min_ratings}
    elif spec.minimum == "voices":
        if m.value is None or n < weights.min_voices:
            return _("%(n)s voices, fewer than %(min)s") % {"n": n, "min": weights.min_voices}
    elif m.value is None:
        return _("no bills for the period")
    return None


def sub_district_compounds(area: Area) -> list[Compound]:
    """Every compound of a sub-district (the red list is published: not limited to the reader's scope)."""
    return list(
        Compound.objects.filter(community__parent_id=area.pk).select_related("community").order_by("name", "pk")
    )


def redlist_compute(*, area: Area, period: Period, today: datetime.date | None = None) -> RedList:
    """The red list of a sub-district for ``period``, read from the rollups (two queries and the weights')."""
    if area.level != AreaLevel.SUB_DISTRICT:
        raise ValueError("the red list ranks the compounds of a sub-district")
    weights = weights_of(area)
    compounds = sub_district_compounds(area)
    report = kpis_from_rollups(compounds, period, keys=KEYS, today=today)
    entries: list[Entry] = []
    for compound in compounds:
        per_key = report.measures.get(compound.pk, {})
        components = []
        for spec, weight in weights.parts:
            m = per_key[spec.key][0] if spec.key in per_key else Measure.none(ratio=True)
            # a component weighted 0 adds nothing: too little data for it unranks no one
            components.append(Component(spec, weight, m, None if weight == 0 else _reason(spec, m, weights)))
        score = None
        if all(c.ranked for c in components):
            score = sum((c.points or Decimal(0) for c in components), Decimal(0)).quantize(
                HUNDREDTH, rounding=ROUND_HALF_UP
            )
        entries.append(Entry(compound, components, score))
    ranked = sorted((e for e in entries if e.score is not None), key=lambda e: (-(e.score or 0), e.compound.name))
    out: list[Entry] = []
    for i, e in enumerate(ranked):
        rank = out[-1].rank if out and out[-1].score == e.score else i + 1
        out.append(Entry(e.compound, e.components, e.score, rank))
    unranked = [e for e in entries if e.score is None]
    return RedList(area, period, report.as_of, weights, out, unranked)
