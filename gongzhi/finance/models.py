"""Property fees (物业费) and published accounts (收支公示).

Every table that grows with use carries ``community`` (copied down from the compound) and indexes it first;
unique constraints include it (DESIGN.md, "Scale"). Money is ``Decimal`` with two places (money.py); rates
have four. Bills, refunds and statements change status only along their ``TRANSITIONS`` table.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel

# What a fee standard applies to: the estate's house types (one source of truth), re-exported here.
from gongzhi.estates.models import HouseType as HouseType


class FeeStandard(TimeStampedModel):
    """¥ per m² per month for a compound (optionally one phase) and a house type, from a date.

    History: setting a new standard closes the open one of the same compound, phase and type
    (``effective_to`` = the new one's ``effective_from``, exclusive). A phase's standard wins over the
    compound's. While a house is vacant (空置) it pays ``vacant_percent`` of the rate.
    """

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="fee_standards"
    )
    phase = models.ForeignKey(
        "estates.Phase",
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="fee_standards",
    )
    house_type = models.CharField(
        _("house type"), max_length=20, choices=HouseType.choices, default=HouseType.RESIDENTIAL
    )
    rate = models.DecimalField(_("rate (¥ per m² per month)"), max_digits=8, decimal_places=4)
    vacant_percent = models.PositiveSmallIntegerField(_("charged while vacant (%)"), default=100)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("fee standard")
        verbose_name_plural = _("fee standards")
        indexes = [models.Index(fields=["community", "compound", "effective_from"], name="fee_standard_compound")]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "compound", "phase", "house_type", "effective_from"],
                condition=Q(phase__isnull=False),
                name="fee_standard_unique_phase",
            ),
            models.UniqueConstraint(
                fields=["community", "compound", "house_type", "effective_from"],
                condition=Q(phase__isnull=True),
                name="fee_standard_unique_compound",
            ),
            models.UniqueConstraint(
                fields=["community", "compound", "phase", "house_type"],
                condition=Q(phase__isnull=False, effective_to__isnull=True),
                name="fee_standard_one_open_phase",
            ),
            models.UniqueConstraint(
                fields=["community", "compound", "house_type"],
                condition=Q(phase__isnull=True, effective_to__isnull=True),
                name="fee_standard_one_open_compound",
            ),
            models.CheckConstraint(condition=Q(vacant_percent__lte=100), name="fee_standard_vacant_percent_max"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fee_standard_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rate} ¥/m²·月 ({self.effective_from}–{self.effective_to or ''})"


class ServiceCommitment(TimeStampedModel):
    """One promise of the 承诺提质 list: what the fee buys, shown beside the price."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="service_commitments"
    )
    title = models.CharField(_("commitment"), max_length=100)
    detail = models.TextField(_("detail"), max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("service commitment")
        verbose_name_plural = _("service commitments")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["community", "compound", "is_active"], name="commitment_compound")]

    def __str__(self) -> str:
        return self.title


class BillStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTIAL = "partial", _("Partly paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class BillSource(models.TextChoices):
    GENERATED = "generated", _("Generated from the fee standard")
    MANUAL = "manual", _("Entered by staff")
    LEDGER = "ledger", _("Ledger import")


class Bill(TimeStampedModel):
    """What one house owes for one billing period (a year or a month).

    Receivable = ``amount_due`` − ``reduction`` (approved reductions); ``paid`` is payments less refunds paid
    out. The status follows from these amounts, along ``TRANSITIONS`` (a refund can reopen a paid bill; a
    cancelled bill is final and counts nowhere). ``reduction`` and ``paid`` are kept in step by the services;
    the dated rows (Reduction, Payment, Refund) are the history KPIs are measured from.
    """

    TRANSITIONS: dict[str, frozenset[str]] = {
        BillStatus.UNPAID: frozenset({BillStatus.UNPAID, BillStatus.PARTIAL, BillStatus.PAID, BillStatus.CANCELLED}),
        BillStatus.PARTIAL: frozenset({BillStatus.PARTIAL, BillStatus.PAID, BillStatus.UNPAID}),
        BillStatus.PAID: frozenset({BillStatus.PARTIAL, BillStatus.UNPAID}),
        BillStatus.CANCELLED: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="bills"
    )
    house = models.ForeignKey("estates.House", verbose_name=_("house"), on_delete=models.RESTRICT, related_name="bills")
    period = models.CharField(_("billing period"), max_length=7)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    area = models.DecimalField(_("gross area (m²)"), max_digits=9, decimal_places=2, null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("months billed"), default=0)
    vacant_months = models.PositiveSmallIntegerField(_("months billed as vacant"), default=0)
    # How the amount was computed: runs of months at one rate and vacancy share (empty when entered by hand).
    basis = models.JSONField(_("basis"), default=list, blank=True)
    standard = models.ForeignKey(
        FeeStandard, verbose_name=_("fee standard"), null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    amount_due = models.DecimalField(_("amount due"), max_digits=12, decimal_places=2)
    reduction = models.DecimalField(_("reduction"), default=Decimal("0.00"), max_digits=12, decimal_places=2)
    paid = models.DecimalField(_("paid"), default=Decimal("0.00"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=BillStatus.choices, default=BillStatus.UNPAID)
    source = models.CharField(_("source"), max_length=20, choices=BillSource.choices, default=BillSource.GENERATED)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        constraints = [
            models.UniqueConstraint(fields=["community", "house", "period"], name="bill_unique_house_period"),
            models.CheckConstraint(condition=Q(amount_due__gte=0), name="bill_amount_due_not_negative"),
            models.CheckConstraint(condition=Q(reduction__gte=0), name="bill_reduction_not_negative"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="bill_paid_not_negative"),
        ]
        indexes = [
            models.Index(fields=["community", "compound", "period_start"], name="bill_compound_period"),
            models.Index(fields=["community", "house", "period_start"], name="bill_house_period"),
            models.Index(fields=["community", "compound", "status"], name="bill_compound_status"),
        ]

    def __str__(self) -> str:
        return f"{self.period} #{self.house_id}"

    @property
    def receivable(self) -> Decimal:
        return self.amount_due - self.reduction

    @property
    def outstanding(self) -> Decimal:
        """What remains due now: receivable − paid."""
        return self.amount_due - self.reduction - self.paid


class Reduction(models.Model):
    """A reduction (减免) of a bill, with its reason and the person who approved it, on a date."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("estates.Compound", on_delete=models.CASCADE, related_name="+")
    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.RESTRICT, related_name="reductions")
    house = models.ForeignKey("estates.House", on_delete=models.RESTRICT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(_("approved on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reduction")
        verbose_name_plural = _("reductions")
        indexes = [
            models.Index(fields=["community", "bill"], name="reduction_bill"),
            models.Index(fields=["community", "compound", "approved_on"], name="reduction_compound_date"),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="reduction_amount_positive")]

    def __str__(self) -> str:
        return f"−{self.amount} ({self.reason})"


class Channel(models.TextChoices):
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    BANK = "bank", _("Bank transfer")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class Payment(models.Model):
    """Money received against a bill, on a date, with a receipt number unique in the compound."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("estates.Compound", on_delete=models.CASCADE, related_name="+")
    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.RESTRICT, related_name="payments")
    house = models.ForeignKey("estates.House", on_delete=models.RESTRICT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    channel = models.CharField(_("payment channel"), max_length=20, choices=Channel.choices)
    receipt_no = models.CharField(_("receipt number"), max_length=40)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["community", "compound", "receipt_no"], name="payment_unique_receipt"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["community", "compound", "paid_on"], name="payment_compound_date"),
            models.Index(fields=["community", "bill"], name="payment_bill"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.amount}"


class ReceiptCounter(models.Model):
    """The last receipt number issued in a compound in a year; taken under a row lock, so numbers have no gaps."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("estates.Compound", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "compound", "year"], name="receipt_counter_unique")]

    def __str__(self) -> str:
        return f"{self.compound_id}/{self.year}: {self.last}"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    PAID = "paid", _("Paid out")


class Refund(TimeStampedModel):
    """Money given back on a payment: requested, then approved or refused by someone else, then paid out."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        RefundStatus.REQUESTED: frozenset({RefundStatus.APPROVED, RefundStatus.REFUSED}),
        RefundStatus.APPROVED: frozenset({RefundStatus.PAID}),
        RefundStatus.REFUSED: frozenset(),
        RefundStatus.PAID: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("estates.Compound", on_delete=models.CASCADE, related_name="+")
    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.RESTRICT, related_name="refunds")
    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.RESTRICT, related_name="refunds")
    house = models.ForeignKey("estates.House", on_delete=models.RESTRICT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    paid_on = models.DateField(_("paid out on"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        indexes = [
            models.Index(fields=["community", "compound", "status"], name="refund_compound_status"),
            models.Index(fields=["community", "bill"], name="refund_bill"),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"−{self.amount} ({self.get_status_display()})"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CORRECTED = "corrected", _("Corrected by a later version")
    DISCARDED = "discarded", _("Discarded")


class LineKind(models.TextChoices):
    INCOME = "income", _("Income")
    EXPENDITURE = "expenditure", _("Expenditure")


class LineCategory(models.TextChoices):
    """What a statement line is about; each category is income or expenditure (``CATEGORY_KIND``)."""

    FEES = "fees", _("Property service fees")
    PARKING = "parking", _("Parking fees")
    PUBLIC_REVENUE = "public_revenue", _("Shared-area revenue (advertising, rentals)")
    OTHER_INCOME = "other_income", _("Other income")
    STAFF = "staff", _("Staff costs")
    CLEANING = "cleaning", _("Cleaning")
    GREENING = "greening", _("Landscaping")
    SECURITY = "security", _("Security and order")
    MAINTENANCE = "maintenance", _("Repair and upkeep of shared facilities")
    UTILITIES = "utilities", _("Shared-area utilities")
    ADMINISTRATION = "administration", _("Office and administration")
    INSURANCE = "insurance", _("Insurance")
    TAX = "tax", _("Taxes")
    OTHER_EXPENDITURE = "other_expenditure", _("Other expenditure")


CATEGORY_KIND: dict[str, str] = {
    **{
        c: LineKind.INCOME
        for c in (LineCategory.FEES, LineCategory.PARKING, LineCategory.PUBLIC_REVENUE, LineCategory.OTHER_INCOME)
    },
    **{
        c: LineKind.EXPENDITURE
        for c in (
            LineCategory.STAFF,
            LineCategory.CLEANING,
            LineCategory.GREENING,
            LineCategory.SECURITY,
            LineCategory.MAINTENANCE,
            LineCategory.UTILITIES,
            LineCategory.ADMINISTRATION,
            LineCategory.INSURANCE,
            LineCategory.TAX,
            LineCategory.OTHER_EXPENDITURE,
        )
    },
}


class Statement(TimeStampedModel):
    """A published statement of income and expenditure (收支公示) of a compound for a period, one version.

    A draft is edited, then published; a published version never changes. A correction is a new version
    (``previous`` = the one it corrects, with a reason); when it is published the previous one becomes
    "corrected" and stays readable, so the difference is visible.
    """

    TRANSITIONS: dict[str, frozenset[str]] = {
        StatementStatus.DRAFT: frozenset({StatementStatus.PUBLISHED, StatementStatus.DISCARDED}),
        StatementStatus.PUBLISHED: frozenset({StatementStatus.CORRECTED}),
        StatementStatus.CORRECTED: frozenset(),
        StatementStatus.DISCARDED: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="statements"
    )
    period = models.CharField(_("period"), max_length=7)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="corrections",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    correction_reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("income and expenditure statement")
        verbose_name_plural = _("income and expenditure statements")
        constraints = [
            models.UniqueConstraint(fields=["community", "compound", "period", "version"], name="statement_version"),
            models.UniqueConstraint(
                fields=["community", "compound", "period"],
                condition=Q(status="draft"),
                name="statement_one_draft",
            ),
            models.UniqueConstraint(
                fields=["community", "compound", "period"],
                condition=Q(status="published"),
                name="statement_one_published",
            ),
        ]
        indexes = [models.Index(fields=["community", "compound", "period_start"], name="statement_compound_period")]

    def __str__(self) -> str:
        return f"{self.period} v{self.version}"

    @property
    def is_public(self) -> bool:
        """Published once (the current version or one corrected since): readers may see it."""
        return self.status in (StatementStatus.PUBLISHED, StatementStatus.CORRECTED)


class StatementLine(models.Model):
    """One line of a statement: income or expenditure of a category, with an amount."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    statement = models.ForeignKey(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField(_("income or expenditure"), max_length=20, choices=LineKind.choices)
    category = models.CharField(_("category"), max_length=30, choices=LineCategory.choices)
    item = models.CharField(_("item"), max_length=100)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["community", "statement"], name="statement_line_statement")]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="statement_line_not_negative")]

    def __str__(self) -> str:
        return f"{self.item} {self.amount}"


def voucher_path(instance: StatementVoucher, filename: str) -> str:
    """Vouchers are stored under a random name; the uploaded name is kept only as ``original_name``."""
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(instance.content_type, "bin")
    return f"finance/vouchers/{instance.community_id}/{uuid.uuid4().hex}.{ext}"


class StatementVoucher(models.Model):
    """A voucher (凭证) attached to a statement or one of its lines: a PDF or a photo, checked by content."""

    MAX_PER_STATEMENT = 50

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    statement = models.ForeignKey(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="vouchers"
    )
    line = models.ForeignKey(
        StatementLine,
        verbose_name=_("statement line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vouchers",
    )
    file = models.FileField(_("file"), upload_to=voucher_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["community", "statement"], name="statement_voucher_statement")]

    def __str__(self) -> str:
        return self.original_name
