"""Forms of the mediation pages: they read what was typed; the rules (who may, what is complete, dates, parties of
the compound) live in the services, which say exactly what is wrong."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.estates.forms import DateInput
from gongzhi.estates.models import Compound
from gongzhi.meetings.forms import DateTimeInput

from .models import CaseStatus, CaseType, IncidentKind, Outcome, PartyKind, ReferredTo

PARTY_ROWS = 3


class CaseForm(forms.Form):
    compound = forms.ModelChoiceField(label=_("Compound"), queryset=Compound.objects.none(), empty_label=None)
    case_type = forms.ChoiceField(label=_("Type of dispute"), choices=CaseType.choices)
    title = forms.CharField(label=_("Title"), required=False)
    description = forms.CharField(label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    place = forms.CharField(label=_("Where"), required=False)

    def __init__(self, *args: Any, compounds: Any = None, with_compound: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_compound:
            field: Any = self.fields["compound"]
            field.queryset = compounds if compounds is not None else Compound.objects.none()
        else:
            del self.fields["compound"]
        for n in range(1, PARTY_ROWS + 1):
            self.fields[f"party{n}_kind"] = forms.ChoiceField(
                label=_("Party %(n)d") % {"n": n}, required=False, choices=[("", _("—")), *PartyKind.choices]
            )
            self.fields[f"party{n}_house"] = forms.CharField(label=_("House (e.g. 1栋1单元101)"), required=False)
            self.fields[f"party{n}_name"] = forms.CharField(label=_("Name"), required=False)
            self.fields[f"party{n}_phone"] = forms.CharField(label=_("Mobile"), required=False)

    def party_rows(self) -> list[list[Any]]:
        return [[self[f"party{n}_{k}"] for k in ("kind", "house", "name", "phone")] for n in range(1, PARTY_ROWS + 1)]


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices)
    house = forms.CharField(label=_("House (e.g. 1栋1单元101)"), required=False)
    name = forms.CharField(label=_("Name"), required=False)
    phone = forms.CharField(label=_("Mobile"), required=False)


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *CaseStatus.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class ScheduleForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), required=False)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", _("—")), *Outcome.choices])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    referred_to = forms.ChoiceField(label=_("Referred to"), required=False, choices=[("", _("—")), *ReferredTo.choices])
    referred_where = forms.CharField(label=_("Referred where"), required=False)
    referred_on = forms.DateField(label=_("Referred on"), required=False, widget=DateInput())


class FollowUpForm(forms.Form):
    kept = forms.ChoiceField(
        label=_("Is the agreement kept?"),
        required=False,
        choices=[("", _("—")), ("yes", _("Kept")), ("no", _("Broken"))],
    )
    visited_on = forms.DateField(label=_("Visited on"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PolicyForm(forms.Form):
    first_days = forms.IntegerField(label=_("First follow-up after (days)"))
    second_days = forms.IntegerField(label=_("Second follow-up after (days)"))


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until (exclusive)"), required=False, widget=DateInput())


class IncidentForm(forms.Form):
    compound = forms.ModelChoiceField(label=_("Compound"), queryset=Compound.objects.none(), empty_label=None)
    station = forms.ChoiceField(label=_("Police station"), choices=[])
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    occurred_at = forms.DateTimeField(label=_("Happened at"), widget=DateTimeInput())
    place = forms.CharField(label=_("Where"), required=False)
    description = forms.CharField(label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
