from typing import Any

from django.contrib import admin

from gongzhi.core.admin_audit import ReadOnlyAdmin

from .models import (
    Category,
    DeadlinePolicy,
    MeToo,
    PeriodicJob,
    RoutingRule,
    Voice,
    VoiceAssignment,
    VoiceEvent,
    VoiceIntake,
    VoicePhoto,
    VoiceRating,
    VoiceReply,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("name", "keywords")


class VoiceEventInline(admin.TabularInline[VoiceEvent, Voice]):
    model = VoiceEvent
    extra = 0
    can_delete = False
    fields = ("at", "verb", "status", "actor", "organization", "public", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class VoiceAssignmentInline(admin.TabularInline[VoiceAssignment, Voice]):
    model = VoiceAssignment
    extra = 0
    raw_id_fields = ("organization", "assigned_by")
    readonly_fields = ("assigned_at",)


@admin.register(Voice)
class VoiceAdmin(admin.ModelAdmin[Voice]):
    list_display = ("id", "compound", "kind", "category", "status", "submitted_at", "response_due_at", "me_too_count")
    list_filter = ("status", "kind", "category")
    search_fields = ("text",)
    date_hierarchy = "submitted_at"
    raw_id_fields = (
        "community",
        "compound",
        "author",
        "house",
        "building",
        "merged_into",
        "lead_organization",
        "suggested_organization",
        "praised_organization",
    )
    readonly_fields = ("status", "submitted_at", "accepted_at", "resolved_at", "closed_at", "me_too_count")
    inlines = [VoiceAssignmentInline, VoiceEventInline]


@admin.register(VoiceEvent)
class VoiceEventAdmin(admin.ModelAdmin[VoiceEvent]):
    list_display = ("at", "voice", "verb", "status", "actor", "public")
    list_filter = ("verb", "public")
    raw_id_fields = ("community", "voice", "actor", "organization")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VoiceAssignment)
class VoiceAssignmentAdmin(admin.ModelAdmin[VoiceAssignment]):
    list_display = ("voice", "organization", "is_lead", "is_active", "assigned_at")
    list_filter = ("is_lead", "is_active")
    raw_id_fields = ("community", "voice", "organization", "assigned_by")


@admin.register(VoiceReply)
class VoiceReplyAdmin(admin.ModelAdmin[VoiceReply]):
    list_display = ("voice", "author", "organization", "is_internal", "created_at")
    list_filter = ("is_internal",)
    search_fields = ("text",)
    raw_id_fields = ("community", "voice", "author", "organization")


@admin.register(VoicePhoto)
class VoicePhotoAdmin(admin.ModelAdmin[VoicePhoto]):
    """Read-only: photos are added through the voice's pages, which check and re-encode them."""

    list_display = ("voice", "stage", "width", "height", "size", "created_at")
    list_filter = ("stage",)
    raw_id_fields = ("community", "voice", "uploaded_by")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(VoiceRating)
class VoiceRatingAdmin(admin.ModelAdmin[VoiceRating]):
    list_display = ("voice", "score", "at")
    list_filter = ("score",)
    raw_id_fields = ("community", "voice", "rater")


@admin.register(MeToo)
class MeTooAdmin(admin.ModelAdmin[MeToo]):
    list_display = ("voice", "user", "at")
    raw_id_fields = ("community", "voice", "user")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = ("community", "category", "organization")
    list_filter = ("category",)
    raw_id_fields = ("community", "organization")


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin[DeadlinePolicy]):
    list_display = ("community", "kind", "category", "response_hours", "resolution_hours")
    list_filter = ("kind", "category")
    raw_id_fields = ("community",)


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin[PeriodicJob]):
    list_display = ("name", "last_run_at", "next_run_at")


@admin.register(VoiceIntake)
class VoiceIntakeAdmin(ReadOnlyAdmin):
    """Queued submissions: read-only, the drainer alone moves them on."""

    list_display = ("id", "user", "status", "created_at", "voice")
    list_filter = ("status",)
    raw_id_fields = ("user", "voice")
