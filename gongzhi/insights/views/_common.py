"""What every insights page reads from the request: the period (default: this year, to date)."""

from __future__ import annotations

from django.http import HttpRequest

from ..periods import Period, parse_period, today


def period_param(request: HttpRequest, *, name: str = "period") -> Period:
    """The ``?period=`` of the request (2025, 2025Q1, 2025-03), this year when absent; a DomainError naming the
    field when it does not parse."""
    text = request.GET.get(name, "").strip()
    return parse_period(text or str(today().year))
