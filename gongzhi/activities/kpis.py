"""The activities' KPIs (KPIS.md, "Joint work"), registered with the insights engine (autodiscovered).

- ``activities_held``: activities of the period marked held — starting in the period, marked held (``held_at``)
  by d — as the meetings KPI counts meetings closed with minutes. Their categories are in the drill-down (a key
  per category would multiply the rollups for a breakdown the list already shows).
- ``activities_participants``: check-ins (by QR code or marked by staff, recorded by d) at those activities;
  one per sign-up, whatever its party size, as the activities' figures page counts attendance.

Both are "no data" for a compound that had recorded no activity by d. Volunteer hours (activity and duty) are
the duty app's KPI (``gongzhi/duty/kpis.py``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.insights.registry import COUNT, Drill, DrillColumn, KpiContext, KpiDefinition, Measure, register

from .models import Activity, ActivityCategory, ActivityStatus, CheckinMethod, Signup


def held_activities(ctx: KpiContext) -> QuerySet[Activity]:
    """The activities ``activities_held`` counts for ``ctx``: of its compounds, starting in the period (up to d),
    marked held by d."""
    return Activity.objects.filter(
        community_id__in={c.community_id for c in ctx.compounds},
        compound_id__in=ctx.compound_ids,
        status=ActivityStatus.HELD,
        held_at__lt=ctx.cutoff,
        starts_at__gte=ctx.start_at,
        starts_at__lt=ctx.window_end_at,
    )


def checkins(ctx: KpiContext) -> QuerySet[Signup]:
    """The check-ins ``activities_participants`` counts: at the held activities, recorded by d."""
    return Signup.objects.filter(
        community_id__in={c.community_id for c in ctx.compounds},
        activity__in=held_activities(ctx),
        checked_in_at__lt=ctx.cutoff,
    )


def held_by_category(ctx: KpiContext) -> dict[int, dict[str, tuple[int, int]]]:
    """compound id → category → (activities held, check-ins at them), one query (shared by both KPIs)."""

    def compute() -> dict[int, dict[str, tuple[int, int]]]:
        rows = (
            held_activities(ctx)
            .order_by()
            .values_list("compound_id", "category")
            .annotate(
                n=Count("id", distinct=True),
                people=Count("signups", filter=Q(signups__checked_in_at__lt=ctx.cutoff)),
            )
        )
        out: dict[int, dict[str, tuple[int, int]]] = {}
        for compound_id, category, n, people in rows:
            out.setdefault(compound_id, {})[category] = (n, people)
        return out

    result: dict[int, dict[str, tuple[int, int]]] = ctx.once("activities_held", compute)
    return result


def _recorded(ctx: KpiContext) -> set[int]:
    """Compounds that had recorded an activity by d — entered by then, or dated before then (a history typed in
    later): without any, both KPIs are "no data"."""
    recorded = Activity.objects.filter(Q(created_at__lt=ctx.cutoff) | Q(starts_at__lt=ctx.cutoff))
    return ctx.once("activities_recorded", lambda: ctx.compounds_having(recorded))


def _sum(ctx: KpiContext, index: int) -> dict[int, Measure]:
    counts = held_by_category(ctx)
    recorded = _recorded(ctx)
    return {
        c: Measure.count(sum(pair[index] for pair in counts.get(c, {}).values()), data=c in recorded)
        for c in ctx.compound_ids
    }


def _held(ctx: KpiContext) -> dict[int, Measure]:
    return _sum(ctx, 0)


def _participants(ctx: KpiContext) -> dict[int, Measure]:
    return _sum(ctx, 1)


def _local(value: Any) -> str:
    return "" if value is None else f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _category(value: str) -> str:
    return str(ActivityCategory(value).label) if value in ActivityCategory.values else value


def _activity_link(row: Any) -> str:
    return reverse("activities:detail", args=[row.activity_id if isinstance(row, Signup) else row.pk])


def _held_drill(ctx: KpiContext) -> Drill:
    rows = (
        held_activities(ctx)
        .annotate(checkins=Count("signups", filter=Q(signups__checked_in_at__lt=ctx.cutoff)))
        .order_by("starts_at", "id")
    )
    return Drill(
        rows=rows,
        columns=(
            DrillColumn(_("starts at"), lambda a: _local(a.starts_at)),
            DrillColumn(_("title"), lambda a: a.title),
            DrillColumn(_("category"), lambda a: _category(a.category)),
            DrillColumn(_("place"), lambda a: a.place),
            DrillColumn(_("check-ins"), lambda a: a.checkins),
        ),
        link=_activity_link,
    )


def _participants_drill(ctx: KpiContext) -> Drill:
    """The check-ins, without who checked in (the figure's readers need not know residents' names)."""
    methods = dict(CheckinMethod.choices)
    rows = checkins(ctx).select_related("activity").order_by("activity__starts_at", "activity_id", "checked_in_at")
    return Drill(
        rows=rows,
        columns=(
            DrillColumn(_("activity"), lambda s: s.activity.title),
            DrillColumn(_("category"), lambda s: _category(s.activity.category)),
            DrillColumn(_("checked in at"), lambda s: _local(s.checked_in_at)),
            DrillColumn(_("checked in by"), lambda s: str(methods.get(s.checkin_method, s.checkin_method))),
            DrillColumn(_("people"), lambda s: s.party_size),
        ),
        link=_activity_link,
    )


register(
    KpiDefinition(
        key="activities_held",
        label=_("Activities held"),
        unit=COUNT,
        section="activities",
        order=500,
        compute=_held,
        help=_("Activities of the period marked as held (cancelled ones not counted)."),
        drill=_held_drill,
    )
)
register(
    KpiDefinition(
        key="activities_participants",
        label=_("Activity participants"),
        unit=COUNT,
        section="activities",
        order=510,
        compute=_participants,
        help=_("Check-ins (by QR code or marked by staff) at the activities held in the period."),
        drill=_participants_drill,
    )
)
