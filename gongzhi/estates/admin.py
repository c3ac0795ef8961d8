from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.core import crypto
from gongzhi.core.admin_audit import AuditedAdmin

from . import models


@admin.register(models.Area)
class AreaAdmin(AuditedAdmin):
    list_display = ("name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name",)


@admin.register(models.Compound)
class CompoundAdmin(AuditedAdmin):
    list_display = ("code", "name", "community", "property_company", "delivered_on")
    search_fields = ("code", "name")


@admin.register(models.House)
class HouseAdmin(AuditedAdmin):
    list_display = ("__str__", "compound", "floor", "area", "status", "delivered_on", "moved_in_on")
    list_filter = ("status", "compound")
    search_fields = ("room", "owner_name")
    raw_id_fields = ("building", "unit", "phase", "compound")
    list_select_related = ("compound", "building", "unit")
    exclude = ("owner_phone_hash",)
    readonly_fields = ("status",)  # a status change is a HouseEvent: record it on the house page

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.owner_phone_hash = crypto.phone_hash(crypto.normalize_phone(obj.owner_phone))
        super().save_model(request, obj, form, change)


@admin.register(models.Resident)
class ResidentAdmin(AuditedAdmin):
    list_display = ("__str__", "house", "relation", "is_permanent", "moved_in_on", "moved_out_on")
    list_filter = ("relation", "is_permanent")
    raw_id_fields = ("house", "user", "compound")
    exclude = ("phone_hash",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.phone_hash = crypto.phone_hash(crypto.normalize_phone(obj.phone))
        super().save_model(request, obj, form, change)


@admin.register(models.HouseBinding)
class HouseBindingAdmin(AuditedAdmin):
    list_display = ("user", "house", "relation", "status", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("house", "user", "compound", "decided_by")


for model in (models.Phase, models.Building, models.Unit, models.HouseEvent, models.LedgerImport, models.ImportLock):
    admin.site.register(model, AuditedAdmin)
