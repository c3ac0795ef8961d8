"""A read-only fallback for superusers: notices and lobby screens change only through the services (audited,
with their checks), so the admin only shows. The screen's token is never stored, so it is not shown here."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.core.admin_audit import ReadOnlyAdmin

from . import models


@admin.register(models.Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "compound", "organization", "status", "is_pinned", "published_from")
    list_filter = ("status", "kind", "is_pinned", "staff_only")
    search_fields = ("title",)
    raw_id_fields = ("compound", "organization", "author")


@admin.register(models.LobbyScreen)
class LobbyScreenAdmin(ReadOnlyAdmin):
    list_display = ("location", "compound", "created_at", "expires_at", "revoked_at", "last_seen_at")
    exclude = ("nonce", "token_hash")
    raw_id_fields = ("compound", "building", "created_by")


@admin.register(models.NoticeBuilding)
class NoticeBuildingAdmin(ReadOnlyAdmin):
    list_display = ("notice", "building")
    raw_id_fields = ("notice", "building")


@admin.register(models.NoticeImage)
class NoticeImageAdmin(ReadOnlyAdmin):
    list_display = ("notice", "position", "width", "height", "size", "created_at")
    raw_id_fields = ("notice",)


@admin.register(models.ReadReceipt)
class ReadReceiptAdmin(ReadOnlyAdmin):
    list_display = ("notice", "user", "read_at")
    raw_id_fields = ("notice", "user")
