"""The import report kept in ``LedgerImport.report`` and its view for pages and the command line.

Stored: ``errors`` (row, column, msgid, params), ``error_count``, ``unknown_columns``, ``rows``,
``plan`` (created / updated / unchanged), ``samples`` (the first changes), ``result`` (counts once
applied) and ``checked_file``. Messages are translated when viewed, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gongzhi.estates.models import LedgerImport

from .errors import ErrorList, RowError
from .spec import Plan


def report_build(
    *,
    errors: list[RowError],
    error_count: int,
    unknown_columns: list[str],
    rows: int,
    plan: Plan | None = None,
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "errors": [e.as_json() for e in errors],
        "error_count": error_count,
        "unknown_columns": unknown_columns,
        "rows": rows,
    }
    if plan is not None:
        report["plan"] = plan.counts()
        report["samples"] = plan.samples
    return report


def errors_merge(found: ErrorList, more: list[RowError]) -> tuple[list[RowError], int]:
    found.extend(more)
    items = sorted(found.items, key=lambda e: (e.row or 0, e.column))
    return items, found.count


@dataclass
class ReportView:
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    rows: int = 0
    plan: dict[str, int] = field(default_factory=dict)
    samples: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, int] = field(default_factory=dict)

    @property
    def errors_not_shown(self) -> int:
        return max(self.error_count - len(self.errors), 0)


def report_view(ledger_import: LedgerImport) -> ReportView:
    data = ledger_import.report or {}
    return ReportView(
        errors=[RowError.from_json(e) for e in data.get("errors", [])],
        error_count=int(data.get("error_count", 0)),
        unknown_columns=list(data.get("unknown_columns", [])),
        rows=int(data.get("rows", 0)),
        plan=dict(data.get("plan", {})),
        samples=list(data.get("samples", [])),
        result=dict(data.get("result", {})),
    )
