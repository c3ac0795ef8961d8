"""Forms of the voice pages: they parse and check input; the rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organization, User
from gongzhi.accounts.roles import OrgKind
from gongzhi.estates.models import Area, Building, Compound, House

from .models import Category, Kind, LocationKind, Score, Status, VoicePhoto
from .photos import max_bytes
from .services.residents import COMMENT_MAX
from .services.submit import praise_people

# Organizations a voice may be sent to.
DISPATCH_KINDS = (OrgKind.PROPERTY, OrgKind.COMMUNITY, OrgKind.DEPARTMENT, OrgKind.POLICE, OrgKind.SUB_DISTRICT)


class _IdForm(forms.Form):
    """Several forms share the voice page: each gets its own element ids (names stay plain)."""

    id_prefix = "f"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def _text_field(label: Any, *, required: bool = True, rows: int = 4) -> forms.CharField:
    """Free text. Length is checked by the service (clear message with the count), not cut off by the browser."""
    return forms.CharField(
        label=label,
        required=required,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("Enter the text.")},
    )


class MultiplePhotoInput(forms.FileInput):
    """A file input that takes several photos (``multiple``); phones offer the camera and the album."""

    allow_multiple_selected = True


def _photos_help_text() -> str:
    return gettext(
        "Up to %(n)d photos, each at most %(mb)d MB. Locations and other details in the photos are removed."
    ) % {"n": VoicePhoto.MAX_PER_VOICE, "mb": max_bytes() // (1024 * 1024)}


_photos_help = lazy(_photos_help_text, str)  # in the language of the request, not of the import


class PhotosField(forms.FileField):
    """Up to ``VoicePhoto.MAX_PER_VOICE`` photos as a list of uploads. The form only collects them: what a file
    is, its size and the count are checked by ``gongzhi.voices.photos`` (clear messages, nothing saved)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(attrs={"accept": "image/*", "data-max-files": str(VoicePhoto.MAX_PER_VOICE)}),
        )
        kwargs.setdefault("help_text", _photos_help())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


class PersonChoiceField(forms.ModelChoiceField[User]):
    """People by name only (never a phone number)."""

    def label_from_instance(self, obj: User) -> str:
        return obj.name


