"""Arrears and the dunning list (催缴) of a compound: houses owing money (amount, periods, oldest period owed),
its export as .xlsx, and reminders to the residents bound to those houses (once per house and period).

Only the compound's fee keepers reach these pages. Owners' names and mobiles are shown in full only to those
who may see full numbers (``estates.view_phones``), masked to the others, as on the house list.
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from gongzhi.core.errors import NotAllowed, NotFound

from .. import staff_selectors
from ..money import ZERO
from ..services.arrears import arrears_export as arrears_export_write
from ..services.arrears import arrears_remind as arrears_remind_send
from ..services.arrears import arrears_view_record
from .common import compound_tabs, domain_errors, post_view

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOUSES_PER_PAGE = 50


@login_required
@require_GET
@domain_errors
def arrears_page(request: HttpRequest, code: str) -> HttpResponse:
    compound = staff_selectors.keeper_compound(user=request.user, code=code)
    today = timezone.localdate()
    rows = staff_selectors.dunning_rows(user=request.user, compound=compound, at=today)
    page = Paginator(rows, HOUSES_PER_PAGE).get_page(request.GET.get("page"))
    with_phones = request.user.has_perm("estates.view_phones", compound)
    details = staff_selectors.dunning_details(compound=compound, at=today, rows=list(page.object_list))
    arrears_view_record(actor=request.user, compound=compound, shown=len(details), with_phones=with_phones)
    context = {
        "compound": compound,
        **compound_tabs(request.user, compound),
        "today": today,
        "page": page,
        "details": details,
        "houses": len(rows),
        "total": sum((r.outstanding for r in rows), ZERO),
        "with_phones": with_phones,
    }
    return render(request, "finance/arrears.html", context)


@login_required
@require_GET
def arrears_export(request: HttpRequest, code: str) -> FileResponse:
    try:
        compound = staff_selectors.keeper_compound(user=request.user, code=code)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None  # the 403 handler audits it
    except NotFound:
        raise Http404 from None
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    try:
        arrears_export_write(actor=request.user, compound=compound, out=out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    filename = f"{compound.code}-{_('arrears')}-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response


@post_view("arrears_remind", per_minute=5)
def arrears_remind(request: HttpRequest, code: str) -> HttpResponse:
    compound = staff_selectors.keeper_compound(user=request.user, code=code)
    result = arrears_remind_send(actor=request.user, compound=compound)
    if result.reminded:
        messages.success(
            request,
            ngettext(
                "Reminders sent for %(n)d house (%(people)d residents notified).",
                "Reminders sent for %(n)d houses (%(people)d residents notified).",
                result.reminded,
            )
            % {"n": result.reminded, "people": result.residents},
        )
    else:
        messages.info(request, _("No new reminder was sent."))
    if result.already:
        messages.info(
            request,
            ngettext(
                "%(n)d house had already been reminded for the period it owes.",
                "%(n)d houses had already been reminded for the period they owe.",
                result.already,
            )
            % {"n": result.already},
        )
    if result.unbound:
        messages.warning(
            request,
            ngettext(
                "%(n)d house has nobody on the platform to remind; contact it another way.",
                "%(n)d houses have nobody on the platform to remind; contact them another way.",
                result.unbound,
            )
            % {"n": result.unbound},
        )
    return redirect("finance:arrears", code=compound.code)
