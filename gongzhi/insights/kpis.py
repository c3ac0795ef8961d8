"""KPI definitions (KPIS.md). Each KPI is defined once, here; pages, API and reports call these.

The engine (``registry.py``, ``definitions.py``, ``engine.py``) registers them by key, for many compounds at
once and as of a date; the rollups (``rollups.py``) store their values per compound and period.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from gongzhi.estates.models import OCCUPIED_STATUSES, House, HouseEvent, Resident
from gongzhi.voices.models import Voice


@dataclass(frozen=True)
class Ratio:
    """A rate with its numerator and denominator; ``value`` is None (no data) when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def _occupancy_rows(houses: QuerySet[House], at: datetime.date) -> QuerySet[House]:
    """Delivered houses annotated with their status at ``at`` (see occupancy_rate for the definition)."""
    status_at = Subquery(
        HouseEvent.objects.filter(house=OuterRef("pk"))
        .filter(Q(effective_on__lt=at) | Q(effective_on=at, status__in=OCCUPIED_STATUSES))
        .order_by("-effective_on", "-id")
        .values("status")[:1]
    )
    return houses.filter(delivered_on__lte=at).annotate(status_at=status_at)


_OCCUPANCY_COUNTS = {"delivered": Count("id"), "occupied": Count("id", filter=Q(status_at__in=OCCUPIED_STATUSES))}


def occupancy_rate(houses: QuerySet[House], at: datetime.date) -> Ratio:
    """入住率 at date d = houses occupied at d ÷ houses delivered at d.

    Delivered: delivery date ≤ d. Occupied: moved in on or before d (status 已入住 or 出租) and not moved
    out before d, read from the house's status events: the last event before d, or an occupying event on
    d itself (a move-out dated d still counts the house as occupied on d).
    """
    row = _occupancy_rows(houses, at).aggregate(**_OCCUPANCY_COUNTS)
    return Ratio(numerator=row["occupied"], denominator=row["delivered"])


def occupancy_rate_by_compound(houses: QuerySet[House], at: datetime.date) -> dict[int, Ratio]:
    """``occupancy_rate`` for many compounds in one query: compound id → Ratio (absent: no house delivered)."""
    rows = _occupancy_rows(houses, at).order_by().values("compound_id").annotate(**_OCCUPANCY_COUNTS)
    return {r["compound_id"]: Ratio(numerator=r["occupied"], denominator=r["delivered"]) for r in rows}


def _permanent_at(residents: QuerySet[Resident], at: datetime.date) -> QuerySet[Resident]:
    return residents.filter(is_permanent=True, moved_in_on__lte=at).filter(
        Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=at)
    )


def permanent_residents(residents: QuerySet[Resident], at: datetime.date) -> int:
    """常住人口 at d = residents marked permanent whose move-in ≤ d and no move-out before d."""
    return _permanent_at(residents, at).count()


def permanent_residents_by_compound(residents: QuerySet[Resident], at: datetime.date) -> dict[int, int]:
    """``permanent_residents`` for many compounds in one query: compound id → count."""
    rows = _permanent_at(residents, at).order_by().values("compound_id").annotate(n=Count("id"))
    return {r["compound_id"]: r["n"] for r in rows}


# ---------------------------------------------------------------------------------------------------------
# Residents' voices (KPIS.md, "Residents' voices"). A period is the half-open date range [start, end) in
# Asia/Shanghai time. Voices rejected as invalid or merged as duplicates count in no KPI. ``voices`` is the
# scoped queryset to measure (a compound's, a community's, everything a supervisor reaches).
#
# ``as_of`` (an aware datetime, exclusive; default: everything recorded so far) measures from what was
# recorded before it: voices submitted, accepted, resolved, rated, reopened, rejected or merged before
# ``as_of``. Each KPI has a ``*_by_compound`` twin giving the same figures per compound in the same number of
# queries (compound id → figure; compounds without any row are absent).
#
# Two KPIs read the voice's current resolution and deadline (on-time resolution, mean time to resolve): a
# reopen withdraws a resolution and sets a fresh deadline, and is possible only within 7 days of that
# resolution (``REOPEN_WINDOW``), so their value as of d is final from d + 7 days on.


