"""The KPIs of the apps that were there first (estates, voices, fees, meetings), registered with the engine.

Each wraps the one definition in ``insights/kpis.py`` (or, for meetings, the query here), measured for many
compounds at once and as of ``ctx.as_of``. Apps written later register theirs from their own ``kpis.py``
(see ``registry.py``). Imported by ``InsightsConfig.ready``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import drills, kpis
from .registry import AMOUNT, COUNT, HOURS, RATE, KpiContext, KpiDefinition, Measure, register

# --- Compound and residents ---------------------------------------------------------------------------------


def _stock_day(ctx: KpiContext) -> datetime.date:
    """A stock (occupancy, residents) of a period is its value on the period's last day, or on d before it."""
    return min(ctx.as_of, ctx.end - datetime.timedelta(days=1))


def _occupancy(ctx: KpiContext) -> dict[int, Measure]:
    from gongzhi.estates.models import House

    houses = House.objects.filter(compound_id__in=ctx.compound_ids)
    rows = kpis.occupancy_rate_by_compound(houses, _stock_day(ctx))
    return {c: Measure.ratio(r.numerator, r.denominator) for c, r in rows.items()}


def _permanent(ctx: KpiContext) -> dict[int, Measure]:
    from gongzhi.estates.models import Resident

    residents = Resident.objects.filter(compound_id__in=ctx.compound_ids)
    counts = kpis.permanent_residents_by_compound(residents, _stock_day(ctx))
    recorded = ctx.compounds_having(Resident.objects.all())
    return {c: Measure.count(counts.get(c, 0), data=c in recorded) for c in ctx.compound_ids}


register(
    KpiDefinition(
        key="estates_occupancy_rate",
        label=_("Occupancy rate"),
        unit=RATE,
        section="estates",
        order=100,
        compute=_occupancy,
        drill=drills.occupancy,
        help=_("Houses occupied ÷ houses delivered, on the period's last day."),
    )
)
register(
    KpiDefinition(
        key="estates_permanent_residents",
        label=_("Permanent residents"),
        unit=COUNT,
        section="estates",
        order=110,
        compute=_permanent,
        drill=drills.permanent_residents,
        help=_("Residents marked permanent who live in the compound on the period's last day."),
    )
)

# --- Residents' voices ----------------------------------------------------------------------------------------


def _voices(ctx: KpiContext) -> Any:
    from gongzhi.voices.models import Voice

    communities = {c.community_id for c in ctx.compounds}
    return Voice.objects.filter(community_id__in=communities, compound_id__in=ctx.compound_ids)


def _voice_data(ctx: KpiContext) -> set[int]:
    """Compounds with at least one voice submitted by d: without any, every voice KPI is "no data"."""
    return ctx.once("voices_data", lambda: ctx.compounds_having(kpis._counted(_voices(ctx), ctx.cutoff)))


def _by_kind(kind: str) -> Any:
    def compute(ctx: KpiContext) -> dict[int, Measure]:
        counts = ctx.once(
            "voices_by_kind",
            lambda: kpis.voices_by_kind_by_compound(_voices(ctx), ctx.start, ctx.end, as_of=ctx.cutoff),
        )
        data = _voice_data(ctx)
        return {c: Measure.count(counts.get(c, {}).get(kind, 0), data=c in data) for c in ctx.compound_ids}

    return compute


def _voice_ratio(function: Any) -> Any:
    def compute(ctx: KpiContext) -> dict[int, Measure]:
        rows = function(_voices(ctx), ctx.start, ctx.end, as_of=ctx.cutoff)
        return {c: Measure.ratio(r.numerator, r.denominator) for c, r in rows.items()}

    return compute


def _resolve_hours(ctx: KpiContext) -> dict[int, Measure]:
    rows = kpis.resolve_hours_by_compound(_voices(ctx), ctx.start, ctx.end, as_of=ctx.cutoff)
    return {c: Measure.ratio(hours, n) for c, (hours, n) in rows.items()}


_KIND_LABELS = {
    "complaint": _("Complaints"),
    "suggestion": _("Suggestions"),
    "praise": _("Praise"),
    "request": _("Requests for help"),
    "repair": _("Repairs"),
    "enquiry": _("Enquiries"),
}
for _i, (_kind, _label) in enumerate(_KIND_LABELS.items()):
    register(
        KpiDefinition(
            key=f"voices_{_kind}",
            label=_label,
            unit=COUNT,
            section="voices",
            order=200 + _i,
            compute=_by_kind(_kind),
            drill=drills.voices_of_kind(_kind),
            help=_("Voices of this kind submitted in the period (rejected and merged ones not counted)."),
        )
    )
