"""Forms of the "routing & deadlines" page: they parse and check input; the services check again and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organization

from .models import Category, Kind
from .services.policy import MAX_HOURS

CATEGORY_ERRORS = {
    "required": _("Choose a category."),
    "invalid_choice": _("Choose one of the categories in the list."),
}


def _hours_field(label: Any, *, required: bool, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1,
        max_value=MAX_HOURS,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": MAX_HOURS, "step": 1}),
        error_messages={
            "required": _("Enter the number of hours."),
            "invalid": _("Enter a whole number of hours, such as 24."),
            "min_value": _("At least 1 hour."),
            "max_value": _("At most %(limit_value)s hours (a year)."),
        },
    )


class RoutingForm(forms.Form):
    """Route one category: an organization serving the community, or none (each compound's property company)."""

    category = forms.ModelChoiceField(queryset=Category.objects.none(), error_messages=CATEGORY_ERRORS)
    organization = forms.ModelChoiceField(
        label=_("Send to"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("Each compound's property company (default)"),
        error_messages={"invalid_choice": _("Choose an organization that serves this community.")},
    )

    def __init__(self, *args: Any, targets: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "category", Category.objects.all())
        _set_queryset(self, "organization", targets)
        field = self.fields["organization"]
        field.label_from_instance = lambda o: f"{o.name} · {o.get_kind_display()}"  # type: ignore[attr-defined]


class DeadlineForm(forms.Form):
    """Set a community's deadlines for a kind and a category (empty: every category of the kind)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Kind.choices,
        error_messages={
            "required": _("Choose what kind of voice this is."),
            "invalid_choice": _("Choose one of the kinds in the list."),
        },
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
        error_messages=CATEGORY_ERRORS,
    )
    response_hours = _hours_field(_("Respond within (hours)"), required=True)
    resolution_hours = _hours_field(
        _("Resolve within (hours)"),
        required=False,
        help_text=_("Leave empty for no resolution deadline (as for praise)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "category", Category.objects.filter(is_active=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        response, resolution = data.get("response_hours"), data.get("resolution_hours")
        if response is not None and resolution is not None and resolution < response:
            self.add_error("resolution_hours", _("The resolution time cannot be shorter than the response time."))
        return data


class DeadlineResetForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Kind.choices, error_messages={"invalid_choice": _("Choose one of the kinds in the list.")}
    )
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False, error_messages=CATEGORY_ERRORS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "category", Category.objects.all())


def _set_queryset(form: forms.Form, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
