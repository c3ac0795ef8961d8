"""Forms of the meeting pages: they read what was typed; the rules (times, who may, what is complete) live in the
services, which say exactly what is wrong."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organization, User
from gongzhi.estates.forms import DateInput
from gongzhi.estates.models import Compound

from .models import TEXT_MAX, TITLE_MAX, MeetingKind, MeetingStatus, Party, Rsvp

DATETIME_WIDGET_FORMAT = "%Y-%m-%dT%H:%M"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class DateTimeInput(forms.DateTimeInput):
    """The phone's own date-and-time picker; the value travels as YYYY-MM-DDTHH:MM (local time)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_WIDGET_FORMAT)


class MeetingFilterForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("", _("All")), ("upcoming", _("Upcoming")), ("past", _("Past"))],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *MeetingKind.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *MeetingStatus.choices]
    )


class MeetingForm(forms.Form):
    compound = forms.ModelChoiceField(label=_("Compound"), queryset=Compound.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.CharField(
        label=_("Online meeting link"),
        max_length=300,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("A place, an online link, or both."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_private = forms.BooleanField(
        label=_("Private"),
        required=False,
        help_text=_("Only the community's staff, supervisors and invitees see it; residents get no summary."),
    )

    def __init__(self, *args: Any, compounds: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["compound"]
        assert isinstance(field, forms.ModelChoiceField)
        if compounds is None:
            del self.fields["compound"]
        else:
            field.queryset = compounds


class InviteForm(forms.Form):
    organizations = forms.ModelMultipleChoiceField(
        label=_("Organizations (all their members)"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    users = PeopleChoiceField(
        label=_("Named people"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, organizations: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = self.fields["organizations"]
        people = self.fields["users"]
        assert isinstance(orgs, forms.ModelMultipleChoiceField)
        assert isinstance(people, forms.ModelMultipleChoiceField)
        orgs.queryset = organizations
        people.queryset = users


class FreeAgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    detail = forms.CharField(
        label=_("Detail"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_private = forms.BooleanField(
        label=_("Private item"), required=False, help_text=_("Left out of the residents' summary of the minutes.")
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=[c for c in Rsvp.choices if c[0] != Rsvp.PENDING])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, photo, Word, Excel or PowerPoint; at most 20 MB."))


class MarkAttendanceForm(forms.Form):
    user = PersonChoiceField(
        label=_("Invitee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— someone without an account —"),
    )
    name = forms.CharField(label=_("Name (without an account)"), max_length=50, required=False)
    party = forms.ChoiceField(
        label=_("Party"), required=False, choices=[("", _("From the invitation")), *Party.choices]
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = users


class MinutesEntryForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), max_length=TEXT_MAX * 2, widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    becomes_action = forms.BooleanField(label=_("Becomes an action item when the meeting closes"), required=False)
    action_title = forms.CharField(label=_("Action item title"), max_length=TITLE_MAX, required=False)
    responsible_organization = forms.ModelChoiceField(
        label=_("Responsible organization"), queryset=Organization.objects.none(), required=False
    )
    responsible_user = PersonChoiceField(label=_("Responsible person"), queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    budget = forms.CharField(
        label=_("Budget estimate (¥)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}),
    )

    def __init__(self, *args: Any, organizations: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = self.fields["responsible_organization"]
        people = self.fields["responsible_user"]
        assert isinstance(orgs, forms.ModelChoiceField)
        assert isinstance(people, forms.ModelChoiceField)
        orgs.queryset = organizations
        people.queryset = users