for _key, _label, _order, _function, _drill, _help in (
    (
        "voices_response_rate",
        _("Response rate"),
        210,
        kpis.response_rate_by_compound,
        drills.voices_responded,
        _("Of the period's voices other than praise, the share accepted no later than their response deadline."),
    ),
    (
        "voices_on_time_resolution_rate",
        _("On-time resolution rate"),
        211,
        kpis.on_time_resolution_rate_by_compound,
        drills.voices_resolved_on_time,
        _("Of voices whose resolution deadline falls in the period, the share resolved by that deadline."),
    ),
    (
        "voices_resolution_rate",
        _("Resolution rate"),
        212,
        kpis.resolution_rate_by_compound,
        drills.voices_resolved,
        _("Of the period's voices other than praise, the share resolved by the end of the period."),
    ),
    (
        "voices_satisfaction_rate",
        _("Satisfaction rate"),
        213,
        kpis.satisfaction_rate_by_compound,
        drills.voices_satisfied,
        _("Of ratings given in the period, satisfied and basically satisfied ÷ all (the latest rating of a voice)."),
    ),
    (
        "voices_reopen_rate",
        _("Reopen rate"),
        215,
        kpis.reopen_rate_by_compound,
        drills.voices_reopened,
        _("Of voices resolved in the period, the share reopened after a dissatisfied rating."),
    ),
):
    register(
        KpiDefinition(
            key=_key,
            label=_label,
            unit=RATE,
            section="voices",
            order=_order,
            compute=_voice_ratio(_function),
            drill=_drill,
            help=_help,
        )
    )
register(
    KpiDefinition(
        key="voices_mean_hours_to_resolve",
        label=_("Mean time to resolve"),
        unit=HOURS,
        section="voices",
        order=214,
        compute=_resolve_hours,
        drill=drills.voices_resolved_in_period,
        help=_("Mean hours from submission to resolution of the voices other than praise resolved in the period."),
    )
)

# --- Property fees --------------------------------------------------------------------------------------------


def _fees(ctx: KpiContext, at: datetime.date) -> dict[Any, kpis.FeeComparison]:
    return ctx.once(
        f"fees:{at.isoformat()}", lambda: kpis.fee_figures(ctx.compounds, start=ctx.start, end=ctx.end, at=at)
    )


def _fee_kpi(name: str) -> Any:
    def compute(ctx: KpiContext) -> dict[int, Measure]:
        # collection and recovery as of d; arrears (a stock) at the period's end when d comes after it
        at = min(ctx.cutoff_date, ctx.end) if name == "arrears" else ctx.cutoff_date
        out: dict[int, Measure] = {}
        for compound_id, comparison in _fees(ctx, at).items():
            f = comparison.now
            if name == "collection":
                out[compound_id] = Measure.ratio(f.collection.numerator, f.collection.denominator)
            elif name == "recovery":
                out[compound_id] = Measure.ratio(f.recovery.numerator, f.recovery.denominator)
            else:
                out[compound_id] = Measure.count(f.arrears if name == "arrears" else f.recovered)
        return out

    return compute


_FEE_DRILLS = {
    "collection": drills.fees_collection,
    "arrears": drills.fees_arrears,
    "recovered": drills.fees_recovered,
    "recovery": drills.fees_recovered,
}
for _key, _label, _unit, _order, _name, _help in (
    (
        "fees_collection_rate",
        _("Current-period collection rate"),
        RATE,
        300,
        "collection",
        _("Paid for the period's bills ÷ their receivable (amount due less approved reductions)."),
    ),
    (
        "fees_arrears",
        _("Arrears from earlier periods"),
        AMOUNT,
        301,
        "arrears",
        _("Receivable less paid, over the bills of every billing period ended by the period's end."),
    ),
    (
        "fees_arrears_recovered",
        _("Arrears recovered"),
        AMOUNT,
        302,
        "recovered",
        _("Paid during the period for bills of billing periods ended before it started."),
    ),
    (
        "fees_arrears_recovery_rate",
        _("Arrears recovery rate"),
        RATE,
        303,
        "recovery",
        _("Arrears recovered in the period ÷ arrears at its start."),
    ),
):
    register(
        KpiDefinition(
            key=_key,
            label=_label,
            unit=_unit,
            section="fees",
            order=_order,
            compute=_fee_kpi(_name),
            drill=_FEE_DRILLS[_name],
            help=_help,
        )
    )

