"""The list behind each figure of definitions.py (``KpiDefinition.drill``): the records its numerator counts.

Each drill reads the same querysets as its KPI in ``kpis.py`` (``_counted``, ``_window``, ``_occupancy_rows``, …)
for one compound, the period and the as-of date of the context, so that the rows are exactly the ones counted:
for a count, as many rows as the figure; for a rate of records, the records of the numerator; for a mean (hours),
the records averaged (the denominator); for the fee figures (amounts), the bills whose amounts add up to the
figure — a column holds each bill's share. Columns hold no names or phone numbers: the pages decide who sees
the rows at all and which rows link to their own page (views/drill.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import kpis
from .registry import Drill, DrillColumn, KpiContext

MONEY: Any = DecimalField(max_digits=14, decimal_places=2)


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    return None if value is None else timezone.localtime(value)


def _stock_day(ctx: KpiContext) -> datetime.date:
    return min(ctx.as_of, ctx.end - datetime.timedelta(days=1))


# --- Compound and residents ---------------------------------------------------------------------------------


def _house_url(house_id: int) -> str:
    return reverse("estates:house_detail", args=[house_id])


def occupancy(ctx: KpiContext) -> Drill:
    """The houses occupied on the day (the occupancy rate's numerator)."""
    from gongzhi.estates.models import OCCUPIED_STATUSES, House, HouseStatus

    houses = House.objects.filter(compound_id__in=ctx.compound_ids)
    annotated: QuerySet[Any] = kpis._occupancy_rows(houses, _stock_day(ctx))
    rows = (
        annotated.filter(status_at__in=OCCUPIED_STATUSES)
        .select_related("building", "unit")
        .order_by("building__sort_key", "building__name", "unit__sort_key", "unit__name", "floor", "room", "pk")
    )
    return Drill(
        rows=rows,
        columns=(
            DrillColumn(_("House"), str),
            DrillColumn(_("Status on the day"), lambda h: HouseStatus(h.status_at).label),
            DrillColumn(_("Delivery date"), lambda h: h.delivered_on),
        ),
        link=lambda h: _house_url(h.pk),
    )


def permanent_residents(ctx: KpiContext) -> Drill:
    """The permanent residents living in the compound on the day (by house; no names)."""
    from gongzhi.estates.models import Relation, Resident

    residents = Resident.objects.filter(compound_id__in=ctx.compound_ids)
    rows = (
        kpis._permanent_at(residents, _stock_day(ctx))
        .select_related("house__building", "house__unit")
        .order_by("house__building__sort_key", "house__building__name", "house__unit__name", "house__room", "pk")
    )
    return Drill(
        rows=rows,
        columns=(
            DrillColumn(_("House"), lambda r: str(r.house)),
            DrillColumn(_("Relation"), lambda r: Relation(r.relation).label if r.relation else ""),
            DrillColumn(_("Move-in date"), lambda r: r.moved_in_on),
        ),
        link=lambda r: _house_url(r.house_id),
    )


# --- Residents' voices ----------------------------------------------------------------------------------------


def _voices(ctx: KpiContext) -> QuerySet[Any]:
    from gongzhi.voices.models import Voice

    communities = {c.community_id for c in ctx.compounds}
    return Voice.objects.filter(community_id__in=communities, compound_id__in=ctx.compound_ids)


def _counted(ctx: KpiContext) -> QuerySet[Any]:
    return kpis._counted(_voices(ctx), ctx.cutoff)


def _submitted(ctx: KpiContext) -> QuerySet[Any]:
    s, e = kpis._window(ctx.start, ctx.end, ctx.cutoff)
    return _counted(ctx).filter(submitted_at__gte=s, submitted_at__lt=e)


VOICE_COLUMNS = (
    DrillColumn(_("Voice"), lambda v: f"#{v.pk}"),
    DrillColumn(_("Kind"), lambda v: v.get_kind_display()),
    DrillColumn(_("Status"), lambda v: v.get_status_display()),
    DrillColumn(_("Submitted"), lambda v: _local(v.submitted_at)),
    DrillColumn(_("Response due"), lambda v: _local(v.response_due_at)),
    DrillColumn(_("Accepted"), lambda v: _local(v.accepted_at)),
    DrillColumn(_("Resolution due"), lambda v: _local(v.resolution_due_at)),
    DrillColumn(_("Resolved"), lambda v: _local(v.resolved_at)),
)


def _voice_drill(rows: QuerySet[Any]) -> Drill:
    return Drill(
        rows=rows.order_by("submitted_at", "pk"),
        columns=VOICE_COLUMNS,
        link=lambda v: reverse("voices:detail", args=[v.pk]),
    )


def voices_of_kind(kind: str) -> Any:
    def drill(ctx: KpiContext) -> Drill:
        return _voice_drill(_submitted(ctx).filter(kind=kind))

    return drill


def voices_responded(ctx: KpiContext) -> Drill:
    """Voices other than praise submitted in the period and accepted no later than their response deadline."""
    from gongzhi.voices.models import Kind

    on_time = Q(accepted_at__isnull=False, accepted_at__lte=F("response_due_at"), accepted_at__lt=ctx.cutoff)
    return _voice_drill(_submitted(ctx).exclude(kind=Kind.PRAISE).filter(on_time))


def voices_resolved_on_time(ctx: KpiContext) -> Drill:
    """Voices whose resolution deadline falls in the period, resolved no later than it."""
    s, e = kpis._period_bounds(ctx.start, ctx.end)
    done = Q(resolved_at__isnull=False, resolved_at__lte=F("resolution_due_at"), resolved_at__lt=ctx.cutoff)
    return _voice_drill(_counted(ctx).filter(resolution_due_at__gte=s, resolution_due_at__lt=e).filter(done))


def voices_resolved(ctx: KpiContext) -> Drill:
    """Voices other than praise submitted in the period and resolved as of its end (read from the timeline)."""
    from gongzhi.voices.models import Kind, VoiceEvent

    _s, e = kpis._window(ctx.start, ctx.end, ctx.cutoff)
    last_verb = Subquery(
        VoiceEvent.objects.filter(voice=OuterRef("pk"), at__lt=e, verb__in=[*kpis.RESOLVE_VERBS, "reopen"])
        .order_by("-at", "-id")
        .values("verb")[:1]
    )
    rows = _submitted(ctx).exclude(kind=Kind.PRAISE).annotate(last_verb=last_verb)
    return _voice_drill(rows.filter(last_verb__in=kpis.RESOLVE_VERBS))


def voices_satisfied(ctx: KpiContext) -> Drill:
    """Voices whose latest rating given in the period is satisfied or basically satisfied."""
    from django.db.models import Exists

    from gongzhi.voices.models import Score, VoiceRating

    s, e = kpis._window(ctx.start, ctx.end, ctx.cutoff)
    later = VoiceRating.objects.filter(voice=OuterRef("voice"), at__lt=e).filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), id__gt=OuterRef("id"))
    )
    good = (
        VoiceRating.objects.filter(voice__in=_counted(ctx), at__gte=s, at__lt=e)
        .filter(~Exists(later))
        .filter(score__in=[Score.SATISFIED, Score.BASIC])
    )
    return _voice_drill(_voices(ctx).filter(pk__in=good.values("voice_id")))


