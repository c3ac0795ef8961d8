"""The upload form of the import page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import SPECS


class LedgerUploadForm(forms.Form):
    ledger = forms.ChoiceField(label=_("Ledger"), initial="houses")
    file = forms.FileField(
        label=_("Ledger file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ledger"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(name, gettext(spec.title)) for name, spec in SPECS.items()]
        if len(SPECS) == 1:
            field.widget = forms.HiddenInput()
