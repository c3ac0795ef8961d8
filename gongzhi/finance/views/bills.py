"""Bills of a compound (search, filters, pages) and one bill: reductions, payments (partial too), refunds.

Only the compound's fee keepers (finance staff, property manager) open these pages; residents see their own
bills on the owner pages. Every write names its service; a refused input re-shows the bill page with the reason
beside the field and nothing changed. Irreversible steps ask for confirmation first (``data-confirm``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import NotFound

from .. import services, staff_selectors
from ..forms import (
    BillFilterForm,
    PaymentForm,
    ReductionForm,
    RefundDecisionForm,
    RefundPayForm,
    RefundRequestForm,
)
from ..models import Bill, BillStatus, Payment, Refund, RefundStatus
from ..rules import may_approve_fees
from .common import compound_tabs, domain_errors, post_view, run_service

BILLS_PER_PAGE = 50


@login_required
@require_GET
@domain_errors
def bill_list(request: HttpRequest, code: str) -> HttpResponse:
    compound = staff_selectors.keeper_compound(user=request.user, code=code)
    params = request.GET.copy()
    params.pop("page", None)
    form = BillFilterForm(params or None, periods=staff_selectors.bill_periods(compound=compound))
    data = form.valid_data() if form.is_bound else {}
    search = staff_selectors.BillSearch(
        q=data.get("q") or "",
        period=data.get("period") or "",
        status=data.get("status") or "",
        arrears_only=bool(data.get("arrears")),
    )
    bills = staff_selectors.bills_search(user=request.user, compound=compound, search=search)
    page = Paginator(bills, BILLS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "compound": compound,
        **compound_tabs(request.user, compound),
        "form": form,
        "page": page,
        "query": urlencode({k: v for k, v in params.items() if v}),
    }
    return render(request, "finance/bills.html", context)


# --- One bill -------------------------------------------------------------------------------------------------


@dataclass
class PaymentRow:
    payment: Payment
    refunds: list[Refund]
    refundable: Decimal  # what can still be asked back
    form: RefundRequestForm


@dataclass
class RefundRow:
    refund: Refund
    may_decide: bool  # an approver who did not ask for it
    decide_form: RefundDecisionForm
    pay_form: RefundPayForm


def _detail(request: HttpRequest, bill: Bill, **bound: Any) -> HttpResponse:
    """The bill page with the forms the user may use (a bound form, when given, shows its errors)."""
    user = request.user
    history = staff_selectors.bill_history(bill=bill)
    approvers = staff_selectors.fee_approvers(compound=bill.compound)
    open_bill = bill.status in (BillStatus.UNPAID, BillStatus.PARTIAL)
    approves = bool(may_approve_fees(user, bill))
    payment_rows = [
        PaymentRow(
            payment=p,
            refunds=history.refunds_of(p),
            refundable=history.refundable[p.pk],
            form=bound.get(f"refund_form_{p.pk}") or RefundRequestForm(prefix=f"refund-{p.pk}"),
        )
        for p in history.payments
    ]
    refund_rows = [
        RefundRow(
            refund=r,
            may_decide=approves and r.status == RefundStatus.REQUESTED and r.requested_by_id != user.pk,
            decide_form=bound.get(f"decide_form_{r.pk}") or RefundDecisionForm(prefix=f"decide-{r.pk}"),
            pay_form=bound.get(f"pay_form_{r.pk}") or RefundPayForm(prefix=f"pay-{r.pk}"),
        )
        for r in history.refunds
    ]
    initial_approver = user if approvers.filter(pk=getattr(user, "pk", 0) or 0).exists() else None
    has_approvers = approvers.exists()
    shown = {
        *(["payment_form"] if open_bill else []),
        *(["reduction_form"] if open_bill and has_approvers else []),
        *(f"refund_form_{p.payment.pk}" for p in payment_rows if p.refundable > 0),
        *(f"decide_form_{r.refund.pk}" for r in refund_rows if r.may_decide),
        *(f"pay_form_{r.refund.pk}" for r in refund_rows if r.refund.status == RefundStatus.APPROVED),
    }
    for name, form in bound.items():
        if name not in shown:  # refused by a rule the page no longer offers the form for: say why above it
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    context = {
        "bill": bill,
        "compound": bill.compound,
        **compound_tabs(user, bill.compound),
        "house": bill.house,
        "period_last": bill.period_end - datetime.timedelta(days=1),
        "history": history,
        "payment_rows": payment_rows,
        "refund_rows": refund_rows,
        "open_bill": open_bill,
        "payment_form": (bound.get("payment_form") or PaymentForm()) if open_bill else None,
        "reduction_form": (
            bound.get("reduction_form")
            or ReductionForm(approvers=approvers, initial={"approver": initial_approver} if initial_approver else None)
        )
        if open_bill
        else None,
        "has_approvers": has_approvers,
    }
    return render(request, "finance/bill_detail.html", context)


@login_required
@require_GET
@domain_errors
def bill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bill = staff_selectors.bill_for_keeper(user=request.user, pk=pk)
    return _detail(request, bill)


@post_view("payment_record")
def bill_pay(request: HttpRequest, pk: int) -> HttpResponse:
    bill = staff_selectors.bill_for_keeper(user=request.user, pk=pk)
    form = PaymentForm(request.POST)
    ok, payment = run_service(
        form,
        lambda d: services.payment_record(
            actor=request.user,
            bill=bill,
            amount=d["amount"],
            channel=d["channel"],
            paid_on=d["paid_on"],
            receipt_no=d["receipt_no"],
            note=d["note"],
        ),
    )
    if ok:
        messages.success(
            request,
            _("Payment of %(amount)s recorded; receipt %(no)s.")
            % {"amount": f"¥{payment.amount:,.2f}", "no": payment.receipt_no},
        )
        return redirect("finance:bill_detail", pk=bill.pk)
    return _detail(request, bill, payment_form=form)


@post_view("bill_reduce")
def bill_reduce(request: HttpRequest, pk: int) -> HttpResponse:
    bill = staff_selectors.bill_for_keeper(user=request.user, pk=pk)
    form = ReductionForm(request.POST, approvers=staff_selectors.fee_approvers(compound=bill.compound))
    ok, reduction = run_service(
        form,
        lambda d: services.bill_reduce(
            actor=request.user,
            bill=bill,
            amount=d["amount"],
            reason=d["reason"],
            approver=d["approver"],
            approved_on=d["approved_on"],
        ),
    )
    if ok:
        messages.success(request, _("Reduction of %(amount)s recorded.") % {"amount": f"¥{reduction.amount:,.2f}"})
        return redirect("finance:bill_detail", pk=bill.pk)
    return _detail(request, bill, reduction_form=form)


def _payment(request: HttpRequest, pk: int) -> tuple[Payment, Bill]:
    payment = Payment.objects.filter(pk=pk).only("pk", "bill_id").first()
    if payment is None:
        raise NotFound(_("No such payment."))
    return payment, staff_selectors.bill_for_keeper(user=request.user, pk=payment.bill_id)


def _refund(request: HttpRequest, pk: int) -> tuple[Refund, Bill]:
    refund = Refund.objects.filter(pk=pk).first()
    if refund is None:
        raise NotFound(_("No such refund."))
    return refund, staff_selectors.bill_for_keeper(user=request.user, pk=refund.bill_id)


@post_view("refund_request")
def refund_new(request: HttpRequest, pk: int) -> HttpResponse:
    payment, bill = _payment(request, pk)
    form = RefundRequestForm(request.POST, prefix=f"refund-{payment.pk}")
    ok, refund = run_service(
        form,
        lambda d: services.refund_request(actor=request.user, payment=payment, amount=d["amount"], reason=d["reason"]),
    )
    if ok:
        messages.success(
            request,
            _("Refund of %(amount)s requested; it waits for the property manager's approval.")
            % {"amount": f"¥{refund.amount:,.2f}"},
        )
        return redirect("finance:bill_detail", pk=bill.pk)
    return _detail(request, bill, **{f"refund_form_{payment.pk}": form})


@post_view("refund_decide")
def refund_decide(request: HttpRequest, pk: int) -> HttpResponse:
    refund, bill = _refund(request, pk)
    form = RefundDecisionForm(request.POST, prefix=f"decide-{refund.pk}")
    ok, decided = run_service(
        form,
        lambda d: services.refund_decide(
            actor=request.user, refund=refund, approve=d["decision"] == "approve", note=d["note"]
        ),
    )
    if ok:
        if decided.status == RefundStatus.APPROVED:
            messages.success(request, _("Refund approved; it can now be paid out."))
        else:
            messages.success(request, _("Refund refused."))
        return redirect("finance:bill_detail", pk=bill.pk)
    return _detail(request, bill, **{f"decide_form_{refund.pk}": form})


@post_view("refund_pay")
def refund_pay(request: HttpRequest, pk: int) -> HttpResponse:
    refund, bill = _refund(request, pk)
    form = RefundPayForm(request.POST, prefix=f"pay-{refund.pk}")
    ok, _paid = run_service(
        form, lambda d: services.refund_pay(actor=request.user, refund=refund, paid_on=d["paid_on"])
    )
    if ok:
        messages.success(request, _("Refund of %(amount)s paid out.") % {"amount": f"¥{refund.amount:,.2f}"})
        return redirect("finance:bill_detail", pk=bill.pk)
    return _detail(request, bill, **{f"pay_form_{refund.pk}": form})
