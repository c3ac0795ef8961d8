"""Forms of the estate pages: they parse and check input; the rules themselves live in services."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Building, HouseStatus, HouseType, Phase, Relation

DATE_WIDGET_FORMAT = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """A native date picker (the phone's own calendar); the value travels as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATE_WIDGET_FORMAT)


def _not_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise forms.ValidationError(_("Choose a date no later than today."), code="future")


class CompoundSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or code"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class OverviewForm(forms.Form):
    """The date the overview's KPIs are computed at (default today) and the building of the house matrix."""

    at = forms.DateField(label=_("As of"), required=False, widget=DateInput(), validators=[_not_future])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].widget.attrs["max"] = timezone.localdate().strftime(DATE_WIDGET_FORMAT)

    def at_or_today(self) -> datetime.date:
        if self.is_valid() and self.cleaned_data.get("at"):
            return self.cleaned_data["at"]
        return timezone.localdate()


def parse_id(value: object) -> int | None:
    """A positive integer id from a query parameter, or None."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 0 < len(text) < 19 else None


class HouseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Building, room, owner or mobile"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=Building.objects.none(), required=False, empty_label=_("All buildings")
    )
    phase = forms.ModelChoiceField(
        label=_("Phase"), queryset=Phase.objects.none(), required=False, empty_label=_("All phases")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, buildings: Any, phases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        building_field = self.fields["building"]
        phase_field = self.fields["phase"]
        status_field = self.fields["status"]
        assert isinstance(building_field, forms.ModelChoiceField)
        assert isinstance(phase_field, forms.ModelChoiceField)
        assert isinstance(status_field, forms.ChoiceField)
        building_field.queryset = buildings
        phase_field.queryset = phases
        status_field.choices = [("", _("All statuses")), *HouseStatus.choices]

    def valid_data(self) -> dict[str, Any]:
        """The fields that are valid; a bad filter is reported and left out, the others still apply."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})


class HouseStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=HouseStatus.choices)
    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput(), validators=[_not_future])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].widget.attrs["max"] = timezone.localdate().strftime(DATE_WIDGET_FORMAT)
        if not self.is_bound:
            self.initial.setdefault("effective_on", timezone.localdate())


class HouseTypeForm(forms.Form):
    house_type = forms.ChoiceField(label=_("House type"), choices=HouseType.choices)


class MoveOutForm(forms.Form):
    resident = forms.IntegerField(widget=forms.HiddenInput)
    moved_out_on = forms.DateField(label=_("Move-out date"), widget=DateInput(), validators=[_not_future])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["moved_out_on"].widget.attrs["max"] = timezone.localdate().strftime(DATE_WIDGET_FORMAT)
        if not self.is_bound:
            self.initial.setdefault("moved_out_on", timezone.localdate())


class BindingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason for the refusal (the resident sees it)"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BindingRequestForm(forms.Form):
    house = forms.IntegerField(
        label=_("Room"),
        min_value=1,
        error_messages={"required": _("Choose your room."), "invalid": _("Choose your room.")},
    )
    relation = forms.ChoiceField(
        label=_("You are the house's"),
        choices=Relation.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose owner, family member or tenant."),
            "invalid_choice": _("Choose owner, family member or tenant."),
        },
    )
