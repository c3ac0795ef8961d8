"""Volunteer hours (KPIS.md, "Joint work"), registered with the insights engine (autodiscovered).

``duty_volunteer_hours``: the checked-in duty and activity hours of the compound's resident volunteers in the
period — the hours their certificates and the honour board show (``selectors.volunteer_hours`` with
``compound_ids=[compound]``), summed over the compound's volunteer register:

- duty: per person, from check-in to check-out, at most the shift's length, of the shifts starting in the period
  on the compound's posts (``selectors.duty_hours``);
- activities: per person, the scheduled length of each activity of the compound starting in the period at which
  they checked in, cancelled ones excepted (``activities.selectors.activity_hours``);
- each person's hours rounded to two places as there, then summed;
- the volunteers, as of d: the people on the compound's volunteer register recorded by d (refused applications
  excepted; the register keeps no history of status changes, so a retired or suspended volunteer's past hours
  still count), and the people who had served on the compound's shifts as resident volunteers (checked in by d)
  — so that a register entered after the fact (the demo, a paper register typed in) does not erase history.

As of d, only check-ins and check-outs recorded by d count (and activities not cancelled by d). The selectors
measure one compound, or everyone across several, with no as-of date; ``hours_by_compound`` below is their
per-compound, as-of twin — one query each for duty and activities however many compounds — and
``tests/test_kpis_duty.py`` pins the two together on the same data. "No data" for a compound with no volunteer
by d. The unit is COUNT (a sum of hours: the engine's HOURS unit is a mean).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from gongzhi.insights.registry import COUNT, Drill, DrillColumn, KpiContext, KpiDefinition, Measure, register

from .models import Assignment, NameDisplay, ServeKind, Volunteer, VolunteerStatus
from .selectors import HOUR, TWO_PLACES, display_name

ZERO = Decimal("0.00")
Hours = dict[int, dict[int, tuple[Decimal, Decimal]]]  # compound id → user id → (duty, activity hours)


def register_of(ctx: KpiContext) -> QuerySet[Volunteer]:
    """The volunteer register of ``ctx``'s compounds as of d (refused applications excepted)."""
    return Volunteer.objects.filter(
        community_id__in={c.community_id for c in ctx.compounds},
        compound_id__in=ctx.compound_ids,
        created_at__lt=ctx.cutoff,
    ).exclude(status=VolunteerStatus.REFUSED)


def volunteers_of(ctx: KpiContext) -> set[tuple[int, int]]:
    """(compound, user) of the volunteers as of d: on the register by d, or served as a resident volunteer by d.
    Two queries."""
    communities = {c.community_id for c in ctx.compounds}
    served = Assignment.objects.filter(
        community_id__in=communities,
        shift__post__compound_id__in=ctx.compound_ids,
        kind=ServeKind.VOLUNTEER,
        checked_in_at__lt=ctx.cutoff,
    )
    return set(register_of(ctx).order_by().values_list("compound_id", "user_id")) | set(
        served.order_by().values_list("shift__post__compound_id", "user_id").distinct()
    )


def _duty_seconds(ctx: KpiContext) -> dict[tuple[int, int], float]:
    """(compound, user) → seconds on duty, as ``selectors.duty_hours`` counts them, recorded by d."""
    seconds: dict[tuple[int, int], float] = {}
    rows = Assignment.objects.filter(
        community_id__in={c.community_id for c in ctx.compounds},
        shift__post__compound_id__in=ctx.compound_ids,
        starts_at__gte=ctx.start_at,
        starts_at__lt=ctx.window_end_at,
        checked_in_at__lt=ctx.cutoff,
        checked_out_at__lt=ctx.cutoff,
    ).values_list("shift__post__compound_id", "user_id", "checked_in_at", "checked_out_at", "starts_at", "ends_at")
    for compound_id, user_id, came, left, starts_at, ends_at in rows:
        if came is None or left is None:  # filtered out above; for the type checker
            continue
        served = min((left - came).total_seconds(), (ends_at - starts_at).total_seconds())
        seconds[(compound_id, user_id)] = seconds.get((compound_id, user_id), 0.0) + max(0.0, served)
    return seconds


