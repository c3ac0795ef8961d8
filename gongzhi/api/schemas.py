"""Shared API schemas: the error format, strict input, clean text and pagination."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

# The largest id a database row can have (BIGINT); bigger ids are refused before they reach the database.
MAX_ID = 2**63 - 1
MAX_PAGE_SIZE = 100
# Control characters (NUL among them, which PostgreSQL refuses in text) are never accepted in text input.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value.strip()


# Text from the client: stripped, without control characters. Combine with a max_length.
CleanText = Annotated[str, AfterValidator(_no_control_characters)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class StrictSchema(Schema):
    """Input that refuses unknown fields: a typo is an error, not a silently ignored value."""

    model_config = ConfigDict(extra="forbid")


class FieldErrorOut(Schema):
    field: str | None = None
    message: str


class ErrorOut(Schema):
    """Every error answer: a machine-readable ``code``, a ``message`` for people and the ``field`` at fault."""

    code: str
    message: str
    field: str | None = None
    errors: list[FieldErrorOut] | None = None


ERRORS = frozenset({400, 401, 403, 404, 409, 413, 429})


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error part of an operation's ``response=`` mapping, for the OpenAPI document."""
    assert set(statuses) <= ERRORS
    return dict.fromkeys((400, 401, 429, *statuses), ErrorOut)


class PageQuery(StrictSchema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class PageMeta(Schema):
    count: int
    page: int
    page_size: int
    pages: int


def paginate(qs: QuerySet[Any], query: PageQuery) -> tuple[list[Any], PageMeta]:
    """One page of ``qs`` (a page past the end is empty, not an error) and the page's metadata."""
    count = qs.count()
    start = (query.page - 1) * query.page_size
    items = list(qs[start : start + query.page_size]) if start < count else []
    pages = max(1, math.ceil(count / query.page_size))
    return items, PageMeta(count=count, page=query.page, page_size=query.page_size, pages=pages)
