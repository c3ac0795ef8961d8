"""Spreadsheet ledgers (台账): import with preview-then-confirm, export, templates (LEDGERS.md).

Each ledger is a ``LedgerSpec`` in ``SPECS``. The house ledger lives here; ledgers of other apps register
themselves from their ``AppConfig.ready`` with ``spec_register`` (the work-order ledger of
``gongzhi.voices``), so this package never imports those apps and they may import it freely. Fees become
another spec (columns, row parsing, plan/apply, export) and reuse everything else here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from .errors import LedgerFileError
from .houses import HOUSES
from .spec import LedgerSpec

SPECS: dict[str, LedgerSpec[Any]] = {HOUSES.name: HOUSES}


def spec_register(spec: LedgerSpec[Any]) -> None:
    """Make a ledger available to the upload page, the commands and the tasks (idempotent)."""
    SPECS[spec.name] = spec


def spec_get(name: str) -> LedgerSpec[Any]:
    try:
        return SPECS[name]
    except KeyError:
        raise LedgerFileError(gettext_noop("Unknown ledger %(name)s."), name=name) from None
