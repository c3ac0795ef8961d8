"""Forms of the action-item pages. They only read what was typed: numbers (progress, weight, budget), dates and
statuses are checked by the services, which say exactly what is wrong (a progress of 150, a due date before the
item was created, a done item moved back without a reason)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organization, User
from gongzhi.estates.forms import DateInput
from gongzhi.estates.models import Compound
from gongzhi.voices.forms import MultiplePhotoInput
from gongzhi.voices.models import Score

from ..models import TEXT_MAX, TITLE_MAX, ActionPhoto, ActionStatus

BULK_MAX_BYTES = 5 * 1024 * 1024


class _Prefixed(forms.Form):
    """Several forms share the item's page: each gets its own element ids (names stay plain)."""

    id_prefix = "a"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class PersonChoiceField(forms.ModelChoiceField[User]):
    """People by name only (never a phone number)."""

    def label_from_instance(self, obj: User) -> str:
        return obj.name


class PhotoListField(forms.FileField):
    """Several photos as a list of uploads; what each file is, its size and the count are checked by
    ``gongzhi.voices.photos`` in the service (clear messages, nothing saved)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(attrs={"accept": "image/*", "data-max-files": str(ActionPhoto.MAX_PER_UPDATE)}),
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


def _number_input(placeholder: str = "") -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": placeholder})


class ActionFilterForm(forms.Form):
    """The staff list's filters. A value that is not one of the choices is simply not applied."""

    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    compound = forms.ModelChoiceField(
        label=_("Compound"), queryset=Compound.objects.none(), required=False, to_field_name="code"
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *ActionStatus.choices]
    )
    organization = forms.ModelChoiceField(
        label=_("Responsible organization"), queryset=Organization.objects.none(), required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    meeting = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, compounds: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        compound = self.fields["compound"]
        organization = self.fields["organization"]
        assert isinstance(compound, forms.ModelChoiceField)
        assert isinstance(organization, forms.ModelChoiceField)
        compound.queryset = compounds
        compound.empty_label = _("All compounds")
        organization.queryset = organizations
        organization.empty_label = _("All organizations")


class ProgressForm(_Prefixed):
    """Record progress (0–100), change the status (delay, cancel or move back with a reason; a new due date when
    delaying), write a note, add before/after photos."""

    id_prefix = "p"

    progress = forms.CharField(label=_("Progress (%)"), required=False, max_length=10, widget=_number_input("0–100"))
    status = forms.ChoiceField(label=_("Status"), required=False)
    reason = forms.CharField(
        label=_("Reason (for a delay, a cancellation or moving a done item back)"),
        required=False,
        max_length=500,
    )
    due_on = forms.DateField(label=_("New due date (when delaying)"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=TEXT_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos_before = PhotoListField(label=_("Photos before"))
    photos_after = PhotoListField(label=_("Photos after"))

    def __init__(self, *args: Any, statuses: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Keep the status")), *statuses]


class _ItemFields(_Prefixed):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX * 2)
    detail = forms.CharField(
        label=_("Detail"), required=False, max_length=TEXT_MAX * 2, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible_organization = forms.ModelChoiceField(
        label=_("Responsible organization"), queryset=Organization.objects.none(), required=False
    )
    responsible_user = PersonChoiceField(label=_("Responsible person"), queryset=User.objects.none(), required=False)
    due_on = forms.CharField(label=_("Due date"), widget=DateInput(), max_length=20)
    budget = forms.CharField(
        label=_("Budget estimate (¥)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}),
    )
    weight = forms.CharField(
        label=_("Weight (for the parent's progress)"), initial="1", max_length=10, widget=_number_input("1")
    )
    is_public = forms.BooleanField(
        label=_("On the compound's public list"),
        required=False,
        initial=True,
        help_text=_("Residents of the compound follow the items on its public list."),
    )

    def __init__(self, *args: Any, organizations: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = self.fields["responsible_organization"]
        people = self.fields["responsible_user"]
        assert isinstance(orgs, forms.ModelChoiceField)
        assert isinstance(people, forms.ModelChoiceField)
        orgs.queryset = organizations
        people.queryset = users


class ActionEditForm(_ItemFields):
    id_prefix = "e"


class ActionNewForm(_ItemFields):
    id_prefix = "n"

    compound = forms.ModelChoiceField(
        label=_("Compound"), queryset=Compound.objects.none(), empty_label=None, to_field_name="code"
    )
    voices = forms.CharField(
        label=_("Voices it answers (numbers, optional)"),
        required=False,
        max_length=2000,
        help_text=_("The numbers of residents' voices, separated by commas: their authors are told when it is done."),
    )
    field_order = ["compound", "title", "detail", "responsible_organization", "responsible_user", "due_on", "budget"]

    def __init__(self, *args: Any, compounds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        compound = self.fields["compound"]
        assert isinstance(compound, forms.ModelChoiceField)
        compound.queryset = compounds
        del self.fields["weight"]


class SubItemForm(_Prefixed):
    id_prefix = "s"

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX * 2)
    due_on = forms.CharField(label=_("Due date"), widget=DateInput(), max_length=20)
    weight = forms.CharField(label=_("Weight"), initial="1", max_length=10, widget=_number_input("1"))
    responsible_organization = forms.ModelChoiceField(
        label=_("Responsible organization (the item's when empty)"),
        queryset=Organization.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = self.fields["responsible_organization"]
        assert isinstance(orgs, forms.ModelChoiceField)
        orgs.queryset = organizations


class VoicesForm(_Prefixed):
    id_prefix = "v"

    voices = forms.CharField(
        label=_("Voice numbers"),
        max_length=2000,
        help_text=_("Separated by commas, e.g. 12, 15. Only voices of this compound."),
    )

    def clean_voices(self) -> list[str]:
        text = str(self.cleaned_data["voices"]).replace("，", ",").replace("#", "")
        parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
        if not parts or not all(p.isdigit() and len(p) < 12 for p in parts):
            raise forms.ValidationError(_("Enter voice numbers separated by commas."))
        return parts


class RateForm(_Prefixed):
    id_prefix = "r"

    score = forms.ChoiceField(label=_("Your rating"), choices=Score.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("The edited spreadsheet (.xlsx)"),
        help_text=_("Exported from this page and edited: at most 5 MB and 5000 rows."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > BULK_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": BULK_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class BulkConfirmForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
