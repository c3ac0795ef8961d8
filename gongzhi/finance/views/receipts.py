"""Numbered receipts (收据) as PDF: for the compound's fee keepers and for the household of the house."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from .. import staff_selectors
from ..pdf import receipt_data, receipt_pdf_bytes
from .common import domain_errors


@login_required
@require_GET
@domain_errors
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    payment = staff_selectors.payment_for_receipt(user=request.user, pk=pk)
    data = receipt_data(payment, refunded=staff_selectors.paid_refunds_total(payment=payment))
    response = HttpResponse(receipt_pdf_bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{payment.receipt_no}.pdf") or "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