def _period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz),
        timezone.make_aware(datetime.datetime.combine(end, datetime.time.min), tz),
    )


def _window(
    start: datetime.date, end: datetime.date, as_of: datetime.datetime | None
) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) in Shanghai time, its end moved back to ``as_of`` when that comes first."""
    s, e = _period_bounds(start, end)
    return s, (e if as_of is None else min(e, as_of))


def _counted(voices: QuerySet[Voice], as_of: datetime.datetime | None = None) -> QuerySet[Voice]:
    """Voices that count: not rejected or merged (as of ``as_of``: submitted before it, and not rejected or
    merged before it — a voice rejected later still counted then)."""
    from django.db.models import Exists

    from gongzhi.voices.models import UNCOUNTED_STATUSES, VoiceEvent

    if as_of is None:
        return voices.exclude(status__in=UNCOUNTED_STATUSES)
    later = VoiceEvent.objects.filter(voice=OuterRef("pk"), verb__in=("reject", "merge"), at__gte=as_of)
    return voices.filter(submitted_at__lt=as_of).exclude(Q(status__in=UNCOUNTED_STATUSES) & ~Exists(later))


RESOLVE_VERBS = ("resolve", "acknowledge")


def _grouped(qs: QuerySet[Any], by: str | None, **aggregates: Any) -> dict[Any, dict[str, Any]]:
    """One query: the aggregates per ``by`` (a field path), or in total under the key None."""
    if by is None:
        return {None: qs.aggregate(**aggregates)}
    return {r.pop("_key"): r for r in qs.order_by().annotate(_key=F(by)).values("_key").annotate(**aggregates)}


def _ratios(rows: dict[Any, dict[str, Any]]) -> dict[Any, Ratio]:
    return {k: Ratio(numerator=r["n"] or 0, denominator=r["d"] or 0) for k, r in rows.items()}


def _total(ratios: dict[Any, Ratio]) -> Ratio:
    return ratios.get(None, Ratio(0, 0))


def voices_by_kind_by_compound(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> dict[int, dict[str, int]]:
    """``voices_by_kind`` per compound: compound id → kind → count (every kind present, 0 if none)."""
    from gongzhi.voices.models import Kind

    s, e = _window(start, end, as_of)
    out: dict[int, dict[str, int]] = {}
    rows = (
        _counted(voices, as_of)
        .filter(submitted_at__gte=s, submitted_at__lt=e)
        .order_by()
        .values_list("compound_id", "kind")
        .annotate(n=Count("id"))
    )
    for compound_id, kind, n in rows:
        out.setdefault(compound_id, dict.fromkeys(Kind.values, 0))[kind] = n
    return out


def voices_by_kind(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> dict[str, int]:
    """Voices of kind K in a period = voices of kind K submitted in [start, end), for every kind (0 if none)."""
    from gongzhi.voices.models import Kind

    total = dict.fromkeys(Kind.values, 0)
    for counts in voices_by_kind_by_compound(voices, start, end, as_of=as_of).values():
        for kind, n in counts.items():
            total[kind] += n
    return total


def _response(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, as_of: datetime.datetime | None, by: str | None
) -> dict[Any, Ratio]:
    from gongzhi.voices.models import Kind

    s, e = _window(start, end, as_of)
    on_time = Q(accepted_at__isnull=False, accepted_at__lte=F("response_due_at"))
    if as_of is not None:
        on_time &= Q(accepted_at__lt=as_of)
    qs = _counted(voices, as_of).filter(submitted_at__gte=s, submitted_at__lt=e).exclude(kind=Kind.PRAISE)
    return _ratios(_grouped(qs, by, d=Count("id"), n=Count("id", filter=on_time)))


def response_rate(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> Ratio:
    """响应率 = of the period's voices other than praise, the share accepted (受理) no later than their
    response deadline.

    Denominator: voices other than praise submitted in [start, end). Numerator: those whose first
    acceptance (``accepted_at``) ≤ ``response_due_at`` (and, as of d, before d).
    """
    return _total(_response(voices, start, end, as_of, None))


def response_rate_by_compound(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> dict[int, Ratio]:
    return _response(voices, start, end, as_of, "compound_id")


def _on_time(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, as_of: datetime.datetime | None, by: str | None
) -> dict[Any, Ratio]:
    s, e = _period_bounds(start, end)
    done = Q(resolved_at__isnull=False, resolved_at__lte=F("resolution_due_at"))
    if as_of is not None:
        done &= Q(resolved_at__lt=as_of)
    qs = _counted(voices, as_of).filter(resolution_due_at__gte=s, resolution_due_at__lt=e)
    return _ratios(_grouped(qs, by, d=Count("id"), n=Count("id", filter=done)))


def on_time_resolution_rate(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> Ratio:
    """按期办结率 = of voices whose resolution deadline falls in the period, the share resolved no later than
    that deadline.

    Denominator: voices with ``resolution_due_at`` in [start, end) (praise has none). Numerator: those whose
    current resolution (``resolved_at``) ≤ ``resolution_due_at``. A reopened voice has a fresh deadline and
    no resolution until it is resolved again.
    """
    return _total(_on_time(voices, start, end, as_of, None))


def on_time_resolution_rate_by_compound(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> dict[int, Ratio]:
    return _on_time(voices, start, end, as_of, "compound_id")


def _resolution(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, as_of: datetime.datetime | None, by: str | None
) -> dict[Any, Ratio]:
    from gongzhi.voices.models import Kind, VoiceEvent

    s, e = _window(start, end, as_of)
    last_verb = Subquery(
        VoiceEvent.objects.filter(voice=OuterRef("pk"), at__lt=e, verb__in=[*RESOLVE_VERBS, "reopen"])
        .order_by("-at", "-id")
        .values("verb")[:1]
    )
    qs = (
        _counted(voices, as_of)
        .filter(submitted_at__gte=s, submitted_at__lt=e)
        .exclude(kind=Kind.PRAISE)
        .annotate(last_verb=last_verb)
    )
    return _ratios(_grouped(qs, by, d=Count("id"), n=Count("id", filter=Q(last_verb__in=RESOLVE_VERBS))))


def resolution_rate(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> Ratio:
    """解决率 = of the period's voices other than praise, the share resolved as of the end of the period.

    Denominator: voices other than praise submitted in [start, end). Numerator: those whose latest
    resolve-or-reopen event before ``end`` (or ``as_of``, when earlier) is a resolution (read from the
    timeline, so the value as of ``end`` does not change later).
    """
    return _total(_resolution(voices, start, end, as_of, None))


def resolution_rate_by_compound(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> dict[int, Ratio]:
    return _resolution(voices, start, end, as_of, "compound_id")


def _satisfaction(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, as_of: datetime.datetime | None, by: str | None
) -> dict[Any, Ratio]:
    from django.db.models import Exists

    from gongzhi.voices.models import Score, VoiceRating

    s, e = _window(start, end, as_of)
    later = VoiceRating.objects.filter(voice=OuterRef("voice"), at__lt=e).filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), id__gt=OuterRef("id"))
    )
    qs = VoiceRating.objects.filter(voice__in=_counted(voices, as_of), at__gte=s, at__lt=e).filter(~Exists(later))
    good = Q(score__in=[Score.SATISFIED, Score.BASIC])
    return _ratios(_grouped(qs, None if by is None else f"voice__{by}", d=Count("id"), n=Count("id", filter=good)))


def satisfaction_rate(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> Ratio:
    """满意率 = of ratings given in the period, (满意 + 基本满意) ÷ all ratings.

    Ratings given in [start, end) of the voices measured; a voice counts once, with its latest rating as of
    ``end`` (a rating replaced after a reopen by a later one in the period does not count).
    """
    return _total(_satisfaction(voices, start, end, as_of, None))


def satisfaction_rate_by_compound(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> dict[int, Ratio]:
    return _satisfaction(voices, start, end, as_of, "compound_id")


def resolve_hours_by_compound(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> dict[int, tuple[float, int]]:
    """The parts of 平均办结时长 per compound: compound id → (total hours, voices), one query."""
    from gongzhi.voices.models import Kind

    s, e = _window(start, end, as_of)
    rows = (
        _counted(voices, as_of)
        .filter(resolved_at__gte=s, resolved_at__lt=e)
        .exclude(kind=Kind.PRAISE)
        .values_list("compound_id", "submitted_at", "resolved_at")
    )
    out: dict[int, tuple[float, int]] = {}
    for compound_id, submitted, resolved in rows:
        if resolved is None:
            continue
        hours, n = out.get(compound_id, (0.0, 0))
        out[compound_id] = (hours + (resolved - submitted).total_seconds() / 3600, n + 1)
    return out


def mean_time_to_resolve(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> float | None:
    """平均办结时长 (hours) = mean of (resolved − submitted) over voices other than praise resolved in the period.

    Resolved in the period: the current resolution (``resolved_at``) falls in [start, end); a voice
    resolved again after a reopen is measured from submission to its latest resolution. None when none.
    """
    parts = resolve_hours_by_compound(voices, start, end, as_of=as_of).values()
    n = sum(count for _hours, count in parts)
    return sum(hours for hours, _count in parts) / n if n else None


def _reopen(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, as_of: datetime.datetime | None, by: bool
) -> dict[Any, Ratio]:
    first, reopened = reopened_voices(voices, start, end, as_of)
    counts: dict[Any, list[int]] = {}
    for voice_id, (compound_id, _at) in first.items():
        c = counts.setdefault(compound_id if by else None, [0, 0])
        c[0] += voice_id in reopened
        c[1] += 1
    return {k: Ratio(numerator=n, denominator=d) for k, (n, d) in counts.items()}


def reopened_voices(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, as_of: datetime.datetime | None
) -> tuple[dict[int, tuple[int, datetime.datetime]], set[int]]:
    """The reopen rate's rows: voice id → (compound id, first resolution in the period) for the voices resolved
    in the period (the denominator), and the ids of those reopened after it (the numerator)."""
    from django.db.models import Min

    from gongzhi.voices.models import VoiceEvent

    s, e = _window(start, end, as_of)
    resolutions = VoiceEvent.objects.filter(
        voice__in=_counted(voices, as_of), verb__in=RESOLVE_VERBS, at__gte=s, at__lt=e
    ).order_by()
    first: dict[int, tuple[int, datetime.datetime]] = {
        voice_id: (compound_id, at)
        for voice_id, compound_id, at in resolutions.values("voice")
        .annotate(first=Min("at"))
        .values_list("voice", "voice__compound_id", "first")
    }
    # the voices as a subquery, not a list of ids: a sub-district's year holds hundreds of thousands
    reopens = VoiceEvent.objects.filter(voice__in=resolutions.values("voice"), verb="reopen", at__gt=s)
    if as_of is not None:
        reopens = reopens.filter(at__lt=as_of)
    reopened = {voice_id for voice_id, at in reopens.values_list("voice_id", "at") if at > first[voice_id][1]}
    return first, reopened


def reopen_rate(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> Ratio:
    """Reopen rate = of voices resolved in the period, the share reopened after a 不满意 rating.

    Denominator: voices with a resolution event in [start, end). Numerator: those with a reopen event after
    their first resolution in the period (reopening needs a 不满意 rating), recorded before ``as_of`` (default:
    everything recorded so far; a reopen may come up to 7 days after the period ends).
    """
    return _total(_reopen(voices, start, end, as_of, False))


def reopen_rate_by_compound(
    voices: QuerySet[Voice], start: datetime.date, end: datetime.date, *, as_of: datetime.datetime | None = None
) -> dict[int, Ratio]:
    return _reopen(voices, start, end, as_of, True)


# ---------------------------------------------------------------------------------------------------------
# Property fees (KPIS.md, "Property fees"). A bill belongs to one house and one billing period (a year or a
# month); receivable = amount due − approved reductions. Amounts are Decimal yuan, summed in the database.
#
# Reading of the definitions, made exact here:
# - "P's bills": the bills whose billing period lies within P = [start, end) (for a billing period P, exactly
#   its bills; for a quarter, its monthly bills).
# - "Paid before d": payments dated (paid_on) before d, less refunds paid out before d (a refund paid out is a
#   negative payment on its date). Payments made before P began (prepayments) count: they are paid before d.
# - "As of d": reductions count from the day they were approved (approved_on < d), so a past value does not
#   change when a later reduction is granted. Cancelled bills count nowhere (they carry no payment or
#   reduction: the services refuse to cancel those).
# - Arrears (旧欠) at d: over bills whose period ends on or before d; arrears recovered in P: paid during
#   [start, end) for bills whose period ended on or before start.


@dataclass(frozen=True)
class AmountRatio:
    """A rate of two amounts (yuan) with both shown; ``value`` is None (no data) when the denominator is 0."""

    numerator: Decimal
    denominator: Decimal

    @property
    def value(self) -> Decimal | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class FeeFigures:
    """The fee KPIs of one group for billing period P = [start, end) as of d."""

    collection: AmountRatio  # 当期收缴率: paid for P's bills before d ÷ receivable of P's bills (as of d)
    arrears: Decimal  # 旧欠 at d
    arrears_at_start: Decimal  # 旧欠 at the start of P (the recovery rate's denominator)
    recovered: Decimal  # 旧欠回收额 in P
    recovery: AmountRatio  # 旧欠清缴率 in P: recovered ÷ arrears at the start of P


def _pp(now: AmountRatio, then: AmountRatio) -> Decimal | None:
    a, b = now.value, then.value
    return None if a is None or b is None else (a - b) * 100


def _relative(now: Decimal, then: Decimal) -> Decimal | None:
    return (now - then) / then if then else None


@dataclass(frozen=True)
class FeeComparison:
    """A group's fee KPIs and the same KPIs a year before (P and d both moved back a year)."""

    now: FeeFigures
    year_before: FeeFigures

    @property
    def collection_change_pp(self) -> Decimal | None:
        return _pp(self.now.collection, self.year_before.collection)

    @property
    def collection_change(self) -> Decimal | None:
        """Relative change of the rate (0.05 = +5%); None without data on either side."""
        a, b = self.now.collection.value, self.year_before.collection.value
        return None if a is None or b is None else _relative(a, b)

    @property
    def arrears_change(self) -> Decimal | None:
        return _relative(self.now.arrears, self.year_before.arrears)

    @property
    def recovered_change(self) -> Decimal | None:
        return _relative(self.now.recovered, self.year_before.recovered)

    @property
    def recovery_change_pp(self) -> Decimal | None:
        return _pp(self.now.recovery, self.year_before.recovery)

    @property
    def recovery_change(self) -> Decimal | None:
        a, b = self.now.recovery.value, self.year_before.recovery.value
        return None if a is None or b is None else _relative(a, b)


