"""What a ledger is: its columns (Chinese headers with English aliases) and what it does with its rows.

A ledger (houses now; work orders and fees later) is a ``LedgerSpec`` subclass registered in
``ledger.SPECS``: it parses one row, names its natural key, plans and applies rows to a compound, and
lists a compound's rows for export. Reading files, matching headers, reporting errors, previews, locks,
progress, templates and the web and command-line front ends are shared by every ledger.
"""

from __future__ import annotations

import datetime
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.utils.translation import gettext_noop

from gongzhi.accounts.roles import ESTATE_EDITORS
from gongzhi.estates.models import Compound
from gongzhi.estates.scope import roles_in_compound

from .errors import ErrorList, RowError

RowT = TypeVar("RowT")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowContext:
    """Facts fixed for one reading of a file (so that every row is judged against the same day and time)."""

    today: datetime.date
    now: datetime.datetime  # aware; a time after it is in the future


# "期数 [phase]", "期数(phase)", "*房号" and " Phase " all name the same column.
_BRACKETED = re.compile(r"^(.*?)[\[(（【](.*?)[\])）】]$")


@dataclass(frozen=True)
class Column:
    key: str  # the English alias, also the field name
    header: str  # the Chinese header, as written in templates and exports
    required: bool = False  # the file must have this column
    help: str = ""  # msgid: what goes in the column (the template's second sheet)
    example: Any = ""
    max_chars: int = 0  # the longest cell accepted; 0: ``LEDGER_MAX_CELL_CHARS``


@dataclass
class HeaderMap:
    row: int  # the header's row number
    columns: dict[str, int]  # column key → column number
    unknown: list[str]  # headers that name no column, as written

    @property
    def present(self) -> frozenset[str]:
        return frozenset(self.columns)


@dataclass
class Plan:
    """What applying the rows does (or did) to the compound."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)  # the first changes, for the preview

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def normalize_header(value: Any) -> str:
    text = re.sub(r"\s+", "", str(value)).strip("*＊").casefold()
    return text


def header_names(value: Any) -> list[str]:
    """The names one header cell offers: "期数 [phase]" offers both 期数 and phase."""
    text = normalize_header(value)
    m = _BRACKETED.match(text)
    return [n for n in ((m[1], m[2]) if m else (text,)) if n]


class LedgerSpec(ABC, Generic[RowT]):
    name: str  # "houses": the command-line and URL name
    title: str  # msgid, e.g. "House ledger"
    sheet_title: str  # the sheet's name in templates and exports, e.g. 房屋台账
    columns: tuple[Column, ...]
    duplicate_msgid: str = gettext_noop("This row repeats row %(first)s.")
    # The export holds full mobile numbers, so only editors who also call households may export it.
    export_has_phones: bool = True
    # Who imports and exports this ledger (besides superusers): the roles over the compound. By default the
    # editors of the estate (``estates.edit_ledger``); the fee ledger is kept by the fee keepers.
    editor_roles: frozenset[str] = ESTATE_EDITORS

    def may_edit(self, actor: Any, compound: Compound) -> bool:
        """The actor may import and export this ledger of the compound."""
        if not getattr(actor, "is_authenticated", False):
            return False
        return bool(actor.is_superuser or roles_in_compound(actor, compound) & self.editor_roles)

    def lookup(self) -> dict[str, Column]:
        names: dict[str, Column] = {}
        for col in self.columns:
            names[normalize_header(col.header)] = col
            names[normalize_header(col.key)] = col
        return names

    def match_headers(self, row_number: int, cells: dict[int, Any], errors: ErrorList) -> HeaderMap:
        """Map the header row's cells to columns; report duplicates and missing required columns."""
        lookup = self.lookup()
        found: dict[str, int] = {}
        unknown: list[str] = []
        for number, value in sorted(cells.items()):
            col = next((lookup[n] for n in header_names(value) if n in lookup), None)
            if col is None:
                unknown.append(str(value).strip()[:50])
            elif col.key in found:
                errors.add(
                    row_number, col.header, gettext_noop("The column %(column)s appears twice."), column=col.header
                )
            else:
                found[col.key] = number
        for col in self.columns:
            if col.required and col.key not in found:
                errors.add(
                    row_number,
                    col.header,
                    gettext_noop("The required column %(column)s is missing."),
                    column=col.header,
                )
        return HeaderMap(row=row_number, columns=found, unknown=unknown)

    def header_score(self, cells: dict[int, Any]) -> int:
        lookup = self.lookup()
        return sum(1 for value in cells.values() if any(n in lookup for n in header_names(value)))

    @abstractmethod
    def parse_row(self, number: int, values: dict[str, Any], errors: ErrorList, ctx: RowContext) -> RowT | None:
        """The row's clean values, or None after adding its errors (every problem of the row)."""

    @abstractmethod
    def natural_key(self, values: dict[str, Any]) -> tuple[str, ...] | None:
        """The key of a row's raw values (so duplicates are found even in rows with other errors); rows with
        equal keys are duplicates; None when the row has no (complete) key."""

    @abstractmethod
    def plan(self, *, compound: Compound, rows: list[RowT], present: frozenset[str]) -> Plan:
        """Compare the rows with what is stored: counts, samples and errors that depend on stored data."""

    @abstractmethod
    def apply(
        self, *, actor: Any, compound: Compound, rows: list[RowT], present: frozenset[str], progress: Progress
    ) -> Plan:
        """Write the rows (inside the caller's transaction); raise ``LedgerRejected`` if a row turned bad."""

    @abstractmethod
    def export_rows(self, *, compound: Compound) -> Iterator[list[Any]]:
        """The compound's rows, in column order, so that importing them back changes nothing."""

    @abstractmethod
    def dump_row(self, row: RowT) -> list[Any]:
        """A checked row as JSON-ready values (kept between preview and confirm)."""

    @abstractmethod
    def load_row(self, data: list[Any]) -> RowT: ...

    def example_row(self) -> list[Any]:
        return [col.example for col in self.columns]

    def headers(self) -> list[str]:
        return [col.header for col in self.columns]


def column_headers(columns: Iterable[Column]) -> str:
    return "、".join(col.header for col in columns)
