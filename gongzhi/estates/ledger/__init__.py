"""Spreadsheet ledgers (台账): import with preview-then-confirm, export, templates (LEDGERS.md).

Each ledger is a ``LedgerSpec`` in ``SPECS``; only the house ledger exists so far. Work orders and fees
become new specs (columns, row parsing, plan/apply, export) and reuse everything else here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from .errors import LedgerFileError
from .houses import HOUSES
from .spec import LedgerSpec

SPECS: dict[str, LedgerSpec[Any]] = {HOUSES.name: HOUSES}


def spec_get(name: str) -> LedgerSpec[Any]:
    try:
        return SPECS[name]
    except KeyError:
        raise LedgerFileError(gettext_noop("Unknown ledger %(name)s."), name=name) from None