def voices_resolved_in_period(ctx: KpiContext) -> Drill:
    """The voices other than praise resolved in the period: those the mean time to resolve averages."""
    from gongzhi.voices.models import Kind

    s, e = kpis._window(ctx.start, ctx.end, ctx.cutoff)
    rows = _counted(ctx).filter(resolved_at__gte=s, resolved_at__lt=e).exclude(kind=Kind.PRAISE)
    return _voice_drill(rows)


def voices_reopened(ctx: KpiContext) -> Drill:
    """Voices resolved in the period and reopened after that resolution."""
    _first, reopened = kpis.reopened_voices(_voices(ctx), ctx.start, ctx.end, ctx.cutoff)
    return _voice_drill(_voices(ctx).filter(pk__in=sorted(reopened)))


# --- Property fees --------------------------------------------------------------------------------------------


def _per_bill(qs: QuerySet[Any]) -> Coalesce:
    """The sum of ``amount`` of ``qs``'s rows of the outer bill (0 when none), as a subquery."""
    summed = qs.filter(bill=OuterRef("pk")).order_by().values("bill").annotate(s=Sum("amount")).values("s")[:1]
    return Coalesce(Subquery(summed, output_field=MONEY), Value(Decimal("0.00")), output_field=MONEY)


def _bills(ctx: KpiContext, *, before: datetime.date) -> QuerySet[Any]:
    """The compound's counted bills with ``kpi_receivable``, ``kpi_paid`` and ``kpi_outstanding`` as of ``before``
    (exclusive)."""
    from gongzhi.finance.models import Bill, BillStatus, Payment, Reduction, Refund, RefundStatus

    communities = {c.community_id for c in ctx.compounds}
    return (
        Bill.objects.filter(community_id__in=communities, compound_id__in=ctx.compound_ids)
        .exclude(status=BillStatus.CANCELLED)
        .select_related("house__building", "house__unit")
        .annotate(
            kpi_reduced=_per_bill(Reduction.objects.filter(approved_on__lt=before)),
            kpi_paid_in=_per_bill(Payment.objects.filter(paid_on__lt=before)),
            kpi_refunded=_per_bill(Refund.objects.filter(status=RefundStatus.PAID, paid_on__lt=before)),
        )
        .annotate(
            kpi_receivable=F("amount_due") - F("kpi_reduced"),
            kpi_paid=F("kpi_paid_in") - F("kpi_refunded"),
            kpi_outstanding=F("amount_due") - F("kpi_reduced") - F("kpi_paid_in") + F("kpi_refunded"),
        )
        .order_by("period_start", "house__building__sort_key", "house__building__name", "house__unit__name", "pk")
    )