def _praised_user_field() -> PersonChoiceField:
    return PersonChoiceField(
        label=_("A person (optional)"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody in particular"),
        error_messages={"invalid_choice": _("Choose a person of that organization.")},
    )


class PraisedPersonForm(forms.Form):
    """The praised person's picker alone, for the organization chosen (swapped in by htmx)."""

    praised_user = _praised_user_field()

    def __init__(self, *args: Any, organization: Organization | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["praised_user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = praise_people(organization)


class VoiceForm(forms.Form):
    """Raise a voice. ``compounds``: the resident's compounds; houses and buildings of those; the
    organizations they may praise (``praise_organizations``), and the people of the chosen one."""

    compound = forms.ModelChoiceField(label=_("Compound"), queryset=Compound.objects.none(), empty_label=None)
    kind = forms.ChoiceField(
        label=_("What kind of voice is it?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what kind of voice this is."),
            "invalid_choice": _("Choose what kind of voice this is."),
        },
    )
    text = _text_field(_("What is it about?"), rows=5)
    photos = PhotosField(label=_("Photos (optional)"))
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Let the platform suggest one"),
    )
    location_kind = forms.ChoiceField(
        label=_("Where?"),
        choices=LocationKind.choices,
        widget=forms.RadioSelect,
        initial=LocationKind.PUBLIC_AREA,
        error_messages={
            "required": _("Say where: your house, a building or a public area."),
            "invalid_choice": _("Say where: your house, a building or a public area."),
        },
    )
    house = forms.ModelChoiceField(
        label=_("My house"),
        queryset=House.objects.none(),
        required=False,
        empty_label=_("Choose your house"),
        help_text=_("Only when it is about your house."),
    )
    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("Choose the building"),
        help_text=_("Only when it is about a building."),
    )
    praised_organization = forms.ModelChoiceField(
        label=_("Whom do you praise?"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("Choose the organization"),
        help_text=_("Only for praise."),
    )
    praised_user = _praised_user_field()
    is_public = forms.BooleanField(
        label=_("Public: neighbours may see it"),
        help_text=_("Shown on the compound's public wall and in its open data (Open311), never with your name."),
        required=False,
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(
        self,
        *args: Any,
        compounds: Any,
        houses: Any,
        buildings: Any,
        praise_organizations: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._set_queryset("compound", compounds)
        self._set_queryset("category", Category.objects.filter(is_active=True))
        self._set_queryset("house", houses)
        self._set_queryset("building", buildings)
        organizations = praise_organizations if praise_organizations is not None else Organization.objects.none()
        self._set_queryset("praised_organization", organizations)
        # The people offered are those of the organization chosen (names only); htmx swaps them on a change.
        self._set_queryset("praised_user", praise_people(self._chosen_organization(organizations)))
        self.fields["house"].label_from_instance = (  # type: ignore[attr-defined]
            lambda h: f"{h.compound.name} {h.building.name}{h.unit.name}{h.room}"
        )
        self.fields["building"].label_from_instance = (  # type: ignore[attr-defined]
            lambda b: f"{b.compound.name} {b.name}"
        )
        self.fields["praised_organization"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("voices:praise_people"),
                "hx-trigger": "change",
                "hx-target": "#praise-person",
                "hx-swap": "outerHTML",
            }
        )
        text = self.fields["text"]
        text.widget.attrs.update(
            {
                "hx-post": reverse_lazy("voices:compose_hints"),
                "hx-trigger": "input changed delay:500ms",
                "hx-include": "[name=compound]",
                "hx-target": "#compose-hints",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "autocomplete": "off",
            }
        )

    def _chosen_organization(self, organizations: Any) -> Organization | None:
        raw = (self.data.get("praised_organization") if self.is_bound else None) or self.initial.get(
            "praised_organization"
        )
        if isinstance(raw, Organization):
            return raw
        if not raw or not str(raw).isdigit():
            return None
        found: Organization | None = organizations.filter(pk=int(raw)).first()
        return found

    def _set_queryset(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search the text"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    org = forms.ChoiceField(label=_("Organization"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("status", [("", _("All open")), *Status.choices])
        self._choices("kind", [("", _("All kinds")), *Kind.choices])
        self._choices("org", [("", _("Everything I can see")), *[(str(o.pk), o.name) for o in organizations]])

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def valid_data(self) -> dict[str, Any]:
        self.is_valid()
        return getattr(self, "cleaned_data", {})


class WithdrawForm(_IdForm):
    id_prefix = "withdraw"

    reason = _text_field(_("Why (optional)"), required=False, rows=2)


class RateForm(_IdForm):
    id_prefix = "rate"

    score = forms.ChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=Score.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose satisfied, basically satisfied or dissatisfied."),
            "invalid_choice": _("Choose satisfied, basically satisfied or dissatisfied."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=COMMENT_MAX,
    )


class ReopenForm(_IdForm):
    id_prefix = "reopen"

    reason = _text_field(_("What is still wrong?"), required=False, rows=2)


class AcceptForm(_IdForm):
    id_prefix = "accept"

    note = _text_field(_("Note (optional)"), required=False, rows=2)


class RejectForm(_IdForm):
    id_prefix = "reject"

    reason = _text_field(_("Reason (the resident sees it)"), rows=2)


class ResolveForm(_IdForm):
    id_prefix = "resolve"

    reply = _text_field(_("Reply to the resident"), rows=4)
    photos = PhotosField(label=_("Photos of the result (optional)"))


class NoteForm(_IdForm):
    id_prefix = "note"

    text = _text_field(_("Internal note (staff only)"), rows=2)


class DispatchForm(_IdForm):
    id_prefix = "dispatch"

    organization = forms.ModelChoiceField(
        label=_("Send to"),
        queryset=Organization.objects.none(),
        empty_label=_("Choose an organization"),
        error_messages={
            "required": _("Choose the organization to send it to."),
            "invalid_choice": _("Choose the organization to send it to."),
        },
    )
    note = _text_field(_("Note (optional)"), required=False, rows=2)

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = dispatch_targets(compound)


def dispatch_targets(compound: Compound) -> Any:
    """The property company, and the community, sub-district and district bodies above the compound."""
    area_ids: list[int] = []
    area: Area | None = compound.community
    while area is not None and len(area_ids) < 6:
        area_ids.append(area.pk)
        area = area.parent
    q = Q(area_id__in=area_ids, kind__in=DISPATCH_KINDS)
    if compound.property_company_id:
        q |= Q(pk=compound.property_company_id)
    return Organization.objects.filter(q).order_by("kind", "name")
