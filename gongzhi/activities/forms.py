"""Forms of the activity and care pages: they read what was typed; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.estates.forms import DateInput
from gongzhi.estates.models import Building, Compound

from .models import (
    CAPACITY_MAX,
    PARTY_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ActivityCategory,
    Audience,
    CareSchedule,
    CareTask,
    SignupMode,
)

DATETIME_WIDGET_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    """The phone's own date-and-time picker (local time)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_WIDGET_FORMAT)


class BuildingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.compound.name} {obj.name}"


class ActivityForm(forms.Form):
    compound = forms.ModelChoiceField(label=_("Compound"), queryset=Compound.objects.none(), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    category = forms.ChoiceField(label=_("Category"), choices=ActivityCategory.choices)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=CAPACITY_MAX)
    signup_mode = forms.ChoiceField(label=_("Sign-up"), choices=SignupMode.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    buildings = BuildingChoiceField(
        label=_("Buildings"),
        queryset=Building.objects.none(),
        required=False,
        help_text=_("Only when the activity is for some buildings."),
    )
    by_community = forms.BooleanField(label=_("Organised by the community"), required=False, initial=True)
    by_property = forms.BooleanField(label=_("Organised by the property company"), required=False)
    other_organizers = forms.CharField(label=_("Other organizers"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, compounds: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if compounds is None:
            del self.fields["compound"]
            self.fields["buildings"].queryset = Building.objects.none()  # type: ignore[attr-defined]
        else:
            self.fields["compound"].queryset = compounds  # type: ignore[attr-defined]
            self.fields["buildings"].queryset = (  # type: ignore[attr-defined]
                Building.objects.filter(compound__in=compounds)
                .select_related("compound")
                .order_by("compound", "sort_key")
            )

    def set_buildings(self, compound: Compound) -> None:
        self.fields["buildings"].queryset = Building.objects.filter(compound=compound).select_related(  # type: ignore[attr-defined]
            "compound"
        )


class SignupForm(forms.Form):
    party_size = forms.IntegerField(
        label=_("People coming"), min_value=1, max_value=PARTY_MAX, initial=1, required=False
    )
    is_elderly = forms.BooleanField(label=_("I (or someone coming) am aged 60 or over"), required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CareRequestForm(forms.Form):
    house = forms.TypedChoiceField(label=_("House"), coerce=int, choices=())
    schedule = forms.ChoiceField(label=_("How often"), choices=CareSchedule.choices)
    tasks = forms.ModelMultipleChoiceField(
        label=_("Tasks"), queryset=CareTask.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(label=_("First visit on"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Note for the staff"), max_length=200, required=False)

    def __init__(self, *args: Any, houses: Any = (), tasks: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["house"].choices = [  # type: ignore[attr-defined]
            (h.pk, f"{h.compound.name} {h.building.name}-{h.unit.name}-{h.room}") for h in houses
        ]
        if tasks is not None:
            self.fields["tasks"].queryset = tasks  # type: ignore[attr-defined]


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    problem = forms.CharField(
        label=_("Problem found"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A leak, a broken window…: the owner is told at once and a repair work order is opened."),
    )

    def __init__(self, *args: Any, task_names: list[str] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.task_names = list(task_names)
        for i, name in enumerate(self.task_names):
            self.fields[f"done_{i}"] = forms.BooleanField(label=name, required=False)
            self.fields[f"note_{i}"] = forms.CharField(label=_("Note"), max_length=200, required=False)

    def task_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"done_{i}"], self[f"note_{i}"]) for i in range(len(self.task_names))]


class TaskForm(forms.Form):
    name = forms.CharField(label=_("Task"), max_length=60)
