"""Progress of a running import, written to ``LedgerImport.rows_done`` for the page's progress bar.

While rows are checked the worker is in autocommit, so a plain UPDATE is seen at once. While they are
applied the worker is inside one long transaction; on PostgreSQL the count is then written through a
second connection so the bar keeps moving. SQLite has a single writer, so there the bar jumps when the
transaction commits.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections

from gongzhi.estates.models import LedgerImport


class ImportProgress:
    def __init__(self, ledger_import: LedgerImport | None) -> None:
        self.pk = ledger_import.pk if ledger_import is not None else None
        self._side: Any = None
        self._table = LedgerImport._meta.db_table

    def total(self, n: int) -> None:
        if self.pk is not None:
            self._write("rows_total", n)

    def __call__(self, done: int) -> None:
        if self.pk is not None:
            self._write("rows_done", done)

    def _write(self, column: str, value: int) -> None:
        assert self.pk is not None
        if not connection.in_atomic_block:
            LedgerImport.objects.filter(pk=self.pk).update(**{column: value})
            return
        if connection.vendor != "postgresql":
            return
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
        with self._side.cursor() as cursor:
            cursor.execute(f"UPDATE {self._table} SET {column} = %s WHERE id = %s", [value, self.pk])  # noqa: S608

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
