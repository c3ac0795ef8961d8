"""The list behind a figure (insights:drill): one KPI of one compound for a period — its figure, and the records
its numerator counts (``KpiDefinition.drill``), 50 a page, all of them as xlsx (``?format=xlsx``).

Who sees what: the page is for those who may read the compound's KPIs (else 403 / 404, as the dashboard). The
rows of a section whose records are not every KPI reader's to see are shown only to those who may see them
(``ROW_READERS``: houses to the household viewers, bills to the fee keepers); to the others the page says so.
A row links to its own page only when the user may open it (``LINK_PERMS``: a voice by the voices' rules, a
meeting or action item by the meetings' rules, a bill by the fees' rules, a house by the estates' rules).

The figure here is computed directly as of the period's last day (or today), as the rows are, so that the two
always agree; the dashboard reads the same figure from the rollups.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import DomainError
from gongzhi.estates.rules import may_view_households
from gongzhi.estates.selectors import compound_get
from gongzhi.estates.views.pages import domain_errors
from gongzhi.finance.rules import may_keep_fees

from ..engine import kpis_compute
from ..periods import default_as_of
from ..registry import KpiContext, KpiDefinition, definition
from ..rules import KPI_VIEWERS
from ..xlsx import xlsx_response
from ._common import period_param
from .compound import Card, bad_input, section_label

ROWS_PER_PAGE = 50

# section → who may see its rows (besides reading the KPIs); sections not listed: every KPI reader
ROW_READERS: dict[str, Any] = {
    "estates": may_view_households,
    "fees": may_keep_fees,
}
# model label → the permission to open one row's page; other models: "<app>.view_<model>" when registered
LINK_PERMS: dict[str, str] = {
    "voices.voice": "voices.view_voice",
    "meetings.meeting": "meetings.view_meeting",
    "meetings.actionitem": "meetings.view_action",
    "finance.bill": "finance.view_bills",
    "estates.house": "estates.view_house",
    "estates.resident": "estates.view_house",
}


def drill_context(compound: Any, period: Any) -> KpiContext:
    return KpiContext(
        compound_ids=[compound.pk],
        compounds=[compound],
        start=period.start,
        end=period.end,
        as_of=default_as_of(period),
    )


def cell_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def _link_perm(row: Any) -> str | None:
    meta = row._meta
    label = f"{meta.app_label}.{meta.model_name}"
    if label in LINK_PERMS:
        return LINK_PERMS[label]
    candidate = f"{meta.app_label}.view_{meta.model_name}"
    return candidate if rules.perm_exists(candidate) else None


def row_link(user: Any, d: Any, row: Any) -> str | None:
    """The row's own page, when there is one and the user may open it."""
    if d.link is None:
        return None
    perm = _link_perm(row)
    if perm is not None and not user.has_perm(perm, row):
        return None
    return str(d.link(row))


def _kpi(key: str) -> KpiDefinition:
    try:
        return definition(key)
    except KeyError:
        raise Http404(_("No such KPI.")) from None


@login_required
@require_GET
@domain_errors
def drill(request: HttpRequest, code: str, key: str) -> HttpResponse:
    compound = compound_get(user=request.user, code=code, roles=KPI_VIEWERS)
    kpi = _kpi(key)
    try:
        period = period_param(request)
    except DomainError as exc:
        return bad_input(request, exc, compound)
    report = kpis_compute([compound], period, keys=[kpi.key])
    value = report.values(compound.pk)[0]
    context: dict[str, Any] = {
        "compound": compound,
        "kpi": kpi,
        "section": section_label(kpi.section),
        "card": Card(value, None),
        "period": period,
        "as_of": report.as_of,
        "dashboard_url": f"{reverse('insights:compound', args=[compound.code])}?period={period.code}",
        "has_drill": kpi.drill is not None,
        "may_see_rows": False,
    }
    if kpi.drill is None:
        return render(request, "insights/drill.html", context)
    gate = ROW_READERS.get(kpi.section)
    if gate is not None and not gate(request.user, compound):
        return render(request, "insights/drill.html", context)
    d = kpi.drill(drill_context(compound, period))
    headers = [str(c.label) for c in d.columns]
    if request.GET.get("format") == "xlsx":
        title = _("%(compound)s: %(kpi)s %(period)s") % {
            "compound": compound.name,
            "kpi": kpi.label,
            "period": period.code,
        }
        rows = ([c.value(r) for c in d.columns] for r in d.rows.iterator(chunk_size=500))
        return xlsx_response(
            filename=f"{compound.code}-{kpi.key}-{period.code}.xlsx", title=title, headers=headers, rows=rows
        )
    page = Paginator(d.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        may_see_rows=True,
        headers=headers,
        rows=[([cell_text(c.value(r)) for c in d.columns], row_link(request.user, d, r)) for r in page.object_list],
        page=page,
        query=f"period={period.code}",
        xlsx_url=f"?period={period.code}&format=xlsx",
    )
    return render(request, "insights/drill.html", context)


urlpatterns: list[URLPattern] = [
    path("compounds/<slug:code>/kpis/<slug:key>/", drill, name="drill"),
]
