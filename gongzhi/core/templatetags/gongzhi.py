"""Chinese-convention display helpers: money, percentages, masked personal data."""

from __future__ import annotations

from decimal import Decimal

from django import template

from gongzhi.core import crypto

register = template.Library()


@register.filter
def yuan(value: Decimal | float | int | None) -> str:
    """¥1,234.50"""
    if value is None or value == "":
        return "—"
    return f"¥{Decimal(value):,.2f}"


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """A ratio as 25.0%; ``None`` (no data) as an em dash."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


@register.filter
def masked_phone(value: str) -> str:
    return crypto.mask_phone(value or "")


@register.filter
def masked_name(value: str) -> str:
    return crypto.mask_name(value or "")
