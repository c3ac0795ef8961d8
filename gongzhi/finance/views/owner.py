"""Owners' fee pages (phone first): my bills per house, my payments and their receipts (the PDF of
``finance:receipt_pdf``), the fee standard with the service commitments beside the price, and the compound's
published statements.

Only residents with an approved binding see anything here, and only their own houses: another household's bill
is refused (403, audited), a bill that does not exist is 404.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from gongzhi.estates.views.pages import domain_errors

from ..resident_selectors import bill_payments, bill_refunds, owner_bill, owner_fees, owner_payments

PAYMENTS_PER_PAGE = 30


@login_required
@require_GET
@domain_errors
def my_fees(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {"groups": owner_fees(user=request.user, today=today), "today": today}
    return render(request, "finance/owner_fees.html", context)


@login_required
@require_GET
@domain_errors
def my_bill(request: HttpRequest, pk: int) -> HttpResponse:
    bill = owner_bill(user=request.user, pk=pk)
    context = {
        "bill": bill,
        "period_last": bill.period_end - datetime.timedelta(days=1),
        "payments": bill_payments(bill),
        "refunds": bill_refunds(bill),
        "overdue": bill.period_end <= timezone.localdate() and bill.outstanding > 0,
    }
    return render(request, "finance/owner_bill.html", context)


@login_required
@require_GET
@domain_errors
def my_payments(request: HttpRequest) -> HttpResponse:
    page = Paginator(owner_payments(user=request.user), PAYMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "finance/owner_payments.html", {"page": page})
