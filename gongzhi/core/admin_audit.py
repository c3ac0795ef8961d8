"""Admin writes are changes like any other: audited (DESIGN rule 4)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .audit import audit_record


class AuditedAdmin(admin.ModelAdmin):
    """Records every add, change and delete made through the admin, with the changed field names."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            verb="admin.change" if change else "admin.add",
            obj=obj,
            community_id=getattr(obj, "community_id", None),
            after={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        audit_record(actor=request.user, verb="admin.delete", obj=obj, community_id=getattr(obj, "community_id", None))
        super().delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A read-only fallback for superusers, for models that change only through their services (audited, with
    their checks)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def read_only_register(*models_: type[models.Model]) -> None:
    """Register each model with a plain read-only admin (an app whose models need no list columns of their own)."""
    for model in models_:
        if not admin.site.is_registered(model):
            admin.site.register(model, ReadOnlyAdmin)
