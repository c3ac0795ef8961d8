"""The governance report of a compound: the page (``insights:report``), its PDF (``insights:report_pdf``) and the
forms that edit a section's paragraph (``insights:report_narrative``, ``insights:report_narrative_reset``).

For those who may read the compound's KPIs (404 for an unknown compound, 403 for one outside the reader's scope);
the paragraphs for ``may_edit_narrative``. A bad period is shown on the page with the reason (400)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import translation
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited
from gongzhi.estates.models import Compound
from gongzhi.estates.selectors import compound_get
from gongzhi.estates.views.pages import domain_errors

from ..report.content import NARRATIVE_MAX, SECTIONS, ReportContent, report_content, report_period
from ..report.pdf import report_filename, report_pdf_bytes
from ..report.services import report_narrative_reset, report_narrative_set
from ..rules import KPI_VIEWERS, may_edit_narrative


def _compound(request: HttpRequest, code: str) -> Compound:
    return compound_get(user=request.user, code=code, roles=KPI_VIEWERS)


def _drill_links(content: ReportContent) -> dict[str, str]:
    """Each figure's drill-down (``insights:drill``), with the same period, where that page exists."""
    links = {}
    query = "?" + urlencode({"period": content.period.code})
    for row in content.kpis:
        try:
            links[row.key] = reverse("insights:drill", args=[content.compound.code, row.key]) + query
        except NoReverseMatch:
            return {}
    return links


def _render(
    request: HttpRequest,
    compound: Compound,
    *,
    content: ReportContent | None,
    period_text: str,
    error: str = "",
    section_errors: dict[str, str] | None = None,
    section_texts: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors, texts = section_errors or {}, section_texts or {}
    sections = []
    drill = _drill_links(content) if content is not None else {}
    if content is not None:
        content.kpis = [replace(r, link=drill.get(r.key, "")) for r in content.kpis]
        for key, label in content.sections:
            narrative = content.narratives[key]
            sections.append(
                {
                    "key": key,
                    "label": label,
                    "narrative": narrative,
                    "error": errors.get(key, ""),
                    "text": texts.get(key, narrative.text),
                }
            )
    context: dict[str, Any] = {
        "compound": compound,
        "sections": sections,
        "charts": {
            "rates": content.charts["report-rates"],
            "voices": content.charts["report-voices"],
            "cycle": content.charts["report-cycle"],
        }
        if content is not None
        else {},
        "content": content,
        "period_text": period_text,
        "error": error,
        "may_edit": may_edit_narrative(request.user, compound),
        "narrative_max": NARRATIVE_MAX,
        "charts_js": bool(finders.find("insights/charts.js")),
    }
    return render(request, "insights/report.html", context, status=status)


@login_required
@require_GET
@domain_errors
def report_page(request: HttpRequest, code: str) -> HttpResponse:
    compound = _compound(request, code)
    text = request.GET.get("period", "").strip()
    try:
        period = report_period(text, compound)
    except DomainError as exc:
        return _render(request, compound, content=None, period_text=text[:40], error=exc.message, status=400)
    content = report_content(user=request.user, compound=compound, period=period)
    return _render(request, compound, content=content, period_text=period.code)


@login_required
@require_GET
@domain_errors
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The same report as a PDF, in the site's language, named after the compound and the period."""
    compound = _compound(request, code)
    text = request.GET.get("period", "").strip()
    try:
        period = report_period(text, compound)
    except DomainError as exc:
        return _render(request, compound, content=None, period_text=text[:40], error=exc.message, status=400)
    with translation.override(settings.LANGUAGE_CODE):
        content = report_content(user=request.user, compound=compound, period=period)
        data = report_pdf_bytes(content)
        filename = report_filename(content)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _narrative_post(request: HttpRequest, code: str, section: str, *, reset: bool) -> HttpResponse:
    compound = _compound(request, code)
    if section not in SECTIONS:
        raise NotFound(_("No such section of the report."))
    if not may_edit_narrative(request.user, compound):
        raise NotAllowed(_("You may not edit this compound's report."))
    text = request.POST.get("text", "")
    period_text = request.POST.get("period", "").strip()
    try:
        period = report_period(period_text, compound)
        if reset or "reset" in request.POST:
            report_narrative_reset(actor=request.user, compound=compound, period=period.code, section=section)
            messages.success(request, _("The paragraph is the generated text again."))
        else:
            row = report_narrative_set(
                actor=request.user, compound=compound, period=period.code, section=section, text=text
            )
            if row is None:
                messages.success(request, _("The paragraph is the generated text again."))
            else:
                messages.success(request, _("The paragraph is saved."))
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        if exc.field == "period":
            return _render(request, compound, content=None, period_text=period_text[:40], error=exc.message, status=400)
        content = report_content(user=request.user, compound=compound, period=period)
        return _render(
            request,
            compound,
            content=content,
            period_text=period.code,
            section_errors={section: exc.message},
            section_texts={section: text},
            status=400,
        )
    url = reverse("insights:report", args=[compound.code]) + "?" + urlencode({"period": period.code})
    return redirect(f"{url}#section-{section}")


@login_required
@require_POST
@domain_errors
@posts_limited("insights_report", 30)
def report_narrative(request: HttpRequest, code: str, section: str) -> HttpResponse:
    """Save a section's paragraph (empty: back to the generated text)."""
    return _narrative_post(request, code, section, reset=False)


@login_required
@require_POST
@domain_errors
@posts_limited("insights_report", 30)
def report_narrative_reset_view(request: HttpRequest, code: str, section: str) -> HttpResponse:
    """Drop a section's edited paragraph: the generated text again."""
    return _narrative_post(request, code, section, reset=True)


urlpatterns: list[URLPattern] = [
    path("compounds/<str:code>/report/", report_page, name="report"),
    path("compounds/<str:code>/report/pdf/", report_pdf, name="report_pdf"),
    path("compounds/<str:code>/report/<str:section>/text/", report_narrative, name="report_narrative"),
    path(
        "compounds/<str:code>/report/<str:section>/text/reset/",
        report_narrative_reset_view,
        name="report_narrative_reset",
    ),
]
