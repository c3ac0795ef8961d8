"""Writes for property fees and published accounts: keyword-only, typed, atomic, audited (DESIGN rule 1)."""

from .billing import BillPlan, PlannedBill, bill_cancel, bill_create, bill_plan, bill_reduce, bills_generate
from .payments import payment_record, receipt_number_next, refund_decide, refund_pay, refund_request
from .questions import statement_question_ask
from .standards import commitment_add, commitment_retire, fee_standard_set
from .statements import (
    statement_correct,
    statement_create,
    statement_discard,
    statement_line_add,
    statement_line_remove,
    statement_line_update,
    statement_publish,
    statement_voucher_add,
)

__all__ = [
    "BillPlan",
    "PlannedBill",
    "bill_cancel",
    "bill_create",
    "bill_plan",
    "bill_reduce",
    "bills_generate",
    "commitment_add",
    "commitment_retire",
    "fee_standard_set",
    "payment_record",
    "receipt_number_next",
    "refund_decide",
    "refund_pay",
    "refund_request",
    "statement_correct",
    "statement_create",
    "statement_discard",
    "statement_line_add",
    "statement_line_remove",
    "statement_line_update",
    "statement_publish",
    "statement_question_ask",
    "statement_voucher_add",
]
