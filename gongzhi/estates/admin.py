from django.contrib import admin

from . import models


@admin.register(models.Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name",)


@admin.register(models.Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "community", "property_company", "delivered_on")
    search_fields = ("code", "name")


@admin.register(models.House)
class HouseAdmin(admin.ModelAdmin):
    list_display = ("__str__", "compound", "floor", "area", "status", "delivered_on", "moved_in_on")
    list_filter = ("status", "compound")
    search_fields = ("room", "owner_name")
    raw_id_fields = ("building", "unit", "phase", "compound")
    exclude = ("owner_phone_hash",)


@admin.register(models.Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "house", "relation", "is_permanent", "moved_in_on", "moved_out_on")
    list_filter = ("relation", "is_permanent")
    raw_id_fields = ("house", "user", "compound")
    exclude = ("phone_hash",)


@admin.register(models.HouseBinding)
class HouseBindingAdmin(admin.ModelAdmin):
    list_display = ("user", "house", "relation", "status", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("house", "user", "compound", "decided_by")


for model in (models.Phase, models.Building, models.Unit, models.HouseEvent, models.LedgerImport, models.ImportLock):
    admin.site.register(model)
