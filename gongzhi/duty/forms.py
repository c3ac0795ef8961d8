"""Forms of the duty pages: they parse input; the services decide (their refusals come back beside a field)."""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DayKind, NameDisplay, PostKind
from .services.posts import MAX_PER_KIND, MAX_PLACES, MAX_SLOTS

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
TIME_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})\s*$")
TEXT_MAX = 500


def parse_times(text: str) -> list[tuple[datetime.time, datetime.time]]:
    """ "07:20-08:00, 16:30-17:30" → [(07:20, 08:00), (16:30, 17:30)]; a ValidationError names a bad piece."""
    pieces = [p for p in re.split(r"[,，;；\s]+(?=\d)", text.strip()) if p.strip()]
    if len(pieces) > MAX_SLOTS:
        raise forms.ValidationError(_("At most %(max)d times a day.") % {"max": MAX_SLOTS})
    out = []
    for piece in pieces:
        m = TIME_RANGE.match(piece)
        try:
            if m is None:
                raise ValueError
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            out.append((datetime.time(h1, m1), datetime.time(h2, m2)))
        except ValueError:
            raise forms.ValidationError(
                _("“%(piece)s” is not a time range such as 07:20-08:00.") % {"piece": piece[:40]}
            ) from None
    return out


class RuleFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    min_officers = forms.IntegerField(
        label=_("Police officers per shift (at least)"), min_value=0, max_value=MAX_PER_KIND, initial=1
    )
    min_property = forms.IntegerField(
        label=_("Property staff per shift (at least)"), min_value=0, max_value=MAX_PER_KIND, initial=1
    )
    min_volunteers = forms.IntegerField(
        label=_("Resident volunteers per shift (at least)"), min_value=0, max_value=MAX_PER_KIND, initial=1
    )
    places = forms.IntegerField(label=_("People per shift (at most)"), min_value=1, max_value=MAX_PLACES, initial=4)


class PostForm(RuleFields):
    kind = forms.ChoiceField(label=_("Kind"), choices=PostKind.choices)
    follows_calendar = forms.BooleanField(
        label=_("Follows the school calendar (no shifts on holidays and vacations)"), required=False, initial=True
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, initial=[0, 1, 2, 3, 4]
    )
    times = forms.CharField(
        label=_("Times"),
        max_length=200,
        initial="07:20-08:00, 16:30-17:30",
        help_text=_("One or more time ranges, separated by commas, such as 07:20-08:00, 16:30-17:30."),
    )

    field_order = ["name", "kind", "place", "weekdays", "times", "follows_calendar"]

    def clean_times(self) -> list[tuple[datetime.time, datetime.time]]:
        return parse_times(self.cleaned_data["times"])


class PostEditForm(RuleFields):
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class GenerateForm(forms.Form):
    first_day = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))


class AssignForm(forms.Form):
    person = forms.ChoiceField(label=_("Person"))

    def __init__(self, *args: Any, people: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .models import ServeKind

        self.people = {f"{u.pk}:{kind}": (u, kind) for u, kind in people}
        cast(forms.ChoiceField, self.fields["person"]).choices = [
            (key, f"{u.name} · {ServeKind(kind).label}") for key, (u, kind) in self.people.items()
        ]

    def clean_person(self) -> tuple[Any, str]:
        return self.people[self.cleaned_data["person"]]


class CalendarDayForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DayKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    first_day = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    as_weekday = forms.TypedChoiceField(
        label=_("A make-up workday runs as"), choices=WEEKDAYS, coerce=int, initial=0, required=False
    )

    def clean_as_weekday(self) -> int:
        value = self.cleaned_data.get("as_weekday")
        return value if isinstance(value, int) else 0


class VolunteerDetailsForm(forms.Form):
    skills = forms.CharField(label=_("Skills"), max_length=TEXT_MAX, required=False)
    availability = forms.CharField(
        label=_("Availability"),
        max_length=TEXT_MAX,
        required=False,
        help_text=_("For example: weekday mornings, weekends."),
    )
    name_display = forms.ChoiceField(
        label=_("Name on the honour board"), choices=NameDisplay.choices, initial=NameDisplay.MASKED
    )


class VolunteerApplyForm(VolunteerDetailsForm):
    compound = forms.ChoiceField(label=_("Compound"))

    field_order = ["compound", "skills", "availability", "name_display"]

    def __init__(self, *args: Any, compounds: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.compounds = {str(c.pk): c for c in compounds}
        cast(forms.ChoiceField, self.fields["compound"]).choices = [(k, c.name) for k, c in self.compounds.items()]

    def clean_compound(self) -> Any:
        return self.compounds[self.cleaned_data["compound"]]


class VolunteerAddForm(VolunteerDetailsForm):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)

    field_order = ["phone", "skills", "availability", "name_display"]


class SwapForm(forms.Form):
    wanted = forms.ChoiceField(label=_("Swap with"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, targets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = {str(a.pk): a for a in targets}
        cast(forms.ChoiceField, self.fields["wanted"]).choices = [(k, str(a.pk)) for k, a in self.targets.items()]

    def clean_wanted(self) -> Any:
        return self.targets[self.cleaned_data["wanted"]]
