"""Checked rows kept between preview and confirm, so confirming applies exactly what was previewed.

The worker that checks a file stores its clean rows next to the upload (gzip JSON lines, in the same
storage); applying reads them back instead of parsing the spreadsheet again, which is most of the time an
import takes. The file is deleted once the import is applied or cancelled.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
from typing import Any

from django.core.files import File

from gongzhi.estates.models import LedgerImport

from .spec import LedgerSpec

VERSION = 1


def checked_save(ledger_import: LedgerImport, spec: LedgerSpec[Any], rows: list[Any], present: frozenset[str]) -> str:
    """Store the rows; returns the stored file's name (kept in the import's report)."""
    storage = ledger_import.file.storage
    with tempfile.TemporaryFile() as tmp:
        with (
            gzip.GzipFile(fileobj=tmp, mode="wb", compresslevel=1) as gz,
            io.TextIOWrapper(gz, encoding="utf-8") as text,
        ):
            header = {"version": VERSION, "ledger": spec.name, "present": sorted(present), "rows": len(rows)}
            text.write(json.dumps(header) + "\n")
            for row in rows:
                text.write(json.dumps(spec.dump_row(row), ensure_ascii=False, separators=(",", ":")) + "\n")
        tmp.seek(0)
        return storage.save(f"{ledger_import.file.name}.checked.jsonl.gz", File(tmp))


def checked_load(ledger_import: LedgerImport, spec: LedgerSpec[Any]) -> tuple[list[Any], frozenset[str]] | None:
    """The stored rows and the columns the file had; None when there are none (or they are not ours)."""
    name = (ledger_import.report or {}).get("checked_file")
    storage = ledger_import.file.storage
    if not name or not storage.exists(name):
        return None
    with storage.open(name, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as gz:
        text = io.TextIOWrapper(gz, encoding="utf-8")
        header = json.loads(text.readline())
        if header.get("version") != VERSION or header.get("ledger") != spec.name:
            return None
        rows = [spec.load_row(json.loads(line)) for line in text]
    if len(rows) != header.get("rows"):
        return None
    return rows, frozenset(header["present"])


def checked_delete(ledger_import: LedgerImport) -> None:
    """Once an import is applied or cancelled, neither its checked rows nor the upload (personal data) are kept."""
    name = (ledger_import.report or {}).get("checked_file")
    if name:
        ledger_import.file.storage.delete(name)
    if ledger_import.file and ledger_import.file.name:
        ledger_import.file.storage.delete(ledger_import.file.name)