def _bill_columns(*last: DrillColumn) -> tuple[DrillColumn, ...]:
    return (
        DrillColumn(_("House"), lambda b: str(b.house)),
        DrillColumn(_("Billing period"), lambda b: b.period),
        DrillColumn(_("Amount due"), lambda b: b.amount_due),
        DrillColumn(_("Receivable"), lambda b: b.kpi_receivable),
        *last,
    )


def _bill_drill(rows: QuerySet[Any], *last: DrillColumn) -> Drill:
    return Drill(rows=rows, columns=_bill_columns(*last), link=lambda b: reverse("finance:bill_detail", args=[b.pk]))


def fees_collection(ctx: KpiContext) -> Drill:
    """The period's bills: their receivable adds up to the denominator, what was paid for them to the numerator."""
    rows = _bills(ctx, before=ctx.cutoff_date).filter(period_start__gte=ctx.start, period_end__lte=ctx.end)
    return _bill_drill(rows, DrillColumn(_("Paid"), lambda b: b.kpi_paid))


def fees_arrears(ctx: KpiContext) -> Drill:
    """Bills of billing periods ended by the day with something outstanding: the outstanding adds up to 旧欠."""
    at = min(ctx.cutoff_date, ctx.end)
    rows = _bills(ctx, before=at).filter(period_end__lte=at).exclude(kpi_outstanding=0)
    return _bill_drill(
        rows, DrillColumn(_("Paid"), lambda b: b.kpi_paid), DrillColumn(_("Outstanding"), lambda b: b.kpi_outstanding)
    )


