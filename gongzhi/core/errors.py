"""Domain errors: raised by services, turned into form errors, messages or API codes by the edges."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request; ``message`` is shown to the user as is."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotAllowed(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    """An illegal state transition or a concurrent change (HTTP 409)."""

    code = "conflict"
    status = 409
