"""Reads for owners' fee pages and for questions about published statements (scoped, DESIGN rule 2).

Owners (residents with an approved binding) see their own houses' bills, payments and refunds, the fee
standard in force for each house and the compound's service commitments and published statements. Questions
about statement lines are voices found by their idempotency key (``services.questions.question_key``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.estates.models import BindingStatus, Compound, House, HouseBinding
from gongzhi.estates.selectors import houses_of_resident
from gongzhi.voices.models import Status as VoiceStatus
from gongzhi.voices.models import Voice
from gongzhi.voices.selectors import voices_visible

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
from .money import ZERO, money_round
from .selectors import commitments_of, fee_standards_in_force, statements_of
from .services.questions import question_key

RECENT_STATEMENTS = 4


def _own_house_ids(user: Any) -> QuerySet[HouseBinding, Any]:
    if not getattr(user, "is_authenticated", False):
        return HouseBinding.objects.none().values("house_id")
    return HouseBinding.objects.filter(user=user, status=BindingStatus.APPROVED).values("house_id")


@dataclass
class HouseFees:
    """One of the owner's houses: its bills (newest first), what it owes, and what the fee buys."""

    house: House
    today: datetime.date
    bills: list[Bill] = field(default_factory=list)
    standard: FeeStandard | None = None

    @property
    def outstanding(self) -> Decimal:
        """What remains due on every bill issued so far."""
        return sum((b.outstanding for b in self.bills), ZERO)

    @property
    def rate(self) -> str:
        """The standard's rate as written on price lists: two decimals, more only when it has them (2.50, 2.4567)."""
        if self.standard is None:
            return ""
        exact = self.standard.rate.normalize()
        exponent = exact.as_tuple().exponent
        return f"{exact:f}" if isinstance(exponent, int) and exponent < -2 else f"{self.standard.rate:.2f}"

    @property
    def monthly(self) -> Decimal | None:
        """What a month costs the house at the standard in force (occupied; vacant months cost less)."""
        if self.standard is None:
            return None
        return money_round(self.house.area * self.standard.rate)

    @property
    def arrears(self) -> Decimal:
        """旧欠 today (KPIS.md): what remains due on the bills of periods that have ended."""
        return sum((b.outstanding for b in self.bills if b.period_end <= self.today), ZERO)


@dataclass
class CompoundFees:
    """The owner's houses of one compound, with the compound's commitments and latest published statements."""

    compound: Compound
    houses: list[HouseFees] = field(default_factory=list)
    commitments: list[ServiceCommitment] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)


def _standard_for(house: House, standards: list[FeeStandard]) -> FeeStandard | None:
    """The standard that prices the house, as billing picks it: of the house's type, its phase's, else the
    compound's."""
    of_type = [s for s in standards if s.house_type == house.house_type]
    own = next((s for s in of_type if s.phase_id is not None and s.phase_id == house.phase_id), None)
    return own or next((s for s in of_type if s.phase_id is None), None)


def owner_fees(*, user: Any, today: datetime.date) -> list[CompoundFees]:
    """The owner's houses with their bills, grouped by compound: a few queries per compound."""
    houses = list(houses_of_resident(user).order_by("compound__name", "building__name", "unit__name", "room"))
    by_house: dict[int, list[Bill]] = defaultdict(list)
    bills = (
        Bill.objects.filter(house_id__in=[h.pk for h in houses])
        .exclude(status=BillStatus.CANCELLED)
        .order_by("-period_start", "-period")
    )
    for bill in bills:
        by_house[bill.house_id].append(bill)
    groups: dict[int, CompoundFees] = {}
    standards: dict[int, list[FeeStandard]] = {}
    for house in houses:
        group = groups.get(house.compound_id)
        if group is None:
            compound = house.compound
            group = groups[house.compound_id] = CompoundFees(
                compound=compound,
                commitments=list(commitments_of(user=user, compound=compound)),
                statements=list(published_statements(user=user, compound=compound)[:RECENT_STATEMENTS]),
            )
            standards[house.compound_id] = fee_standards_in_force(user=user, compound=compound, at=today)
        standard = _standard_for(house, standards[house.compound_id])
        group.houses.append(HouseFees(house=house, today=today, bills=by_house[house.pk], standard=standard))
    return list(groups.values())