# --- Joint work: meetings and action items -----------------------------------------------------------------------


def _meetings_held(ctx: KpiContext) -> dict[int, Measure]:
    """Joint meetings that took place in the period and were closed with minutes by d."""
    from gongzhi.meetings.models import Meeting, MeetingKind, MeetingStatus

    held = dict(
        Meeting.objects.filter(
            compound_id__in=ctx.compound_ids,
            kind=MeetingKind.JOINT,
            status=MeetingStatus.CLOSED,
            closed_at__lt=ctx.cutoff,
            starts_at__gte=ctx.start_at,
            starts_at__lt=ctx.window_end_at,
        )
        .order_by()
        .values_list("compound_id")
        .annotate(n=Count("id"))
        .values_list("compound_id", "n")
    )
    data = ctx.compounds_having(Meeting.objects.filter(starts_at__lt=ctx.cutoff))
    return {c: Measure.count(held.get(c, 0), data=c in data) for c in ctx.compound_ids}


def _actions_done_rows(ctx: KpiContext) -> list[tuple[int, datetime.datetime, datetime.date]]:
    """Action items (not sub-items) done as of d whose completion falls in the period: (compound, done, due).

    Read from the items' update history: the last update before d leaves the item done, and the last move
    into done before d is the completion. A done item moved back to in progress before d is not done.
    """
    from gongzhi.meetings.models import ActionItem, ActionStatus, ActionUpdate

    def latest(qs: Any, field: str) -> Subquery:
        return Subquery(qs.order_by("-at", "-id").values(field)[:1])

    updates = ActionUpdate.objects.filter(action_item=OuterRef("pk"), at__lt=ctx.cutoff)
    completions = updates.filter(status_after=ActionStatus.DONE).exclude(status_before=ActionStatus.DONE)
    return list(
        ActionItem.objects.filter(compound_id__in=ctx.compound_ids, parent__isnull=True)
        .annotate(status_then=latest(updates, "status_after"), done_then=latest(completions, "at"))
        .filter(status_then=ActionStatus.DONE, done_then__gte=ctx.start_at, done_then__lt=ctx.window_end_at)
        .values_list("compound_id", "done_then", "due_on")
    )


def _actions(ctx: KpiContext) -> tuple[dict[int, list[int]], set[int]]:
    from gongzhi.meetings.models import ActionItem, ActionUpdate

    def compute() -> tuple[dict[int, list[int]], set[int]]:
        counts: dict[int, list[int]] = {}
        for compound_id, done, due in _actions_done_rows(ctx):
            c = counts.setdefault(compound_id, [0, 0])
            c[0] += timezone.localtime(done).date() <= due
            c[1] += 1
        data = ctx.compounds_having(
            ActionUpdate.objects.filter(at__lt=ctx.cutoff), "action_item__compound_id"
        ) | ctx.compounds_having(ActionItem.objects.filter(created_at__lt=ctx.cutoff))
        return counts, data

    result: tuple[dict[int, list[int]], set[int]] = ctx.once("actions", compute)
    return result


def _actions_done(ctx: KpiContext) -> dict[int, Measure]:
    counts, data = _actions(ctx)
    return {c: Measure.count(counts.get(c, [0, 0])[1], data=c in data) for c in ctx.compound_ids}


def _actions_on_time(ctx: KpiContext) -> dict[int, Measure]:
    counts, _data = _actions(ctx)
    return {c: Measure.ratio(on_time, n) for c, (on_time, n) in counts.items()}


register(
    KpiDefinition(
        key="meetings_joint_held",
        label=_("Joint meetings held"),
        unit=COUNT,
        section="meetings",
        order=400,
        compute=_meetings_held,
        drill=drills.meetings_held,
        help=_("Joint meetings of the period closed with minutes."),
    )
)
register(
    KpiDefinition(
        key="meetings_actions_done",
        label=_("Action items done"),
        unit=COUNT,
        section="meetings",
        order=410,
        compute=_actions_done,
        drill=drills.actions_done,
        help=_("Action items completed in the period (sub-items are counted in their item)."),
    )
)
register(
    KpiDefinition(
        key="meetings_actions_on_time_rate",
        label=_("Action items done on time"),
        unit=RATE,
        section="meetings",
        order=411,
        compute=_actions_on_time,
        drill=drills.actions_on_time,
        help=_("Of the action items completed in the period, the share completed no later than their due date."),
    )
)
