"""Scoped reads for the staff fee pages (standards, bill generation, bills, the dunning list, figures).

They build on ``selectors`` (the domain core's scoped reads) and check the same ``rules`` predicates; like them,
a compound outside the user's scope is NotAllowed and a missing one NotFound. Every list here costs a fixed
number of queries, whatever its length.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, User
from gongzhi.accounts.roles import Role
from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import BindingStatus, Compound, House, HouseBinding

from .models import Bill, BillStatus, Payment, Reduction, Refund, RefundStatus
from .money import ZERO
from .rules import may_keep_fees, may_view_figures, may_view_published
from .selectors import bills_of_compound, figure_compounds

OPEN_STATUSES = (BillStatus.UNPAID, BillStatus.PARTIAL)
# A bill generation run is recorded as audit events on this object type (see services.generation).
RUN_TYPE = "finance.billrun"
RUN_QUEUED, RUN_STARTED, RUN_DONE, RUN_FAILED = (
    "bills.generate_queue",
    "bills.generate_start",
    "bills.generate_done",
    "bills.generate_fail",
)


def compound_for(*, user: Any, code: str, allowed: Callable[[Any, Any], bool]) -> Compound:
    """The compound with this code, when ``allowed(user, compound)``; NotFound / NotAllowed otherwise."""
    compound = (
        Compound.objects.select_related("community", "community__parent", "property_company").filter(code=code).first()
    )
    if compound is None:
        raise NotFound(_("No such compound."))
    if not allowed(user, compound):
        raise NotAllowed(_("You do not have access to this compound's accounts."))
    return compound


def keeper_compound(*, user: Any, code: str) -> Compound:
    """A compound whose fees the user keeps (finance staff, property manager)."""
    return compound_for(user=user, code=code, allowed=may_keep_fees)


def figures_compound(*, user: Any, code: str) -> Compound:
    """A compound whose collection figures the user reads."""
    return compound_for(user=user, code=code, allowed=may_view_figures)


def standards_compound(*, user: Any, code: str) -> Compound:
    """A compound whose fee standards and commitments the user reads (public to the compound)."""
    return compound_for(user=user, code=code, allowed=may_view_published)


def house_label(house: House) -> str:
    """3栋1单元101 (building, unit and room as the ledger names them)."""
    return f"{house.building.name}{house.unit.name}{house.room}"


def houses_labelled(ids: Iterable[int]) -> dict[int, House]:
    """Houses by id with their building and unit (one query)."""
    wanted = list(ids)
    if not wanted:
        return {}
    return {h.pk: h for h in House.objects.filter(pk__in=wanted).select_related("building", "unit", "phase")}


# --- The fees index -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeCompoundRow:
    compound: Compound
    keeps: bool  # the user keeps this compound's fees (else only reads its figures and standards)


def fee_index_rows(*, user: Any, compounds: Iterable[Compound]) -> list[FeeCompoundRow]:
    """The index's rows: which of these compounds (already in the user's reading scope) the user also keeps."""
    page = list(compounds)
    kept = {c.pk for c in page if may_keep_fees(user, c)}
    return [FeeCompoundRow(compound=c, keeps=c.pk in kept) for c in page]


def index_compounds(*, user: Any) -> QuerySet[Compound]:
    """Compounds the fees index lists: those whose figures the user reads (keepers read them too)."""
    return figure_compounds(user=user)


# --- Bill generation runs -------------------------------------------------------------------------------------


@dataclass
class BillRun:
    """One generation, as its audit events tell it: queued → started → done (counts) or failed (reason)."""

    id: str
    period: str
    status: str  # "queued", "running", "done", "failed"
    queued_at: datetime.datetime
    queued_by: User | None
    result: dict[str, Any] = field(default_factory=dict)
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


def _run_from(events: list[AuditEvent]) -> BillRun:
    first = events[0]
    after = first.after or {}
    run = BillRun(
        id=first.object_id, period=str(after.get("period", "")), status="queued", queued_at=first.at, queued_by=None
    )
    run.queued_by = first.actor
    for event in events[1:]:
        data = event.after or {}
        if event.verb == RUN_STARTED and run.status == "queued":
            run.status = "running"
        elif event.verb == RUN_DONE:
            run.status, run.result = "done", data
        elif event.verb == RUN_FAILED:
            run.status, run.message = "failed", str(data.get("message", ""))
    return run


def bill_run_get(*, user: Any, compound: Compound, run: str) -> BillRun:
    """A generation run of the compound (fee keepers only)."""
    if not may_keep_fees(user, compound):
        raise NotAllowed(_("You do not have access to this compound's bills."))
    events = list(
        AuditEvent.objects.filter(community_id=compound.community_id, object_type=RUN_TYPE, object_id=run)
        .select_related("actor")
        .order_by("at", "id")
    )
    if not events or events[0].verb != RUN_QUEUED or (events[0].after or {}).get("compound") != compound.pk:
        raise NotFound(_("No such bill generation."))
    return _run_from(events)


def bill_runs_recent(*, user: Any, compound: Compound, limit: int = 10) -> list[BillRun]:
    """The compound's latest generation runs, newest first (two queries)."""
    if not may_keep_fees(user, compound):
        raise NotAllowed(_("You do not have access to this compound's bills."))
    runs = AuditEvent.objects.filter(community_id=compound.community_id, object_type=RUN_TYPE)
    queued = list(
        runs.filter(verb=RUN_QUEUED, after__compound=compound.pk).select_related("actor").order_by("-at", "-id")[:limit]
    )
    later: dict[str, list[AuditEvent]] = defaultdict(list)
    for event in runs.filter(object_id__in=[e.object_id for e in queued]).exclude(verb=RUN_QUEUED).order_by("at", "id"):
        later[event.object_id].append(event)
    return [_run_from([q, *later[q.object_id]]) for q in queued]