def owner_bill(*, user: Any, pk: int) -> Bill:
    """One of the owner's own bills; NotAllowed for another household's, NotFound when there is none."""
    bill = (
        Bill.objects.filter(pk=pk, house_id__in=_own_house_ids(user))
        .select_related("house", "house__building", "house__unit", "compound")
        .first()
    )
    if bill is None:
        if Bill.objects.filter(pk=pk).exists():
            raise NotAllowed(_("You do not have access to this bill."))
        raise NotFound(_("No such bill."))
    return bill


def owner_payments(*, user: Any) -> QuerySet[Payment]:
    """Payments on the owner's houses, newest first."""
    return (
        Payment.objects.filter(house_id__in=_own_house_ids(user))
        .select_related("bill", "house", "house__building", "house__unit", "compound")
        .order_by("-paid_on", "-id")
    )


def bill_payments(bill: Bill) -> list[Payment]:
    """A bill's payments (the caller has checked access), oldest first."""
    return list(Payment.objects.filter(community_id=bill.community_id, bill=bill).order_by("paid_on", "id"))


def bill_refunds(bill: Bill) -> list[Refund]:
    """A bill's refunds paid out (they lower what was paid)."""
    return list(
        Refund.objects.filter(community_id=bill.community_id, bill=bill, status=RefundStatus.PAID).order_by(
            "paid_on", "id"
        )
    )


# --- Published statements -----------------------------------------------------------------------------------


def published_statements(*, user: Any, compound: Compound) -> QuerySet[Statement]:
    """The compound's current published statements (one per period), newest period first."""
    return statements_of(user=user, compound=compound).filter(status=StatementStatus.PUBLISHED)


def statements_with_totals(qs: QuerySet[Statement]) -> QuerySet[Statement]:
    """Each statement with ``income`` and ``expenditure`` (one query for the whole list)."""
    return qs.annotate(
        income=Sum("lines__amount", filter=Q(lines__kind=LineKind.INCOME), default=ZERO),
        expenditure=Sum("lines__amount", filter=Q(lines__kind=LineKind.EXPENDITURE), default=ZERO),
    )


def statement_versions(*, user: Any, statement: Statement) -> list[Statement]:
    """Every version of the statement's period the user may read, newest first."""
    return [
        s
        for s in statements_of(user=user, compound=statement.compound).filter(period=statement.period)
        if s.status != StatementStatus.DISCARDED or s.pk == statement.pk
    ]


@dataclass
class LineQuestions:
    """Questions residents raised about one statement line: how many, and those the user may open."""

    count: int = 0
    visible: list[Voice] = field(default_factory=list)
    mine: Voice | None = None


def statement_questions(*, user: Any, statement: Statement, lines: list[StatementLine]) -> dict[int, LineQuestions]:
    """line id → its questions (withdrawn ones left out). Two queries."""
    keys = {question_key(line.pk): line.pk for line in lines}
    result: dict[int, LineQuestions] = {pk: LineQuestions() for pk in keys.values()}
    if not keys:
        return result
    scope = Voice.objects.filter(
        community_id=statement.community_id, compound_id=statement.compound_id, idempotency_key__in=list(keys)
    ).exclude(status=VoiceStatus.WITHDRAWN)
    counts = scope.order_by().values_list("idempotency_key").annotate(n=Count("id")).values_list("idempotency_key", "n")
    for key, count in counts:
        result[keys[key]].count = count
    uid = getattr(user, "pk", None)
    for voice in voices_visible(user=user).filter(pk__in=scope.values("pk")).order_by("submitted_at", "pk"):
        questions = result[keys[voice.idempotency_key]]
        questions.visible.append(voice)
        if voice.author_id == uid:
            questions.mine = voice
    return result
