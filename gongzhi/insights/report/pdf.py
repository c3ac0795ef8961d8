"""The governance report as a PDF (A4, fpdf2 on gongzhi.core.pdf with Noto CJK): a title block, the four
sections with their paragraphs, the KPI tables (before, after, change), bar and line charts drawn with fpdf2's
own primitives (no browser) and the after-photos' thumbnails, read from storage. Drawn from the same
``ReportContent`` as the page, so both show the same figures. Always in the site's language (Chinese)."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from gongzhi.core.pdf import FONT, chinese_pdf

from ..registry import RATE
from .content import KpiRow, ReportContent
from .narrative import _cjk, period_name

logger = logging.getLogger(__name__)
MARGIN, LINE = 16.0, 6.2
MUTED = (90, 96, 109)
HEADING_FILL = (235, 238, 243)
BRAND = (180, 35, 24)
SERIES_COLOURS = ((148, 163, 184), (180, 35, 24))  # the year before in grey, the period in the brand's red
LINE_COLOURS = ((29, 78, 216), (30, 123, 52))
NUMERALS = "一二三四五六七八九十"
THUMB_WIDTH, THUMB_HEIGHT = 40.0, 30.0


class _Report(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 6, f"{self.footer_text}    {page}", align="C")
        self.set_text_color(0, 0, 0)

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def heading(self, text: str, *, size: float = 14) -> None:
        self.room(24)
        self.ln(3)
        self.set_font(FONT, size=size)
        self.set_text_color(*BRAND)
        self.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=11)

    def subheading(self, text: str) -> None:
        self.room(18)
        self.ln(1.5)
        self.set_font(FONT, size=11.5)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
        self.set_font(FONT, size=10.5)

    def paragraph(self, text: str, *, size: float = 10.5, muted: bool = False) -> None:
        self.set_font(FONT, size=size)
        if muted:
            self.set_text_color(*MUTED)
        self.multi_cell(0, LINE, text or "—", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
        self.set_text_color(0, 0, 0)

    def grid(self, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        self.set_font(FONT, size=9.5)
        total = sum(widths)
        with self.table(
            col_widths=tuple(w * self.epw / total for w in widths),
            width=self.epw,
            line_height=5.2,
            wrapmode=WrapMode.CHAR,
            padding=1.2,
            text_align="LEFT",
            headings_style=FontFace(emphasis=None, fill_color=HEADING_FILL),
        ) as table:
            head = table.row()
            for h in headings:
                head.cell(h)
            for cells in rows:
                row = table.row()
                for c in cells:
                    row.cell(c or "—")
        self.ln(1)


# --- Charts (fpdf2 primitives) ------------------------------------------------------------------------------------


def _axis_text(value: float, unit: str) -> str:
    return f"{value * 100:.0f}%" if unit == RATE else f"{value:g}"


def _legend(pdf: _Report, x: float, y: float, names: Sequence[str], colours: Sequence[tuple[int, int, int]]) -> None:
    pdf.set_font(FONT, size=7.5)
    for name, colour in zip(names, colours, strict=False):
        pdf.set_fill_color(*colour)
        pdf.rect(x, y + 1, 3, 3, style="F")
        pdf.set_xy(x + 4, y)
        pdf.cell(pdf.get_string_width(name) + 2, 5, name)
        x += pdf.get_string_width(name) + 10


def _frame(pdf: _Report, x: float, y: float, w: float, h: float, top: float, unit: str) -> None:
    """Axes and four grid lines from 0 to ``top``."""
    pdf.set_draw_color(217, 226, 236)
    pdf.set_line_width(0.2)
    pdf.set_font(FONT, size=7)
    pdf.set_text_color(*MUTED)
    for i in range(5):
        gy = y + h - h * i / 4
        pdf.line(x, gy, x + w, gy)
        pdf.set_xy(x - 13, gy - 2)
        pdf.cell(12, 4, _axis_text(top * i / 4, unit), align="R")
    pdf.set_draw_color(120, 120, 120)
    pdf.line(x, y, x, y + h)
    pdf.line(x, y + h, x + w, y + h)
    pdf.set_text_color(0, 0, 0)


def _top(values: Sequence[float | None], unit: str) -> float:
    highest = max([v for v in values if v is not None] or [0.0])
    if unit == RATE:
        return 1.0 if highest <= 1 else highest
    if highest <= 0:
        return 4.0
    # four grid steps of a round size (1, 2 or 5 × 10ⁿ) that reach the highest value
    magnitude = 1.0
    while magnitude * 10 <= highest / 4:
        magnitude *= 10
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude * 4 >= highest)
    return step * 4


def bar_chart(pdf: _Report, spec: dict[str, Any], *, height: float = 55) -> None:
    """Grouped bars: one group per category, one bar per series; values without data are left out."""
    categories: list[str] = spec["x"]
    series = spec["series"]
    if not categories:
        return
    pdf.room(height + 22)
    unit = spec["unit"]
    x, y, w = pdf.l_margin + 14, pdf.get_y() + 7, pdf.epw - 16
    _legend(pdf, x, pdf.get_y(), [s["name"] for s in series], SERIES_COLOURS)
    top = _top([v for s in series for v in s["data"]], unit)
    _frame(pdf, x, y, w, height, top, unit)
    group = w / len(categories)
    bar = min(group * 0.8 / max(len(series), 1), 9)
    for i, label in enumerate(categories):
        gx = x + group * i + (group - bar * len(series)) / 2
        for j, s in enumerate(series):
            value = s["data"][i]
            if value is None:
                continue
            bh = height * min(value / top, 1.0) if top else 0
            pdf.set_fill_color(*SERIES_COLOURS[j % len(SERIES_COLOURS)])
            pdf.rect(gx + bar * j, y + height - bh, bar, bh, style="F")
            pdf.set_font(FONT, size=6)
            pdf.set_xy(gx + bar * j - 3, y + height - bh - 4)
            pdf.cell(bar + 6, 4, _axis_text(value, unit) if unit != RATE else f"{value * 100:.1f}%", align="C")
        pdf.set_font(FONT, size=6.5)
        pdf.set_xy(x + group * i, y + height + 1)
        pdf.multi_cell(group, 3.2, label, align="C", wrapmode=WrapMode.CHAR, max_line_height=3.2)
    pdf.set_xy(pdf.l_margin, y + height + 12)


def line_chart(pdf: _Report, spec: dict[str, Any], *, height: float = 55) -> None:
    """Lines over periods; a point without data breaks the line."""
    labels: list[str] = spec["x"]
    series = spec["series"]
    if not labels:
        return
    pdf.room(height + 22)
    unit = spec["unit"]
    x, y, w = pdf.l_margin + 14, pdf.get_y() + 7, pdf.epw - 16
    _legend(pdf, x, pdf.get_y(), [s["name"] for s in series], LINE_COLOURS)
    top = _top([v for s in series for v in s["data"]], unit)
    _frame(pdf, x, y, w, height, top, unit)
    step = w / max(len(labels), 1)
    pdf.set_line_width(0.6)
    for j, s in enumerate(series):
        colour = LINE_COLOURS[j % len(LINE_COLOURS)]
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        previous: tuple[float, float] | None = None
        for i, value in enumerate(s["data"]):
            if value is None:
                previous = None
                continue
            point = (x + step * (i + 0.5), y + height - height * min(value / top, 1.0))
            if previous is not None:
                pdf.line(*previous, *point)
            pdf.ellipse(point[0] - 0.8, point[1] - 0.8, 1.6, 1.6, style="F")
            previous = point
    pdf.set_line_width(0.2)
    pdf.set_font(FONT, size=6.5)
    for i, label in enumerate(labels):
        pdf.set_xy(x + step * i, y + height + 1)
        pdf.cell(step, 4, label, align="C")
    pdf.set_xy(pdf.l_margin, y + height + 8)


# --- The document -------------------------------------------------------------------------------------------------


def _numbered(n: int, text: str) -> str:
    if _cjk(text):
        return f"{NUMERALS[n - 1]}、{text}"
    return f"{n}. {text}"


def _figure(value: str, basis: str) -> str:
    return f"{value}（{basis}）" if basis and value != _("no data") else value


def _kpi_table(pdf: _Report, content: ReportContent, rows: list[KpiRow]) -> None:
    if not rows:
        return
    pdf.grid(
        [_("KPI"), content.before.code, content.period.code, _("Change on the year before")],
        [[r.label, _figure(r.before, r.before_basis), _figure(r.after, r.after_basis), r.change] for r in rows],
        (30, 25, 25, 20),
    )


def _narrative(pdf: _Report, content: ReportContent, section: str) -> None:
    n = content.narratives[section]
    pdf.paragraph(n.text)
    if n.edited:
        pdf.paragraph(
            _("(Paragraph edited by %(name)s)") % {"name": n.updated_by or "—"},
            size=8,
            muted=True,
        )
    pdf.ln(1)


def _thumb(name: str) -> bytes | None:
    """A photo's stored thumbnail (or the photo), or None when storage no longer has it."""
    from django.core.files.storage import default_storage

    from gongzhi.voices.photos import thumb_name

    for candidate in (thumb_name(name), name):
        try:
            if candidate and default_storage.exists(candidate):
                with default_storage.open(candidate, "rb") as handle:
                    data: bytes = handle.read()
                return data
        except (OSError, ValueError):
            continue
    return None


