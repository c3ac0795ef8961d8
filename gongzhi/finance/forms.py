"""Forms of the staff fee pages: they read what was typed; the rules (amounts, dates, who may) live in services.

Amounts and rates stay text here (``inputmode=decimal`` brings up the number pad on phones): the services parse
them with ``money.money_parse`` / ``rate_parse`` and say exactly what is wrong ("An amount cannot be negative.").
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.estates.forms import DATE_WIDGET_FORMAT, DateInput
from gongzhi.estates.models import Phase

from .models import BillStatus, Channel, HouseType
from .periods import MONTH, YEAR, Period

AMOUNT_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}
MONTH_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(?:[-/.]\s*0?1\s*日?)?\s*$")


def _not_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise forms.ValidationError(_("Choose a date no later than today."), code="future")


def _amount_field(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=30, widget=forms.TextInput(attrs=AMOUNT_ATTRS), **kwargs)


def _today_max(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].widget.attrs["max"] = timezone.localdate().strftime(DATE_WIDGET_FORMAT)
        if not form.is_bound:
            form.initial.setdefault(name, timezone.localdate())


class MonthInput(forms.TextInput):
    """The phone's month picker; the value travels as YYYY-MM."""

    input_type = "month"


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


# --- Standards and commitments ----------------------------------------------------------------------------------


class StandardForm(forms.Form):
    phase = forms.ModelChoiceField(
        label=_("Applies to"), queryset=Phase.objects.none(), required=False, empty_label=_("The whole compound")
    )
    house_type = forms.ChoiceField(
        label=_("House type"),
        choices=HouseType.choices,
        initial=HouseType.RESIDENTIAL,
        help_text=_("Each house is billed by the standard of its own type (set on the house's page)."),
    )
    rate = _amount_field(_("Rate (¥ per m² per month)"))
    vacant_percent = forms.CharField(
        label=_("Charged while vacant (%)"),
        max_length=5,
        initial="100",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("100 charges vacant homes in full; 70 charges 70% while a home is 空置."),
    )
    effective_from = forms.CharField(
        label=_("Effective from (month)"),
        max_length=20,
        widget=MonthInput(),
        help_text=_("The standard starts on the first day of this month; the current one ends the day before."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, phases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["phase"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = phases
        if not self.is_bound:
            self.initial.setdefault("effective_from", _next_month(timezone.localdate()).strftime("%Y-%m"))

    def clean_effective_from(self) -> datetime.date:
        text = self.cleaned_data["effective_from"]
        match = MONTH_PATTERN.match(text)
        if match is None or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise forms.ValidationError(_("Choose the month the standard takes effect from, such as 2025-07."))
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)


class CommitmentForm(forms.Form):
    title = forms.CharField(label=_("Commitment"), max_length=100)
    detail = forms.CharField(
        label=_("Details (optional)"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Bill generation --------------------------------------------------------------------------------------------


class PeriodForm(forms.Form):
    """A billing period: a year ("2025") or a month ("2025-03")."""

    period = forms.CharField(
        label=_("Billing period"),
        max_length=20,
        help_text=_("A month (2025-03) or a whole year (2025)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "2025-03"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("period", timezone.localdate().strftime("%Y-%m"))

    def clean_period(self) -> str:
        from gongzhi.core.errors import DomainError

        try:
            return Period.parse(self.cleaned_data["period"], kinds=(YEAR, MONTH)).label
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None


# --- Bills ------------------------------------------------------------------------------------------------------


class BillFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Building or room"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    period = forms.ChoiceField(label=_("Billing period"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    arrears = forms.BooleanField(label=_("Only bills with money due"), required=False)

    def __init__(self, *args: Any, periods: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period = self.fields["period"]
        status = self.fields["status"]
        assert isinstance(period, forms.ChoiceField) and isinstance(status, forms.ChoiceField)
        period.choices = [("", _("All periods")), *((p, p) for p in periods)]
        status.choices = [("", _("All statuses")), *BillStatus.choices]

    def valid_data(self) -> dict[str, Any]:
        """The fields that are valid; a bad filter is reported and left out, the others still apply."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})


class PaymentForm(forms.Form):
    amount = _amount_field(_("Amount received (¥)"))
    channel = forms.ChoiceField(label=_("Payment channel"), choices=Channel.choices)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput(), validators=[_not_future])
    receipt_no = forms.CharField(
        label=_("Receipt number (optional)"),
        max_length=60,
        required=False,
        help_text=_("Leave empty and the next number is issued, such as SJ2025-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today_max(self, "paid_on")


class ApproverField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.name


class ReductionForm(forms.Form):
    amount = _amount_field(_("Reduction (¥)"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    approver = ApproverField(label=_("Approved by"), queryset=User.objects.none(), empty_label=None)
    approved_on = forms.DateField(label=_("Approved on"), widget=DateInput(), validators=[_not_future])

    def __init__(self, *args: Any, approvers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["approver"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = approvers
        _today_max(self, "approved_on")


class RefundRequestForm(forms.Form):
    amount = _amount_field(_("Refund (¥)"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RefundDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (required to refuse)"), max_length=200, required=False)


class RefundPayForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid out on"), widget=DateInput(), validators=[_not_future])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today_max(self, "paid_on")


# --- Collection figures -----------------------------------------------------------------------------------------


class FiguresForm(forms.Form):
    """The billing period of the figures (default: this year) and the day they are computed to (default: the
    period's last day, or today while it runs)."""

    period = forms.CharField(
        label=_("Billing period"),
        max_length=20,
        required=False,
        help_text=_("A year (2025) or a month (2025-03)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "2025"}),
    )
    at = forms.DateField(label=_("As of"), required=False, widget=DateInput(), validators=[_not_future])

    def clean_period(self) -> str:
        from gongzhi.core.errors import DomainError

        text = self.cleaned_data.get("period") or ""
        if not text.strip():
            return ""
        try:
            return Period.parse(text, kinds=(YEAR, MONTH)).label
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def chosen_period(self) -> Period:
        label = self.cleaned_data.get("period") if self.is_bound and self.is_valid() else ""
        return Period.parse(label) if label else Period(timezone.localdate().year, YEAR)

    def last_day(self, period: Period) -> datetime.date:
        """The last day counted (inclusive): chosen, else the period's last day, never after today."""
        chosen = self.cleaned_data.get("at") if self.is_bound and self.is_valid() else None
        if chosen is not None:
            return chosen
        return min(period.end - datetime.timedelta(days=1), timezone.localdate())
