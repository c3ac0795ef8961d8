"""Fast INSERT and UPDATE of plain values, for imports of a hundred thousand rows.

``bulk_create`` builds a model instance per row and compiles every value through the ORM (about 10 µs a
value, in SQLite batches of 999 parameters), which made writing most of a large import. Here each field's
conversion is looked up once: plain values (text, integers, booleans, foreign keys) go straight to the
driver; dates, decimals, JSON and encrypted phones go through the field's own ``get_db_prep_save`` (dates
and decimals memoized, as a ledger repeats them). Rows are tuples in the order of ``fields``.

PostgreSQL gets ``COPY … FROM STDIN`` (formatted in C by psycopg), with primary keys drawn from the table's
sequence first when the caller needs them; other databases get multi-row ``INSERT … VALUES … RETURNING``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

PLAIN_FIELDS = (
    models.CharField,
    models.SlugField,
    models.TextField,
    models.IntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BigIntegerField,
    models.BooleanField,
    models.ForeignKey,
)
MEMO_FIELDS = (models.DateField, models.DecimalField)  # DateTimeField is a DateField
MAX_ROWS_PER_STATEMENT = 1000
_UNSET = object()


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    fields = [model._meta.get_field(name) for name in names]
    assert all(isinstance(f, models.Field) and f.concrete for f in fields), names
    return fields  # type: ignore[return-value]


def _param_limit() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return int(connection.features.max_query_params or 999)


class _Converter:
    def __init__(self, field: models.Field[Any, Any]) -> None:
        self.field = field
        self.plain = type(field) in PLAIN_FIELDS
        self.memo: dict[Any, Any] | None = {} if isinstance(field, MEMO_FIELDS) else None
        self.empty: Any = _UNSET  # what "" becomes (encrypted phones of unnamed residents are "")

    def __call__(self, value: Any) -> Any:
        if value is None:
            return value
        if value == "":
            if self.empty is _UNSET:
                self.empty = self.field.get_db_prep_save(value, connection)
            return self.empty
        if self.memo is not None:
            try:
                return self.memo[value]
            except KeyError:
                converted = self.memo[value] = self.field.get_db_prep_save(value, connection)
                return converted
        return self.field.get_db_prep_save(value, connection)


def _converted(converters: list[tuple[int, _Converter]], row: Sequence[Any]) -> list[Any]:
    values = list(row)
    for i, convert in converters:
        values[i] = convert(values[i])
    return values


def _converters(fields: list[models.Field[Any, Any]]) -> list[tuple[int, _Converter]]:
    """(position, converter) of the fields whose values the driver cannot take as they are."""
    return [(i, c) for i, c in enumerate(_Converter(f) for f in fields) if not c.plain]


class RowInserter:
    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        opts = model._meta
        concrete = _fields(model, fields)
        self.converters = _converters(concrete)
        self.copy = connection.vendor == "postgresql"
        qn = connection.ops.quote_name
        self.table, self.pk = opts.db_table, str(opts.pk.column)
        columns = ", ".join(qn(str(f.column)) for f in concrete)
        if self.copy:
            self.copy_sql = f"COPY {qn(self.table)} ({columns}) FROM STDIN"
            self.copy_sql_with_pk = f"COPY {qn(self.table)} ({qn(self.pk)}, {columns}) FROM STDIN"
            self._sequence: str | None = None
        else:
            self.head = f"INSERT INTO {qn(self.table)} ({columns}) VALUES "  # noqa: S608 - names from the model
            self.row_sql = "(" + ", ".join(["%s"] * len(concrete)) + ")"
            self.returning = f" RETURNING {qn(self.pk)}"
            self.chunk = max(1, min(MAX_ROWS_PER_STATEMENT, _param_limit() // len(concrete)))

    def insert(self, rows: Iterable[Sequence[Any]], *, returning: bool = False) -> list[int]:
        """Insert the rows; with ``returning``, their new primary keys in the same order."""
        if self.copy:
            return self._copy(list(rows), returning)
        ids: list[int] = []
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == self.chunk:
                ids.extend(self._values(batch, returning))
                batch = []
        if batch:
            ids.extend(self._values(batch, returning))
        return ids

    def _values(self, batch: list[Sequence[Any]], returning: bool) -> list[int]:
        params: list[Any] = []
        converters = self.converters
        for row in batch:
            params.extend(_converted(converters, row))
        sql = self.head + ", ".join([self.row_sql] * len(batch)) + (self.returning if returning else "")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [r[0] for r in cursor.fetchall()] if returning else []

    def _copy(self, rows: list[Sequence[Any]], returning: bool) -> list[int]:
        if not rows:
            return []
        converters = self.converters
        with connection.cursor() as cursor:
            ids: list[int] = []
            if returning:
                if self._sequence is None:
                    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [self.table, self.pk])
                    self._sequence = cursor.fetchone()[0]
                cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [self._sequence, len(rows)])
                ids = [r[0] for r in cursor.fetchall()]
            with cursor.cursor.copy(self.copy_sql_with_pk if returning else self.copy_sql) as copy:
                if returning:
                    for pk, row in zip(ids, rows, strict=True):
                        copy.write_row([pk, *_converted(converters, row)])
                else:
                    for row in rows:
                        copy.write_row(_converted(converters, row))
        return ids


class RowUpdater:
    """``UPDATE … SET f = %s, … WHERE pk = %s`` for many rows; each row is the values, then the key."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        opts = model._meta
        concrete = _fields(model, fields)
        self.converters = _converters(concrete)
        qn = connection.ops.quote_name
        sets = ", ".join(f"{qn(str(f.column))} = %s" for f in concrete)
        self.sql = f"UPDATE {qn(opts.db_table)} SET {sets} WHERE {qn(opts.pk.column)} = %s"  # noqa: S608 - names from the model

    def update(self, rows: Iterable[Sequence[Any]]) -> None:
        params = [_converted(self.converters, row) for row in rows]  # the key is last, and plain
        if params:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, params)