def _actions(pdf: _Report, content: ReportContent) -> None:
    if not content.actions:
        return
    pdf.subheading(_("Action items done"))
    for action in content.actions:
        done = formats.date_format(action.done_on, "DATE_FORMAT") if action.done_on else ""
        pdf.room(8 + (THUMB_HEIGHT + 2 if action.thumbs else 0))
        pdf.paragraph(f"· {action.title}  {done}", size=10)
        images = [data for data in (_thumb(name) for name in action.thumbs) if data]
        if not images:
            continue
        y, x = pdf.get_y(), pdf.l_margin + 4
        for data in images:
            try:
                pdf.image(io.BytesIO(data), x=x, y=y, w=THUMB_WIDTH, h=THUMB_HEIGHT, keep_aspect_ratio=True)
            except Exception:  # a damaged file: the report is printed without it
                logger.warning("report: photo of action item %s could not be drawn", action.pk)
                continue
            x += THUMB_WIDTH + 3
        pdf.set_xy(pdf.l_margin, y + THUMB_HEIGHT + 2)


def _title(pdf: _Report, content: ReportContent) -> None:
    c = content.compound
    pdf.set_font(FONT, size=20)
    pdf.set_text_color(*BRAND)
    title = _("%(compound)s governance report") % {"compound": c.name}
    pdf.multi_cell(0, 12, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, size=12)
    pdf.cell(0, 8, period_name(content.period), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*MUTED)
    facts = [c.community.name]
    if c.property_company is not None:
        facts.append(c.property_company.name)
    facts.append(
        _("Figures as of %(date)s, compared with %(before)s")
        % {"date": formats.date_format(content.as_of, "DATE_FORMAT"), "before": period_name(content.before)}
    )
    pdf.multi_cell(0, 5, " · ".join(facts), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
    pdf.set_text_color(0, 0, 0)
    if content.honours:
        pdf.ln(1)
        pdf.set_font(FONT, size=10)
        honours = "、".join(f"{h.year} {h.title}" for h in content.honours)
        pdf.multi_cell(
            0, 6, _("Honours") + "：" + honours, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR
        )
    if content.no_data:
        pdf.ln(1)
        pdf.paragraph(_("No figures are recorded for this compound and period yet: every KPI reads no data."))
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.l_margin + pdf.epw, pdf.get_y() + 2)
    pdf.set_line_width(0.2)
    pdf.ln(5)


