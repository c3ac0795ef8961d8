"""Forms of the published-statement pages (收支公示) and of a resident's question about a line.

Forms only shape input; the services check it (amounts, periods, lengths, who may) and their refusals are shown
beside the field they name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CATEGORY_KIND, LineCategory, LineKind, StatementLine
from .services.questions import QUESTION_MAX


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The fixed line categories, grouped under income and expenditure."""
    return [
        (str(kind.label), [(c.value, str(c.label)) for c in LineCategory if CATEGORY_KIND[c] == kind])
        for kind in LineKind
    ]


class StatementNewForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=20,
        help_text=_("A quarter (2025Q1), a month (2025-03) or a year (2025)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "2025Q1"}),
    )
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note to residents"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StatementLineForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=category_choices)
    item = forms.CharField(label=_("Item"), max_length=100)
    amount = forms.CharField(
        label=_("Amount (¥)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "1234.50"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    @classmethod
    def for_line(cls, line: StatementLine, data: Any = None) -> StatementLineForm:
        initial = {"category": line.category, "item": line.item, "amount": f"{line.amount:.2f}", "note": line.note}
        return cls(data, initial=initial)


class VoucherForm(forms.Form):
    file = forms.FileField(
        label=_("Voucher (PDF, JPEG or PNG, at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    line = forms.TypedChoiceField(label=_("For the line"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, lines: Sequence[StatementLine] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["line"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("The whole statement")), *((str(ln.pk), ln.item) for ln in lines)]


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        help_text=_("Residents read it beside the difference between the versions."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX,
        help_text=_("It is sent as an enquiry to the staff of your compound; you follow it in My voices."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
