"""Errors found in a ledger file: every bad row is reported with its row number, column and reason.

Messages are English msgids with named parameters, translated when shown (the check may run in a worker
whose language is not the reader's), so an error can be stored in ``LedgerImport.report`` and rendered
later in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from gongzhi.core.errors import Conflict, DomainError

# The most errors kept for one file: enough to list every bad row of any realistic ledger, bounded so a
# file of a million bad rows cannot exhaust memory or bloat the stored report.
MAX_ERRORS = 10_000


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: ``row`` is the spreadsheet's row number (None for the whole file)."""

    row: int | None
    column: str
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        text = gettext(self.msgid)
        return text % self.params if self.params else text

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "msgid": self.msgid, "params": self.params}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RowError:
        return cls(
            row=data.get("row"), column=data.get("column", ""), msgid=data["msgid"], params=data.get("params") or {}
        )


class ErrorList:
    """Collects errors up to ``MAX_ERRORS`` and counts the rest."""

    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.count = 0

    def add(self, row: int | None, column: str, msgid: str, /, **params: Any) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(RowError(row, column, msgid, params))

    def extend(self, errors: list[RowError]) -> None:
        for e in errors:
            self.add(e.row, e.column, e.msgid, **e.params)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count


class LedgerFileError(DomainError):
    """The file as a whole cannot be read (wrong type, too big, no header…): nothing is imported."""

    def __init__(self, msgid: str, /, **params: Any) -> None:
        self.error = RowError(None, "", msgid, params)
        super().__init__(self.error.message, code="ledger_file")


class LedgerRejected(DomainError):
    """Some rows are bad: the import changes nothing and lists every bad row."""

    def __init__(self, errors: list[RowError], error_count: int | None = None) -> None:
        self.errors = errors
        self.error_count = error_count if error_count is not None else len(errors)
        super().__init__(gettext("The ledger has errors; nothing was imported."), code="ledger_rows")


class ImportLocked(Conflict):
    """Another import of the same compound is being applied."""
