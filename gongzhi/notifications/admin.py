from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("created_at", "recipient", "verb", "title", "read_at", "emailed_at")
    list_filter = ("verb",)
    search_fields = ("title", "dedup_key")
    raw_id_fields = ("recipient", "community")
    readonly_fields = ("created_at",)
