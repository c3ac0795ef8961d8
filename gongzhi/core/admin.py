from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "verb", "object_type", "object_id", "actor", "community")
    list_filter = ("verb", "object_type")
    search_fields = ("object_id", "verb")
    readonly_fields = ("at", "verb", "object_type", "object_id", "actor", "community", "before", "after")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
