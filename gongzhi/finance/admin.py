"""A read-only fallback for superusers: every change to fees and accounts goes through the services (audited,
with their checks), so the admin only shows."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.core.admin_audit import ReadOnlyAdmin

from . import models


@admin.register(models.Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ("period", "house", "compound", "amount_due", "reduction", "paid", "status")
    list_filter = ("status", "period")
    raw_id_fields = ("house", "compound", "standard")


@admin.register(models.Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("receipt_no", "compound", "amount", "channel", "paid_on")
    list_filter = ("channel",)
    search_fields = ("receipt_no",)
    raw_id_fields = ("bill", "house", "compound")


@admin.register(models.Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("period", "version", "compound", "status", "published_at")
    list_filter = ("status",)


for model in (
    models.FeeStandard,
    models.ServiceCommitment,
    models.Reduction,
    models.Refund,
    models.StatementLine,
    models.StatementVoucher,
    models.ReceiptCounter,
):
    admin.site.register(model, ReadOnlyAdmin)