# --- Bills ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BillSearch:
    q: str = ""  # building, unit or room; several words must all match
    period: str = ""
    status: str = ""
    arrears_only: bool = False


def bills_search(*, user: Any, compound: Compound, search: BillSearch) -> QuerySet[Bill]:
    """The compound's bills (fee keepers), by house then newest period, filtered by house, period and status."""
    qs = bills_of_compound(user=user, compound=compound, period=search.period, status=search.status)
    for word in search.q.split()[:5]:
        qs = qs.filter(
            Q(house__room__icontains=word)
            | Q(house__building__name__icontains=word)
            | Q(house__unit__name__icontains=word)
        )
    if search.arrears_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by(
        "house__building__sort_key", "house__building__name", "house__unit__sort_key", "house__floor", "house__room",
        "-period_start", "period",
    )  # fmt: skip


def bill_periods(*, compound: Compound) -> list[str]:
    """The billing periods the compound has bills for, newest first (for the period filter)."""
    rows = (
        Bill.objects.filter(community_id=compound.community_id, compound=compound)
        .order_by()
        .values_list("period", "period_start")
        .distinct()
    )
    return [p for p, _start in sorted(set(rows), key=lambda r: (r[1], r[0]), reverse=True)]


def bill_for_keeper(*, user: Any, pk: int) -> Bill:
    """A bill for the staff bill page: NotFound when it does not exist, NotAllowed unless the user keeps fees."""
    bill = (
        Bill.objects.select_related(
            "house", "house__building", "house__unit", "house__phase", "compound", "compound__community",
            "compound__community__parent", "compound__property_company", "standard", "created_by",
        )
        .filter(pk=pk)
        .first()
    )  # fmt: skip
    if bill is None:
        raise NotFound(_("No such bill."))
    if not may_keep_fees(user, bill.compound):
        raise NotAllowed(_("You do not have access to this bill."))
    return bill


@dataclass
class BillHistory:
    """What happened to a bill: its reductions, payments (each with what can still be refunded) and refunds."""

    reductions: list[Reduction]
    payments: list[Payment]
    refunds: list[Refund]
    refundable: dict[int, Decimal]  # payment id → amount not yet refunded or asked for

    def refunds_of(self, payment: Payment) -> list[Refund]:
        return [r for r in self.refunds if r.payment_id == payment.pk]


def bill_history(*, bill: Bill) -> BillHistory:
    """Three queries: reductions, payments, refunds of a bill the caller has already been allowed to see."""
    reductions = list(
        Reduction.objects.filter(community_id=bill.community_id, bill=bill)
        .select_related("approver", "recorded_by")
        .order_by("approved_on", "id")
    )
    payments = list(
        Payment.objects.filter(community_id=bill.community_id, bill=bill)
        .select_related("recorded_by")
        .order_by("paid_on", "id")
    )
    refunds = list(
        Refund.objects.filter(community_id=bill.community_id, bill=bill)
        .select_related("requested_by", "decided_by", "paid_by", "payment")
        .order_by("created_at", "id")
    )
    committed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for r in refunds:
        if r.status != RefundStatus.REFUSED:
            committed[r.payment_id] += r.amount
    refundable = {p.pk: p.amount - committed[p.pk] for p in payments}
    return BillHistory(reductions=reductions, payments=payments, refunds=refunds, refundable=refundable)


