"""Scoped reads of fees and published accounts (DESIGN rule 2). Every page and endpoint reads through these."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.estates.models import BindingStatus, Compound, House, HouseBinding
from gongzhi.estates.scope import compound_filter
from gongzhi.estates.selectors import compounds_for
from gongzhi.insights.kpis import FeeComparison, fee_figures

from .models import (
    Bill,
    BillStatus,
    FeeStandard,
    LineKind,
    Payment,
    Refund,
    RefundStatus,
    ServiceCommitment,
    Statement,
    StatementLine,
    StatementStatus,
)
from .money import ZERO
from .periods import Period
from .rules import (
    FEE_APPROVERS,
    FEE_KEEPERS,
    FIGURE_READERS,
    may_keep_fees,
    may_view_figures,
    may_view_published,
    may_view_statement,
)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _compound_ids(user: Any, roles: frozenset[str]) -> QuerySet[Compound, Any] | None:
    """Compounds where the user holds one of ``roles`` (None: every compound, for superusers)."""
    if getattr(user, "is_superuser", False):
        return None
    q = compound_filter(user, roles)
    return Compound.objects.filter(q).values("id") if q is not None else Compound.objects.none().values("id")


def _own_house_ids(user: Any) -> QuerySet[HouseBinding, Any]:
    """The houses the user is bound to (approved); none for the anonymous visitor."""
    if not _authenticated(user):
        return HouseBinding.objects.none().values("house_id")
    return HouseBinding.objects.filter(user=user, status=BindingStatus.APPROVED).values("house_id")


def fee_compounds(*, user: Any) -> QuerySet[Compound]:
    """Compounds whose fees the user keeps (finance staff, property manager)."""
    return compounds_for(user, FEE_KEEPERS)


def figure_compounds(*, user: Any) -> QuerySet[Compound]:
    """Compounds whose collection figures and published statements the user reads (staff, supervisors)."""
    return compounds_for(user, FIGURE_READERS)


def _require_published(user: Any, compound: Compound) -> None:
    if not may_view_published(user, compound):
        raise NotAllowed(_("You do not have access to this compound's accounts."))


# --- Fee standards and commitments (public to the compound) ----------------------------------------------------


def fee_standards_in_force(*, user: Any, compound: Compound, at: datetime.date) -> list[FeeStandard]:
    """The standards in force at ``at`` (one per phase and house type), for the price shown to owners."""
    _require_published(user, compound)
    return list(
        FeeStandard.objects.filter(community_id=compound.community_id, compound=compound, effective_from__lte=at)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=at))
        .select_related("phase")
        .order_by(F("phase__name").asc(nulls_first=True), "house_type")
    )


def fee_standard_history(*, user: Any, compound: Compound) -> QuerySet[FeeStandard]:
    _require_published(user, compound)
    return (
        FeeStandard.objects.filter(community_id=compound.community_id, compound=compound)
        .select_related("phase", "created_by")
        .order_by("-effective_from", "id")
    )


def commitments_of(*, user: Any, compound: Compound, include_retired: bool = False) -> QuerySet[ServiceCommitment]:
    _require_published(user, compound)
    qs = ServiceCommitment.objects.filter(community_id=compound.community_id, compound=compound)
    if not (include_retired and may_keep_fees(user, compound)):
        qs = qs.filter(is_active=True)
    return qs.order_by("position", "id")


# --- Bills and payments (fee keepers: their compounds; residents: their own houses) -----------------------------


def bills_visible(*, user: Any) -> QuerySet[Bill]:
    """Every bill the user may open: all bills of compounds whose fees they keep, and their own houses' bills."""
    qs = Bill.objects.select_related("house", "house__building", "house__unit", "compound")
    if not _authenticated(user):
        return qs.none()
    ids = _compound_ids(user, FEE_KEEPERS)
    if ids is None:
        return qs
    return qs.filter(Q(compound_id__in=ids) | Q(house_id__in=_own_house_ids(user)))


def bill_get(*, user: Any, pk: int) -> Bill:
    """One bill; NotFound when it does not exist, NotAllowed when it is somebody else's."""
    bill = bills_visible(user=user).filter(pk=pk).first()
    if bill is None:
        if Bill.objects.filter(pk=pk).exists():
            raise NotAllowed(_("You do not have access to this bill."))
        raise NotFound(_("No such bill."))
    return bill