def report_pdf_bytes(content: ReportContent) -> bytes:
    """The report as an A4 PDF (the caller draws in the site's language)."""
    title = _("%(compound)s governance report") % {"compound": content.compound.name}
    pdf = chinese_pdf(_Report(orientation="P", unit="mm", format="A4"), title=f"{title} {content.period.code}")
    pdf.footer_text = f"{title} · {period_name(content.period)}"
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    _title(pdf, content)
    labels = dict(content.sections)

    pdf.heading(_numbered(1, labels["background"]))
    _narrative(pdf, content, "background")
    background = content.background
    if background:
        pdf.grid(
            [_("KPI"), content.before.code],
            [[r.label, _figure(r.before, r.before_basis)] for r in background],
            (60, 40),
        )
    if content.problems:
        pdf.subheading(_("Most raised problems in %(period)s") % {"period": period_name(content.before)})
        pdf.grid([_("Category"), _("Voices")], [[p.name, str(p.count)] for p in content.problems], (70, 30))

    pdf.heading(_numbered(2, labels["measures"]))
    _narrative(pdf, content, "measures")
    _kpi_table(pdf, content, content.measures)
    _actions(pdf, content)
    if content.departments:
        pdf.subheading(_("Departments engaged"))
        pdf.grid(
            [_("Department"), _("Kind"), _("Voices"), _("Resolved")],
            [[d.name, d.kind, str(d.voices), str(d.resolved)] for d in content.departments],
            (40, 25, 15, 15),
        )
    if content.activities:
        pdf.subheading(_("Activities held"))
        pdf.grid([_("Category"), _("Activities")], [[a.label, str(a.count)] for a in content.activities], (70, 30))

    pdf.heading(_numbered(3, labels["outcomes"]))
    _narrative(pdf, content, "outcomes")
    pdf.subheading(_("Rates: the year before and the period"))
    bar_chart(pdf, content.charts["report-rates"])
    pdf.subheading(_("Voices by kind: the year before and the period"))
    bar_chart(pdf, content.charts["report-voices"])
    _kpi_table(pdf, content, content.outcomes)

    pdf.heading(_numbered(4, labels["cycle"]))
    _narrative(pdf, content, "cycle")
    line_chart(pdf, content.charts["report-cycle"])
    pdf.grid(
        [_("Period"), _("Satisfaction rate"), _("Current-period collection rate")],
        [[p.label, p.satisfaction_text, p.collection_text] for p in content.cycle],
        (30, 35, 35),
    )
    pdf.ln(2)
    pdf.paragraph(
        _("Generated by Gongzhi on %(at)s from the platform's records.")
        % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        size=8,
        muted=True,
    )
    return bytes(pdf.output())


def report_filename(content: ReportContent) -> str:
    name = _("%(compound)s governance report %(period)s") % {
        "compound": content.compound.name,
        "period": content.period.code,
    }
    return f"{name}.pdf"
