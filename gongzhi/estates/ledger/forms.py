"""The upload form of the import page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import SPECS
from .spec import LedgerSpec


class LedgerUploadForm(forms.Form):
    ledger = forms.ChoiceField(label=_("Ledger"), initial="houses")
    file = forms.FileField(
        label=_("Ledger file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args: Any, specs: Sequence[LedgerSpec[Any]] | None = None, **kwargs: Any) -> None:
        """``specs``: the ledgers offered (those the user may import); every ledger when not given."""
        super().__init__(*args, **kwargs)
        offered = list(specs) if specs is not None else list(SPECS.values())
        field = self.fields["ledger"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(spec.name, gettext(spec.title)) for spec in offered]
        if offered and "houses" not in {spec.name for spec in offered}:
            field.initial = offered[0].name
        if len(offered) == 1:
            field.widget = forms.HiddenInput()
