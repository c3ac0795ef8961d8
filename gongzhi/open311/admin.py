"""Admin fallback for superusers: keys and submissions are read-only here (create and revoke keys on the
Open311 keys page or with ``manage.py open311_key``, which show the key once and audit the change)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.core.admin_audit import AuditedAdmin

from .models import Open311Key, Open311Submission


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Open311Key)
class Open311KeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "compound", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "compound__code")
    exclude = ("key_hash",)


@admin.register(Open311Submission)
class Open311SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("voice", "key", "created_at")
    raw_id_fields = ("voice", "key", "community")
