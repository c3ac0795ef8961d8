"""Forms of the insights pages: the red list's weights, an honour. They parse the input; the services decide
(the weights' sum, duplicates, who may write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services import AWARDED_BY_MAX, MIN_HONOUR_YEAR, MINIMUM_MAX, NOTE_MAX, TITLE_MAX


def _percent(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1, "min": 0, "max": 100}),
    )


def _minimum(label: Any, help_text: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=MINIMUM_MAX,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1, "min": 1, "max": MINIMUM_MAX}),
    )


class WeightsForm(forms.Form):
    satisfaction = _percent(_("Satisfaction (%)"))
    resolution = _percent(_("Resolution (%)"))
    response = _percent(_("Response (%)"))
    collection = _percent(_("Current-period collection (%)"))
    min_ratings = _minimum(
        _("Fewest ratings to rank satisfaction"), _("A compound with fewer ratings is unranked, not given 0.")
    )
    min_voices = _minimum(
        _("Fewest voices to rank response and resolution"),
        _("A compound with fewer voices (other than praise) is unranked, not given 0."),
    )


class HonourForm(forms.Form):
    compound = forms.TypedChoiceField(label=_("Compound"), coerce=int, choices=())
    year = forms.IntegerField(
        label=_("Year"),
        min_value=MIN_HONOUR_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1, "min": MIN_HONOUR_YEAR}),
    )
    title = forms.CharField(
        label=_("Honour"),
        max_length=TITLE_MAX,
        help_text=_("For example 区级最美小区 (best compound of the district)."),
    )
    awarded_by = forms.CharField(label=_("Awarded by"), max_length=AWARDED_BY_MAX)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False)

    def __init__(self, *args: Any, compounds: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        compound_field = self.fields["compound"]
        assert isinstance(compound_field, forms.TypedChoiceField)
        compound_field.choices = [(c.pk, f"{c.name}（{c.community.name}）") for c in compounds]
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.IntegerField)
        year_field.max_value = this_year
        year_field.validators.append(_max_year(this_year))
        year_field.widget.attrs["max"] = this_year
        if not self.is_bound:
            self.initial.setdefault("year", this_year)


def _max_year(year: int) -> Any:
    from django.core.validators import MaxValueValidator

    return MaxValueValidator(year)
