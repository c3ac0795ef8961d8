"""Forms of the notice pages: they read what was typed; the services check the rules and say what is wrong."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.estates.models import Building
from gongzhi.meetings.forms import DateTimeInput

from .models import BODY_MAX, REASON_MAX, TITLE_MAX, NoticeKind, NoticeStatus

STATE_CHOICES = [
    ("", _("Any time")),
    ("current", _("Shown now")),
    ("upcoming", _("Not shown yet")),
    ("ended", _("Window over")),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several pictures in one input; each is checked by content in the service (voices' photo checks)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class BuildingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class NoticeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *NoticeKind.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *NoticeStatus.choices]
    )
    state = forms.ChoiceField(label=_("Window"), required=False, choices=STATE_CHOICES)


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoticeKind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Plain text; leave an empty line between paragraphs."),
    )
    published_from = forms.DateTimeField(label=_("Shown from"), widget=DateTimeInput())
    published_until = forms.DateTimeField(
        label=_("Shown until"), widget=DateTimeInput(), required=False, help_text=_("Empty: until withdrawn.")
    )
    buildings = BuildingChoiceField(
        label=_("Buildings"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the whole compound."),
    )
    staff_only = forms.BooleanField(
        label=_("Staff only"), required=False, help_text=_("Not shown to residents or on lobby screens.")
    )
    is_pinned = forms.BooleanField(label=_("Pinned"), required=False, help_text=_("Shown first."))
    images = MultipleImageField(
        label=_("Pictures"), required=False, help_text=_("JPEG, PNG or WebP; at most 9 pictures per notice.")
    )

    def __init__(self, *args: Any, buildings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["buildings"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        if buildings is not None:
            field.queryset = buildings
        if not buildings:
            del self.fields["buildings"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=REASON_MAX, required=False, widget=forms.TextInput()
    )


class ScreenForm(forms.Form):
    location = forms.CharField(
        label=_("Where the screen is"), max_length=100, help_text=_("For example: building 3, unit 1 lobby.")
    )
    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("Whole compound"),
        help_text=_("The screen also shows the notices addressed to this building."),
    )
    expires_at = forms.DateTimeField(
        label=_("Link expires at"), widget=DateTimeInput(), required=False, help_text=_("Empty: never.")
    )

    def __init__(self, *args: Any, buildings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["building"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = buildings