def fees_recovered(ctx: KpiContext) -> Drill:
    """Bills of billing periods ended before the period began with payments during it (less refunds): what they
    recovered adds up to the arrears recovered (the recovery rate's numerator)."""
    from gongzhi.finance.models import Payment, Refund, RefundStatus

    until = min(ctx.end, ctx.cutoff_date)
    window = Q(paid_on__gte=ctx.start, paid_on__lt=until)
    rows = (
        _bills(ctx, before=ctx.start)
        .filter(period_end__lte=ctx.start)
        .annotate(
            kpi_recovered=_per_bill(Payment.objects.filter(window))
            - _per_bill(Refund.objects.filter(window, status=RefundStatus.PAID))
        )
        .exclude(kpi_recovered=0)
    )
    return _bill_drill(
        rows,
        DrillColumn(_("Outstanding at the start"), lambda b: b.kpi_outstanding),
        DrillColumn(_("Recovered in the period"), lambda b: b.kpi_recovered),
    )


# --- Joint work -------------------------------------------------------------------------------------------------


def meetings_held(ctx: KpiContext) -> Drill:
    """Joint meetings of the period closed with minutes by the day."""
    from gongzhi.meetings.models import Meeting, MeetingKind, MeetingStatus

    rows = Meeting.objects.filter(
        compound_id__in=ctx.compound_ids,
        kind=MeetingKind.JOINT,
        status=MeetingStatus.CLOSED,
        closed_at__lt=ctx.cutoff,
        starts_at__gte=ctx.start_at,
        starts_at__lt=ctx.window_end_at,
    ).order_by("starts_at", "pk")
    return Drill(
        rows=rows,
        columns=(
            DrillColumn(_("Meeting"), lambda m: m.title),
            DrillColumn(_("Starts"), lambda m: _local(m.starts_at)),
            DrillColumn(_("Closed"), lambda m: _local(m.closed_at)),
        ),
        link=lambda m: reverse("meetings:detail", args=[m.pk]),
    )


def _done_actions(ctx: KpiContext, *, on_time_only: bool) -> QuerySet[Any]:
    """Action items (not sub-items) done as of the day whose completion falls in the period, with ``done_then``."""
    from gongzhi.meetings.models import ActionItem, ActionStatus, ActionUpdate

    def latest(qs: Any, field: str) -> Subquery:
        return Subquery(qs.order_by("-at", "-id").values(field)[:1])

    updates = ActionUpdate.objects.filter(action_item=OuterRef("pk"), at__lt=ctx.cutoff)
    completions = updates.filter(status_after=ActionStatus.DONE).exclude(status_before=ActionStatus.DONE)
    rows = (
        ActionItem.objects.filter(compound_id__in=ctx.compound_ids, parent__isnull=True)
        .annotate(status_then=latest(updates, "status_after"), done_then=latest(completions, "at"))
        .filter(status_then=ActionStatus.DONE, done_then__gte=ctx.start_at, done_then__lt=ctx.window_end_at)
        .order_by("done_then", "pk")
    )
    if on_time_only:  # done no later than the due date, in Shanghai days (as the KPI counts it)
        ids = [pk for pk, done, due in rows.values_list("pk", "done_then", "due_on") if _on_time(done, due)]
        rows = rows.filter(pk__in=ids)
    return rows


def _on_time(done: datetime.datetime | None, due: datetime.date | None) -> bool:
    return done is not None and due is not None and timezone.localtime(done).date() <= due


def _action_drill(rows: QuerySet[Any]) -> Drill:
    return Drill(
        rows=rows,
        columns=(
            DrillColumn(_("Action item"), lambda a: a.title),
            DrillColumn(_("Due"), lambda a: a.due_on),
            DrillColumn(_("Done"), lambda a: _local(a.done_then)),
            DrillColumn(_("On time"), lambda a: _("yes") if _on_time(a.done_then, a.due_on) else _("no")),
        ),
        link=lambda a: reverse("meetings:action_detail", args=[a.pk]),
    )


def actions_done(ctx: KpiContext) -> Drill:
    return _action_drill(_done_actions(ctx, on_time_only=False))


def actions_on_time(ctx: KpiContext) -> Drill:
    return _action_drill(_done_actions(ctx, on_time_only=True))