def bills_of_house(*, user: Any, house: House) -> QuerySet[Bill]:
    """A house's bills, newest period first (its household and the compound's fee keepers)."""
    if not (may_keep_fees(user, house.compound) or _own_house_ids(user).filter(house_id=house.pk).exists()):
        raise NotAllowed(_("You do not have access to this house's bills."))
    return Bill.objects.filter(community_id=house.community_id, house=house).order_by("-period_start", "-period")


def bills_of_resident(*, user: Any) -> QuerySet[Bill]:
    """The bills of every house the resident is bound to (approved), open ones first."""
    if not _authenticated(user):
        return Bill.objects.none()
    return (
        Bill.objects.filter(house_id__in=_own_house_ids(user))
        .exclude(status=BillStatus.CANCELLED)
        .select_related("house", "house__building", "house__unit", "compound")
        .order_by("-period_start", "house_id")
    )


def bills_of_compound(*, user: Any, compound: Compound, period: str = "", status: str = "") -> QuerySet[Bill]:
    if not may_keep_fees(user, compound):
        raise NotAllowed(_("You do not have access to this compound's bills."))
    qs = Bill.objects.filter(community_id=compound.community_id, compound=compound).select_related(
        "house", "house__building", "house__unit"
    )
    if period:
        qs = qs.filter(period=period)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("house__building__sort_key", "house__building__name", "house__unit__sort_key", "house__room")


def payments_visible(*, user: Any) -> QuerySet[Payment]:
    qs = Payment.objects.select_related("bill", "house")
    if not _authenticated(user):
        return qs.none()
    ids = _compound_ids(user, FEE_KEEPERS)
    if ids is None:
        return qs
    return qs.filter(Q(compound_id__in=ids) | Q(house_id__in=_own_house_ids(user)))


def payments_of_bill(*, user: Any, bill: Bill) -> QuerySet[Payment]:
    visible = bill_get(user=user, pk=bill.pk)
    return Payment.objects.filter(community_id=visible.community_id, bill=visible).order_by("paid_on", "id")


def payment_get(*, user: Any, pk: int) -> Payment:
    payment = payments_visible(user=user).filter(pk=pk).first()
    if payment is None:
        if Payment.objects.filter(pk=pk).exists():
            raise NotAllowed(_("You do not have access to this payment."))
        raise NotFound(_("No such payment."))
    return payment


def refunds_to_decide(*, user: Any) -> QuerySet[Refund]:
    """Refunds waiting for the property manager's decision, oldest first."""
    ids = _compound_ids(user, FEE_APPROVERS)
    qs = Refund.objects.filter(status=RefundStatus.REQUESTED).select_related("bill", "payment", "house")
    if not _authenticated(user):
        return qs.none()
    return (qs if ids is None else qs.filter(compound_id__in=ids)).order_by("created_at")


def refunds_to_pay(*, user: Any) -> QuerySet[Refund]:
    """Approved refunds waiting to be paid out."""
    ids = _compound_ids(user, FEE_KEEPERS)
    qs = Refund.objects.filter(status=RefundStatus.APPROVED).select_related("bill", "payment", "house")
    if not _authenticated(user):
        return qs.none()
    return (qs if ids is None else qs.filter(compound_id__in=ids)).order_by("decided_at")


@dataclass(frozen=True)
class ArrearsRow:
    """One house of the dunning list (催缴): what it owes now over its bills of periods begun by ``at``."""

    house_id: int
    bills: int
    outstanding: Decimal


def dunning_list(*, user: Any, compound: Compound, at: datetime.date) -> list[ArrearsRow]:
    """Houses owing money on bills whose period has begun by ``at``, largest debt first (one query)."""
    if not may_keep_fees(user, compound):
        raise NotAllowed(_("You do not have access to this compound's bills."))
    rows = (
        Bill.objects.filter(
            community_id=compound.community_id,
            compound=compound,
            period_start__lte=at,
            status__in=[BillStatus.UNPAID, BillStatus.PARTIAL],
        )
        .order_by()
        .values("house_id")
        .annotate(owed=Sum(F("amount_due") - F("reduction") - F("paid")), n=Count("id"))
        .order_by("-owed", "house_id")
    )
    return [ArrearsRow(house_id=r["house_id"], bills=r["n"], outstanding=r["owed"]) for r in rows]


# --- Collection figures (KPIS.md, through insights.kpis) --------------------------------------------------------


@dataclass
class CollectionFigures:
    period: Period
    at: datetime.date
    by: str | None
    groups: dict[Any, FeeComparison] = field(default_factory=dict)


