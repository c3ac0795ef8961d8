"""The form for a new Open311 key (compounds limited to those the user manages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.estates.models import Compound

from .services import NAME_MAX


class KeyForm(forms.Form):
    compound = forms.ModelChoiceField(queryset=Compound.objects.none(), label=_("Compound"), empty_label=None)
    name = forms.CharField(
        label=_("Key name"),
        max_length=NAME_MAX,
        help_text=_("Who or which system uses the key, for example “12345 hotline”."),
    )

    def __init__(self, *args: Any, compounds: QuerySet[Compound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["compound"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = compounds