# Group figures by: compound, phase or building (of the bill's house), or not at all (None).
FEE_GROUPS: dict[str | None, str | None] = {
    "compound": "compound_id",
    "phase": "house__phase_id",
    "building": "house__building_id",
    None: None,
}


def _same_day_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _fee_sums(qs: QuerySet[Any], group: str | None, sums: dict[str, Any]) -> dict[Any, dict[str, Decimal]]:
    """One query: the conditional sums per group (or for everything, under the key None)."""
    if group is None:
        row = qs.aggregate(**sums)
        return {None: row}
    return {r.pop("_key"): r for r in qs.order_by().annotate(_key=F(group)).values("_key").annotate(**sums)}


def fee_figures(
    compounds: Iterable[Any],
    *,
    start: datetime.date,
    end: datetime.date,
    at: datetime.date | None = None,
    by: str | None = "compound",
) -> dict[Any, FeeComparison]:
    """当期收缴率, 旧欠, 旧欠回收额 and 旧欠清缴率 for billing period P = [start, end) as of ``at`` (default:
    the end of P), and the same a year before, per ``by`` (compound / phase / building id, or None for the
    total). Four queries (bills, reductions, payments, refunds) however many compounds, bills or groups.

    - 当期收缴率 = paid for P's bills before d ÷ receivable of P's bills (no data when nothing is receivable).
    - 旧欠 at d = Σ over bills of every period whose end ≤ d of (receivable − paid before d).
    - 旧欠回收额 in P = paid during P for bills of periods whose end ≤ the start of P.
    - 旧欠清缴率 in P = 旧欠回收额 in P ÷ 旧欠 at the start of P.

    Groups with no bill at all are absent.
    """
    from gongzhi.finance.models import Bill, BillStatus, Payment, Reduction, Refund, RefundStatus

    if by not in FEE_GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    group = FEE_GROUPS[by]
    page = list(compounds)
    scope = Q(community_id__in={c.community_id for c in page}, compound_id__in=[c.pk for c in page])
    d = at or end
    windows = {
        "n": (start, end, d),
        "y": (_same_day_year_before(start), _same_day_year_before(end), _same_day_year_before(d)),
    }
    zero = Decimal("0.00")

    def money_sum(field: str, cond: Q) -> Sum:
        return Sum(field, filter=cond, default=zero)

    def bill_q(prefix: str, s: datetime.date, e: datetime.date, day: datetime.date) -> dict[str, Q]:
        return {
            "p": Q(**{f"{prefix}period_start__gte": s, f"{prefix}period_end__lte": e}),
            "ad": Q(**{f"{prefix}period_end__lte": day}),
            "as": Q(**{f"{prefix}period_end__lte": s}),
        }

    bill_sums: dict[str, Any] = {}
    red_sums: dict[str, Any] = {}
    pay_sums: dict[str, Any] = {}
    ref_sums: dict[str, Any] = {}
    for w, (s, e, day) in windows.items():
        own, via = bill_q("", s, e, day), bill_q("bill__", s, e, day)
        for k in ("p", "ad", "as"):
            bill_sums[f"{w}{k}"] = money_sum("amount_due", own[k])
        # reductions approved, payments made and refunds paid out before d (before the start for "as")
        for k, before in (("p", day), ("ad", day), ("as", s)):
            red_sums[f"{w}{k}"] = money_sum("amount", via[k] & Q(approved_on__lt=before))
            pay_sums[f"{w}{k}"] = money_sum("amount", via[k] & Q(paid_on__lt=before))
            ref_sums[f"{w}{k}"] = money_sum("amount", via[k] & Q(paid_on__lt=before))
        # recovered: paid during P, and before d when d comes first (as of d, later payments are unknown)
        pay_sums[f"{w}r"] = money_sum("amount", via["as"] & Q(paid_on__gte=s, paid_on__lt=min(e, day)))
        ref_sums[f"{w}r"] = money_sum("amount", via["as"] & Q(paid_on__gte=s, paid_on__lt=min(e, day)))

    counted = ~Q(status=BillStatus.CANCELLED)
    via_counted = ~Q(bill__status=BillStatus.CANCELLED)
    bills = _fee_sums(Bill.objects.filter(scope & counted), group, bill_sums)
    reductions = _fee_sums(Reduction.objects.filter(scope & via_counted), group, red_sums)
    payments = _fee_sums(Payment.objects.filter(scope & via_counted), group, pay_sums)
    refunds = _fee_sums(
        Refund.objects.filter(scope & via_counted, status=RefundStatus.PAID, paid_on__isnull=False), group, ref_sums
    )

    def figures(key: Any, w: str) -> FeeFigures:
        def get(table: dict[Any, dict[str, Decimal]], name: str) -> Decimal:
            row = table.get(key)
            return row[f"{w}{name}"] if row is not None else zero

        def paid(name: str) -> Decimal:
            return get(payments, name) - get(refunds, name)

        arrears_at_start = get(bills, "as") - get(reductions, "as") - paid("as")
        recovered = paid("r")
        return FeeFigures(
            collection=AmountRatio(paid("p"), get(bills, "p") - get(reductions, "p")),
            arrears=get(bills, "ad") - get(reductions, "ad") - paid("ad"),
            arrears_at_start=arrears_at_start,
            recovered=recovered,
            recovery=AmountRatio(recovered, arrears_at_start),
        )

    return {key: FeeComparison(now=figures(key, "n"), year_before=figures(key, "y")) for key in bills}
