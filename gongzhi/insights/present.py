"""KPI values as plain data (the ``kpi`` command's JSON, the API) and as text (its table)."""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from .engine import KpiReport, KpiValue
from .registry import AMOUNT, HOURS, RATE


def _num(x: Decimal | None, places: str = "0.0001") -> float | None:
    return None if x is None else float(x.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def display(unit: str, value: Decimal | None) -> str:
    """ "50.0%", "¥1,234.00", "104.0 h", "12" — or "no data"."""
    if value is None:
        return _("no data")
    if unit == RATE:
        return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
    if unit == AMOUNT:
        return f"¥{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    if unit == HOURS:
        return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} h"
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP)}"


def change_display(v: KpiValue) -> str:
    parts = []
    if v.change is not None:
        parts.append(f"{(v.change * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):+}%")
    if v.change_pp is not None:
        parts.append(f"{v.change_pp.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):+} pp")
    return " / ".join(parts) or "—"


def value_dict(v: KpiValue) -> dict[str, Any]:
    d = v.definition
    return {
        "key": d.key,
        "label": str(d.label),
        "unit": d.unit,
        "section": d.section,
        "numerator": _num(v.now.numerator),
        "denominator": _num(v.now.denominator),
        "value": _num(v.value, "0.000001"),
        "no_data": v.value is None,
        "display": display(d.unit, v.value),
        "year_before": {
            "numerator": _num(v.year_before.numerator),
            "denominator": _num(v.year_before.denominator),
            "value": _num(v.value_year_before, "0.000001"),
            "no_data": v.value_year_before is None,
            "display": display(d.unit, v.value_year_before),
        },
        "change": _num(v.change, "0.000001"),
        "change_pp": _num(v.change_pp, "0.0001"),
        "change_display": change_display(v),
    }


def report_dict(report: KpiReport, compound: Any) -> dict[str, Any]:
    return {
        "compound": {"code": compound.code, "name": compound.name},
        "period": report.period.code,
        "start": report.period.start.isoformat(),
        "end": report.period.end.isoformat(),
        "as_of": report.as_of.isoformat(),
        "year_before": {"period": report.year_before_period.code, "as_of": report.year_before_as_of.isoformat()},
        "kpis": [value_dict(v) for v in report.values(compound.pk)],
    }


def _width(text: str) -> int:
    """Columns a terminal gives ``text``: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def report_table(report: KpiReport, compound: Any) -> str:
    head = [_("KPI"), _("numerator"), _("denominator"), _("value"), _("year before"), _("change")]
    rows = [head]
    for v in report.values(compound.pk):
        rows.append(
            [
                str(v.definition.label),
                f"{v.now.numerator.normalize():f}",
                "" if v.now.denominator is None else f"{v.now.denominator.normalize():f}",
                display(v.definition.unit, v.value),
                display(v.definition.unit, v.value_year_before),
                change_display(v),
            ]
        )
    widths = [max(_width(r[i]) for r in rows) for i in range(len(head))]
    title = f"{compound.name} ({compound.code}) {report.period.code}, as of {report.as_of.isoformat()}"
    lines = [title] + [
        "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    return "\n".join(lines)
