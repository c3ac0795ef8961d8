from django.urls import path

from .views import arrears, billing, bills, figures, owner, receipts, standards, statements

app_name = "finance"

urlpatterns = [
    path("", figures.fees_index, name="index"),
    # Fee standards and service commitments (承诺提质)
    path("c/<slug:code>/standards/", standards.standards_page, name="standards"),
    path("c/<slug:code>/standards/new/", standards.standard_new, name="standard_new"),
    path("c/<slug:code>/commitments/new/", standards.commitment_new, name="commitment_new"),
    path("c/<slug:code>/commitments/<int:pk>/retire/", standards.commitment_retire, name="commitment_retire"),
    # Bill generation: preview → confirm → progress (background worker)
    path("c/<slug:code>/billing/", billing.billing_page, name="billing"),
    path("c/<slug:code>/billing/confirm/", billing.billing_confirm, name="billing_confirm"),
    path("c/<slug:code>/billing/runs/<slug:run>/", billing.billing_run, name="billing_run"),
    path("c/<slug:code>/billing/runs/<slug:run>/progress/", billing.billing_progress, name="billing_progress"),
    # Bills, reductions, payments, refunds
    path("c/<slug:code>/bills/", bills.bill_list, name="bill_list"),
    path("bills/<int:pk>/", bills.bill_detail, name="bill_detail"),
    path("bills/<int:pk>/pay/", bills.bill_pay, name="bill_pay"),
    path("bills/<int:pk>/reduce/", bills.bill_reduce, name="bill_reduce"),
    path("payments/<int:pk>/refund/", bills.refund_new, name="refund_new"),
    path("refunds/<int:pk>/decide/", bills.refund_decide, name="refund_decide"),
    path("refunds/<int:pk>/pay/", bills.refund_pay, name="refund_pay"),
    path("payments/<int:pk>/receipt.pdf", receipts.receipt_pdf, name="receipt_pdf"),
    # Arrears and the dunning list (催缴)
    path("c/<slug:code>/arrears/", arrears.arrears_page, name="arrears"),
    path("c/<slug:code>/arrears.xlsx", arrears.arrears_export, name="arrears_export"),
    path("c/<slug:code>/arrears/remind/", arrears.arrears_remind, name="arrears_remind"),
    # Collection figures (KPIS.md)
    path("figures/", figures.figures_page, name="figures"),
    path("figures/c/<slug:code>/", figures.figures_compound, name="figures_compound"),
    # Published statements (收支公示): drafts, lines, vouchers, publish, corrections; residents' questions
    path("c/<slug:code>/statements/", statements.statement_list, name="statements"),
    path("c/<slug:code>/statements/new/", statements.statement_new, name="statement_new"),
    path("statements/<int:pk>/", statements.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/lines/new/", statements.statement_line_new, name="statement_line_new"),
    path("statements/<int:pk>/vouchers/new/", statements.statement_voucher_new, name="statement_voucher_new"),
    path("statements/<int:pk>/vouchers/<int:voucher_id>/", statements.statement_voucher, name="statement_voucher"),
    path("statements/<int:pk>/publish/", statements.statement_publish, name="statement_publish"),
    path("statements/<int:pk>/discard/", statements.statement_discard, name="statement_discard"),
    path("statements/<int:pk>/correct/", statements.statement_correct, name="statement_correct"),
    path("statements/lines/<int:pk>/edit/", statements.statement_line_edit, name="statement_line_edit"),
    path("statements/lines/<int:pk>/remove/", statements.statement_line_remove, name="statement_line_remove"),
    path("statements/lines/<int:pk>/ask/", statements.statement_line_ask, name="statement_line_ask"),
    # Owners (业主): my bills, payments and receipts, the fee standard and the published statements
    path("mine/", owner.my_fees, name="my_fees"),
    path("mine/bills/<int:pk>/", owner.my_bill, name="my_bill"),
    path("mine/payments/", owner.my_payments, name="my_payments"),
]
