"""A read-only fallback for superusers: every change to meetings and action items goes through the services
(audited, with their checks), so the admin only shows."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.core.admin_audit import ReadOnlyAdmin

from . import models


@admin.register(models.Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "compound", "starts_at", "status", "is_private")
    list_filter = ("status", "kind", "is_private")
    search_fields = ("title",)
    raw_id_fields = ("compound", "convener", "created_by")


@admin.register(models.ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "compound", "responsible_organization", "due_on", "status", "progress", "is_public")
    list_filter = ("status", "is_public")
    search_fields = ("title",)
    raw_id_fields = ("compound", "meeting", "parent", "responsible_user", "created_by")


for model in (
    models.MeetingInvitation,
    models.MeetingAttachment,
    models.AgendaItem,
    models.AgendaItemVoice,
    models.Attendance,
    models.Minutes,
    models.MinutesEntry,
    models.Decision,
    models.ActionItemVoice,
    models.ActionUpdate,
    models.ActionPhoto,
    models.ActionRating,
):
    admin.site.register(model, ReadOnlyAdmin)