def fee_approvers(*, compound: Compound) -> QuerySet[User]:
    """Who may approve a reduction of the compound's bills: its property company's property managers."""
    if compound.property_company_id is None:
        return User.objects.none()
    managers = Membership.objects.filter(
        organization_id=compound.property_company_id, role=Role.PROPERTY_MANAGER
    ).values("user_id")
    return User.objects.filter(pk__in=managers, is_active=True).order_by("name", "pk")


def payment_for_receipt(*, user: Any, pk: int) -> Payment:
    """A payment whose receipt the user may download: the compound's fee keepers and the house's household."""
    from .selectors import payment_get

    found = payment_get(user=user, pk=pk)
    return (
        Payment.objects.select_related(
            "bill", "house", "house__building", "house__unit", "compound", "compound__property_company", "recorded_by"
        )
        .filter(pk=found.pk)
        .get()
    )


def paid_refunds_total(*, payment: Payment) -> Decimal:
    """How much of a payment has been paid back (refunds paid out)."""
    return (
        Refund.objects.filter(community_id=payment.community_id, payment=payment, status=RefundStatus.PAID).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )


# --- Arrears and the dunning list (催缴) -------------------------------------------------------------------------


@dataclass(frozen=True)
class DunningRow:
    """One house owing money on bills whose period has begun: how much, on how many bills, since when."""

    house_id: int
    bills: int
    outstanding: Decimal
    oldest: datetime.date  # the start of the oldest period still owed


@dataclass
class DunningDetail:
    """A row with its house and the periods owed, for a page or an export."""

    row: DunningRow
    house: House
    periods: list[str]
    oldest_period: str


def _open_bills(compound: Compound, at: datetime.date) -> QuerySet[Bill]:
    return Bill.objects.filter(
        community_id=compound.community_id, compound=compound, period_start__lte=at, status__in=OPEN_STATUSES
    )


def dunning_rows(*, user: Any, compound: Compound, at: datetime.date) -> list[DunningRow]:
    """Houses owing money on bills whose period has begun by ``at``, largest debt first (one query; the same
    houses as ``selectors.dunning_list``, with the oldest period owed)."""
    if not may_keep_fees(user, compound):
        raise NotAllowed(_("You do not have access to this compound's bills."))
    rows = (
        _open_bills(compound, at)
        .order_by()
        .values("house_id")
        .annotate(owed=Sum(F("amount_due") - F("reduction") - F("paid")), n=Count("id"), oldest=Min("period_start"))
        .order_by("-owed", "house_id")
    )
    return [
        DunningRow(house_id=r["house_id"], bills=r["n"], outstanding=r["owed"], oldest=r["oldest"])
        for r in rows
        if r["owed"] > 0
    ]


def dunning_details(*, compound: Compound, at: datetime.date, rows: list[DunningRow]) -> list[DunningDetail]:
    """The houses and periods owed of some rows of ``dunning_rows`` (two queries, whatever their number)."""
    ids = [r.house_id for r in rows]
    houses = houses_labelled(ids)
    periods: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
    for house_id, period, start in (
        _open_bills(compound, at)
        .filter(house_id__in=ids)
        .order_by("period_start", "period")
        .values_list("house_id", "period", "period_start")
    ):
        periods[house_id].append((start, period))
    details = []
    for r in rows:
        owed = periods.get(r.house_id, [])
        details.append(
            DunningDetail(
                row=r,
                house=houses[r.house_id],
                periods=[p for _s, p in owed],
                oldest_period=owed[0][1] if owed else "",
            )
        )
    return details


def household_users(*, house_ids: Iterable[int]) -> dict[int, list[User]]:
    """The users bound (approved) to each house (one query)."""
    users: dict[int, list[User]] = defaultdict(list)
    for binding in HouseBinding.objects.filter(
        house_id__in=list(house_ids), status=BindingStatus.APPROVED, user__is_active=True
    ).select_related("user"):
        users[binding.house_id].append(binding.user)
    return users