def _activity_seconds(ctx: KpiContext) -> dict[tuple[int, int], int]:
    """(compound, user) → scheduled seconds of the activities checked in at, as ``activity_hours`` counts them,
    recorded by d."""
    from gongzhi.activities.models import ActivityStatus, Signup

    seconds: dict[tuple[int, int], int] = {}
    rows = (
        Signup.objects.filter(
            community_id__in={c.community_id for c in ctx.compounds},
            activity__compound_id__in=ctx.compound_ids,
            activity__starts_at__gte=ctx.start_at,
            activity__starts_at__lt=ctx.window_end_at,
            checked_in_at__lt=ctx.cutoff,
        )
        .exclude(Q(activity__status=ActivityStatus.CANCELLED) & Q(activity__cancelled_at__lt=ctx.cutoff))
        .values_list("activity__compound_id", "user_id", "activity__starts_at", "activity__ends_at")
    )
    for compound_id, user_id, starts_at, ends_at in rows:
        seconds[(compound_id, user_id)] = seconds.get((compound_id, user_id), 0) + int(
            (ends_at - starts_at).total_seconds()
        )
    return seconds


def hours_by_compound(ctx: KpiContext) -> tuple[Hours, set[int]]:
    """compound id → volunteer's user id → (duty hours, activity hours) for the register's volunteers with any,
    and the compounds with any volunteer by d. Four queries however many compounds."""

    def compute() -> tuple[Hours, set[int]]:
        members = volunteers_of(ctx)
        duty = _duty_seconds(ctx)
        acts = _activity_seconds(ctx)
        out: Hours = {}
        for compound_id, user_id in sorted((set(duty) | set(acts)) & members):
            d = (Decimal(round(duty.get((compound_id, user_id), 0.0))) / HOUR).quantize(TWO_PLACES)
            a = (Decimal(acts.get((compound_id, user_id), 0)) / HOUR).quantize(TWO_PLACES)
            out.setdefault(compound_id, {})[user_id] = (d, a)
        return out, {c for c, _u in members}

    result: tuple[Hours, set[int]] = ctx.once("duty_volunteer_hours", compute)
    return result


def _total(per_user: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    return sum((d + a for d, a in per_user), ZERO)


def _volunteer_hours(ctx: KpiContext) -> dict[int, Measure]:
    hours, registered = hours_by_compound(ctx)
    return {c: Measure.count(_total(hours.get(c, {}).values()), data=c in registered) for c in ctx.compound_ids}


def _drill(ctx: KpiContext) -> Drill:
    """The volunteers behind the figure with their hours, named as they chose for the honour board (张* unless
    they chose their full name)."""
    from django.contrib.auth import get_user_model

    hours, _data = hours_by_compound(ctx)
    per_user = {u: h for c in ctx.compound_ids for u, h in hours.get(c, {}).items()}  # one compound
    zero = (ZERO, ZERO)

    def get(u: Any) -> tuple[Decimal, Decimal]:
        return per_user.get(u.pk, zero)

    def name(u: Any) -> str:
        return display_name(Volunteer(user=u, name_display=u.shown_as or NameDisplay.MASKED))

    # the name as they choose it now (a preference, not a figure)
    shown_as = Subquery(
        Volunteer.objects.filter(compound_id__in=ctx.compound_ids, user_id=OuterRef("pk"))
        .order_by("pk")
        .values("name_display")[:1]
    )
    rows = get_user_model().objects.filter(pk__in=list(per_user)).annotate(shown_as=shown_as).order_by("name", "pk")
    return Drill(
        rows=rows,
        columns=(
            DrillColumn(_("volunteer"), name),
            DrillColumn(_("duty hours"), lambda u: get(u)[0]),
            DrillColumn(_("activity hours"), lambda u: get(u)[1]),
            DrillColumn(_("hours"), lambda u: get(u)[0] + get(u)[1]),
        ),
    )


register(
    KpiDefinition(
        key="duty_volunteer_hours",
        label=_("Volunteer hours"),
        unit=COUNT,
        section="duty",
        order=600,
        compute=_volunteer_hours,
        help=_("Checked-in duty and activity hours of the compound's resident volunteers in the period."),
        drill=_drill,
    )
)
