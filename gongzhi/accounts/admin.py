from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from gongzhi.core import crypto
from gongzhi.core.admin_audit import AuditedAdmin

from .models import Invitation, Membership, Organization, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fk_name = "user"


class UserAdminForm(forms.ModelForm):
    """Phone edited as the number; its keyed hash (the log-in key) follows. A new password is optional."""

    new_password = forms.CharField(label="password", required=False, widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ("name", "phone", "is_active", "is_staff", "is_superuser", "locked_until")

    def clean_phone(self) -> str:
        phone = crypto.normalize_phone(self.cleaned_data["phone"])
        if not crypto.is_mobile(phone):
            raise forms.ValidationError("11-digit mobile number")
        clash = User.objects.filter(phone_hash=crypto.phone_hash(phone)).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("already registered")
        return phone


@admin.register(User)
class UserAdmin(AuditedAdmin):
    form = UserAdminForm
    list_display = ("name", "is_active", "is_staff", "is_superuser", "locked_until", "date_joined")
    search_fields = ("name",)
    inlines = [MembershipInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.phone_hash = crypto.phone_hash(obj.phone)
        if form.cleaned_data.get("new_password"):
            obj.set_password(form.cleaned_data["new_password"])
        elif not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "area", "compound")
    list_filter = ("kind",)
    list_select_related = ("area", "compound")
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "organization", "role", "is_admin")
    list_filter = ("role",)
    list_select_related = ("user", "organization")


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    list_display = ("organization", "role", "expires_at", "used_at", "revoked_at")
    exclude = ("token_hash",)
