"""The generated paragraph of each report section, written from the figures in the case report's tone
("入住率由 25.0% 提升至 50.1%，…"). A figure without data is left out of the text, never written as 0."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from ..periods import MONTH, QUARTER, Period
from ..registry import RATE

if TYPE_CHECKING:
    from .content import KpiRow, ReportContent

# the outcomes the case report names, in its order
HEADLINE_KEYS = (
    "estates_occupancy_rate",
    "voices_complaint",
    "voices_praise",
    "voices_satisfaction_rate",
    "voices_response_rate",
    "voices_resolution_rate",
    "fees_collection_rate",
    "fees_arrears_recovered",
)
NAMED_ACTIONS = 5


def _cjk(text: str) -> bool:
    """Whether a (translated) text is Chinese: its separators are then Chinese too."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _sentences(parts: Iterable[str]) -> str:
    """Sentences one after another: a Chinese one (ending in 。) without a space after it."""
    out = ""
    for p in (p for p in parts if p):
        out += p if not out or out.endswith("。") else " " + p
    return out


def _listing(template: str, items: Iterable[str]) -> str:
    """Items joined as the language of ``template`` (the sentence they go into) lists them."""
    return ("、" if _cjk(template) else ", ").join(items)


def period_name(p: Period) -> str:
    if p.grain == QUARTER:
        return _("Q%(q)d %(year)d") % {"q": (p.start.month - 1) // 3 + 1, "year": p.start.year}
    if p.grain == MONTH:
        return _("%(month)d/%(year)d") % {"month": p.start.month, "year": p.start.year}
    return _("the year %(year)d") % {"year": p.start.year}


def _percent(x: Decimal) -> str:
    return f"{abs(x * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _pp(x: Decimal) -> str:
    return _("%(pp)s pp") % {"pp": f"{x.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):+}"}


def change_sentence(row: KpiRow) -> str:
    """One KPI before and after: "Occupancy rate rose from 25.0% to 50.1% (+25.1 pp)."; empty without data."""
    if row.after_value is None:
        return ""
    values = {"label": row.label, "before": row.before, "after": row.after}
    if row.before_value is None:
        return _("%(label)s was %(after)s.") % values
    if row.before_value == row.after_value:
        return "" if not row.after_value else _("%(label)s stayed at %(after)s.") % values
    up = row.after_value > row.before_value
    if row.unit == RATE and row.change_pp is not None:
        values["pp"] = _pp(row.change_pp)
        text = (
            _("%(label)s rose from %(before)s to %(after)s (%(pp)s).")
            if up
            else _("%(label)s fell from %(before)s to %(after)s (%(pp)s).")
        )
        return text % values
    if row.change_rel is None:  # from zero
        return _("%(label)s went from %(before)s to %(after)s.") % values
    values["change"] = _percent(row.change_rel)
    text = (
        _("%(label)s rose from %(before)s to %(after)s, up %(change)s on the year before.")
        if up
        else _("%(label)s fell from %(before)s to %(after)s, down %(change)s on the year before.")
    )
    return text % values


def _background(c: ReportContent) -> str:
    by_key = {r.key: r for r in c.kpis}
    name, before = c.compound.name, period_name(c.before)
    parts = []

    def before_of(key: str) -> str | None:
        row = by_key.get(key)
        return row.before if row is not None and row.before_value is not None else None

    if (v := before_of("estates_occupancy_rate")) is not None:
        parts.append(
            _("At the end of %(period)s the occupancy rate of %(compound)s was %(value)s.")
            % {"period": before, "compound": name, "value": v}
        )
    if (v := before_of("estates_permanent_residents")) is not None:
        parts.append(_("Permanent residents: %(value)s.") % {"value": v})
    complaints, praise = before_of("voices_complaint"), before_of("voices_praise")
    if complaints is not None and praise is not None:
        parts.append(
            _("In %(period)s: complaints %(complaints)s, praise %(praise)s.")
            % {"period": before, "complaints": complaints, "praise": praise}
        )
    if (v := before_of("voices_satisfaction_rate")) is not None:
        parts.append(_("The satisfaction rate was %(value)s.") % {"value": v})
    if (v := before_of("fees_collection_rate")) is not None:
        parts.append(_("The current-period collection rate of the property fee was %(value)s.") % {"value": v})
    if c.problems:
        text = _("The most raised problems were %(list)s.")
        item = _("%(name)s (%(n)d)")
        parts.append(text % {"list": _listing(text, (item % {"name": p.name, "n": p.count} for p in c.problems))})
    if not parts:
        return _("There are no figures for %(period)s, the year before this report.") % {"period": before}
    return _sentences(parts)


def _measures(c: ReportContent) -> str:
    period = period_name(c.period)
    parts = []
    done = [f"{r.label} {r.after}" for r in c.measures if r.after_value is not None]
    if done:
        text = _("In %(period)s the joint work counted: %(list)s.")
        parts.append(text % {"period": period, "list": _listing(text, done)})
    if c.actions:
        text = _("Action items completed include %(list)s.")
        parts.append(text % {"list": _listing(text, (a.title for a in c.actions[:NAMED_ACTIONS]))})
    if c.departments:
        text = _("Voices taken to outside departments (%(list)s): %(voices)d, of which %(resolved)d resolved.")
        parts.append(
            text
            % {
                "list": _listing(text, (d.name for d in c.departments)),
                "voices": sum(d.voices for d in c.departments),
                "resolved": sum(d.resolved for d in c.departments),
            }
        )
    if c.activities:
        text, item = _("Activities held: %(n)d (%(list)s)."), _("%(name)s (%(n)d)")
        parts.append(
            text
            % {
                "n": sum(a.count for a in c.activities),
                "list": _listing(text, (item % {"name": a.label, "n": a.count} for a in c.activities)),
            }
        )
    if not parts:
        return _("No joint work is recorded for %(period)s.") % {"period": period}
    return _sentences(parts)


def _outcomes(c: ReportContent) -> str:
    by_key = {r.key: r for r in c.kpis}
    parts = [change_sentence(by_key[k]) for k in HEADLINE_KEYS if k in by_key]
    if c.honours:
        text, item = _("Honours: %(list)s."), _("%(title)s (%(year)d)")
        parts.append(text % {"list": _listing(text, (item % {"title": h.title, "year": h.year} for h in c.honours))})
    if not any(parts):
        return _("There are no figures for %(period)s yet.") % {"period": period_name(c.period)}
    return _sentences(parts)


def _cycle(c: ReportContent) -> str:
    both = [p for p in c.cycle if p.satisfaction is not None and p.collection is not None]
    if len(both) < 2:
        return _("Too few periods with both satisfaction and fee collection to show the cycle yet.")
    first, last = both[0], both[-1]
    text = _(
        "From %(first)s to %(last)s the satisfaction rate went from %(s0)s to %(s1)s and the current-period "
        "collection rate from %(c0)s to %(c1)s."
    ) % {
        "first": first.label,
        "last": last.label,
        "s0": first.satisfaction_text,
        "s1": last.satisfaction_text,
        "c0": first.collection_text,
        "c1": last.collection_text,
    }
    assert first.satisfaction is not None and last.satisfaction is not None  # (for mypy: filtered above)
    assert first.collection is not None and last.collection is not None
    if last.satisfaction >= first.satisfaction and last.collection >= first.collection:
        closing = _("Better service, satisfied owners, more fees paid, further improvement: a virtuous cycle.")
    else:
        closing = _("The cycle of better service and more fees paid has not closed yet: both need watching.")
    return _sentences([text, closing])


GENERATORS: dict[str, Callable[[ReportContent], str]] = {
    "background": _background,
    "measures": _measures,
    "outcomes": _outcomes,
    "cycle": _cycle,
}


def generated_text(content: ReportContent, section: str) -> str:
    return GENERATORS[section](content)
