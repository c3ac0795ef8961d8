"""A fingerprint of the database for "refused means nothing changed" (the estate and accounts tables, the audit
trail of changes, and every finance table)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from gongzhi.api.tests.helpers import db_state
from gongzhi.finance import models as fm

FINANCE_TABLES: list[type[models.Model]] = [
    fm.FeeStandard,
    fm.ServiceCommitment,
    fm.Bill,
    fm.Reduction,
    fm.Payment,
    fm.ReceiptCounter,
    fm.Refund,
    fm.Statement,
    fm.StatementLine,
    fm.StatementVoucher,
]


def finance_state() -> dict[str, Any]:
    state = db_state()
    for model in FINANCE_TABLES:
        state[model._meta.label] = sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model._default_manager.values()
        )
    return state
