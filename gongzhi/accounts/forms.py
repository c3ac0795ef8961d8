"""Forms for log-in, registration and invitations; messages in the user's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organization
from .roles import ROLES_BY_KIND, Role


class LoginForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "username", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "username", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class InvitationForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=(),
        error_messages={"invalid_choice": _("This role does not exist in this kind of organization.")},
    )
    is_admin = forms.BooleanField(label=_("May invite members too"), required=False)
    note = forms.CharField(label=_("For whom (a note for you)"), max_length=100, required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ROLES_BY_KIND.get(organization.kind, frozenset())
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(r.value, r.label) for r in Role if r.value in allowed]


class AccountForm(forms.Form):
    """The user's own name and e-mail address; the service checks them again and writes."""

    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        error_messages={
            "required": _("Enter your name."),
            "max_length": _("A name has at most 50 characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        help_text=_("Optional. Notifications are also sent here; leave empty to get them only on the platform."),
        error_messages={
            "invalid": _("Enter a valid e-mail address, such as name@example.com."),
            "max_length": _("An e-mail address has at most %(limit_value)d characters."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