def collection_figures(
    *,
    user: Any,
    compounds: list[Compound],
    period: str | Period,
    at: datetime.date | None = None,
    by: str | None = "compound",
) -> CollectionFigures:
    """当期收缴率, 旧欠, 旧欠回收额, 旧欠清缴率 (and a year before) of the compounds, grouped ``by`` compound,
    phase or building. Refused when any compound is outside the user's reading scope."""
    for compound in compounds:
        if not may_view_figures(user, compound):
            raise NotAllowed(_("You do not have access to this compound's accounts."))
    p = period if isinstance(period, Period) else Period.parse(period)
    d = at or p.end
    return CollectionFigures(
        period=p, at=d, by=by, groups=fee_figures(compounds, start=p.start, end=p.end, at=d, by=by)
    )


# --- Statements -----------------------------------------------------------------------------------------------


def statements_of(*, user: Any, compound: Compound) -> QuerySet[Statement]:
    """The compound's statements the user may read: every version for fee keepers, published ones (current and
    corrected) for readers. Newest period first, then newest version."""
    if may_keep_fees(user, compound):
        qs = Statement.objects.filter(community_id=compound.community_id, compound=compound)
    else:
        _require_published(user, compound)
        qs = Statement.objects.filter(
            community_id=compound.community_id,
            compound=compound,
            status__in=[StatementStatus.PUBLISHED, StatementStatus.CORRECTED],
        )
    return qs.order_by("-period_start", "-version")


def statement_get(*, user: Any, pk: int) -> Statement:
    statement = Statement.objects.select_related("compound", "previous").filter(pk=pk).first()
    if statement is None:
        raise NotFound(_("No such statement."))
    if not may_view_statement(user, statement):
        if statement.is_public:
            raise NotAllowed(_("You do not have access to this statement."))
        raise NotFound(_("No such statement."))  # a draft is not shown to exist
    return statement


@dataclass(frozen=True)
class StatementTotals:
    income: Decimal
    expenditure: Decimal

    @property
    def balance(self) -> Decimal:
        return self.income - self.expenditure


def statement_totals(statement: Statement) -> StatementTotals:
    rows = dict(
        StatementLine.objects.filter(community_id=statement.community_id, statement=statement)
        .order_by()
        .values_list("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    return StatementTotals(income=rows.get(LineKind.INCOME, ZERO), expenditure=rows.get(LineKind.EXPENDITURE, ZERO))


@dataclass(frozen=True)
class LineChange:
    """One line's change between two versions: ``before`` None = added, ``after`` None = removed."""

    kind: str
    category: str
    item: str
    before: Decimal | None
    after: Decimal | None

    @property
    def delta(self) -> Decimal:
        return (self.after or ZERO) - (self.before or ZERO)


@dataclass(frozen=True)
class StatementDifference:
    old: Statement
    new: Statement
    changes: list[LineChange]
    income_delta: Decimal
    expenditure_delta: Decimal

    @property
    def balance_delta(self) -> Decimal:
        return self.income_delta - self.expenditure_delta


def _line_amounts(statement: Statement) -> dict[tuple[str, str, str], Decimal]:
    amounts: dict[tuple[str, str, str], Decimal] = {}
    for kind, category, item, amount in statement.lines.order_by("position", "id").values_list(
        "kind", "category", "item", "amount"
    ):
        key = (kind, category, item)
        amounts[key] = amounts.get(key, ZERO) + amount
    return amounts


def statement_difference(*, old: Statement, new: Statement) -> StatementDifference:
    """What changed between two versions of a statement, line by line (lines matched on kind, category and
    item), and the change of the totals. Two queries."""
    before, after = _line_amounts(old), _line_amounts(new)
    changes = [
        LineChange(kind, category, item, before.get((kind, category, item)), after.get((kind, category, item)))
        for kind, category, item in [*before, *(k for k in after if k not in before)]
        if before.get((kind, category, item)) != after.get((kind, category, item))
    ]

    def total(amounts: dict[tuple[str, str, str], Decimal], kind: str) -> Decimal:
        return sum((v for k, v in amounts.items() if k[0] == kind), ZERO)

    return StatementDifference(
        old=old,
        new=new,
        changes=changes,
        income_delta=total(after, LineKind.INCOME) - total(before, LineKind.INCOME),
        expenditure_delta=total(after, LineKind.EXPENDITURE) - total(before, LineKind.EXPENDITURE),
    )
