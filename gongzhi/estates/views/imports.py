"""Ledger pages: upload → preview (every bad row) → confirm → progress → done; cancel; template; export.

Only users with ``estates.edit_ledger`` on the compound reach these pages (``compound_get`` with the
editor roles); everyone else gets 403. The work is done by ``estates.ledger`` services and tasks. Every
ledger in ``SPECS`` (houses, work orders) is uploaded, exported and downloaded as a template here.
"""

from __future__ import annotations

import tempfile
from typing import IO, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts.roles import ESTATE_EDITORS
from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited, rate_limit_hit
from gongzhi.estates.models import Compound, ImportStatus, LedgerImport
from gongzhi.estates.selectors import compound_get, imports_for

from ..ledger import SPECS
from ..ledger.access import ledger_may_export
from ..ledger.forms import LedgerUploadForm
from ..ledger.imports import ledger_import_cancel, ledger_import_confirm, ledger_import_create
from ..ledger.report import report_view
from ..ledger.selectors import ledger_editor, ledger_import_get
from ..ledger.services import ledger_export, ledger_template
from ..ledger.spec import LedgerSpec

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNNING = (ImportStatus.CHECKING, ImportStatus.APPLYING)
# Multipart framing around the file: a request this much over the file limit is refused unread.
UPLOAD_OVERHEAD = 64 * 1024
UPLOADS_PER_MINUTE = 10


def _compound(request: HttpRequest, code: str) -> Compound:
    try:
        return compound_get(user=request.user, code=code, roles=ESTATE_EDITORS)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound:
        raise Http404 from None


def _import(compound: Compound, pk: int) -> LedgerImport:
    try:
        return ledger_import_get(compound=compound, pk=pk)
    except NotFound:
        raise Http404 from None


def _ledger_title(ledger: str) -> str:
    return _(SPECS[ledger].title) if ledger in SPECS else ledger


def _list(request: HttpRequest, compound: Compound, form: LedgerUploadForm, error: str = "") -> HttpResponse:
    context = {
        "compound": compound,
        "form": form,
        "error": error,
        "imports": [(imp, _ledger_title(imp.ledger)) for imp in imports_for(compound=compound)[:30]],
        "in_wechat": "MicroMessenger" in request.headers.get("User-Agent", ""),
        "ledgers": [
            {
                "name": name,
                "title": _(spec.title),
                "can_export": ledger_may_export(request.user, compound, has_phones=spec.export_has_phones),
            }
            for name, spec in SPECS.items()
        ],
    }
    return render(request, "estates/imports/list.html", context)


@login_required
@require_GET
def import_list(request: HttpRequest, code: str) -> HttpResponse:
    return _list(request, _compound(request, code), LedgerUploadForm())


@login_required
def import_new(request: HttpRequest, code: str) -> HttpResponse:
    compound = _compound(request, code)
    if request.method != "POST":
        return _list(request, compound, LedgerUploadForm())
    if rate_limit_hit(scope="ledger_upload", key=str(request.user.pk), limit=UPLOADS_PER_MINUTE):
        return _list(request, compound, LedgerUploadForm(), _("Too many uploads; wait a minute and try again."))
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.LEDGER_MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD:
        return _list(request, compound, LedgerUploadForm(), _too_big())
    form = LedgerUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            ledger_import = ledger_import_create(
                actor=request.user,
                compound=compound,
                ledger=form.cleaned_data["ledger"],
                upload=form.cleaned_data["file"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("estates:import_detail", code=compound.code, pk=ledger_import.pk)
    return _list(request, compound, form)


def _too_big() -> str:
    limit = round(settings.LEDGER_MAX_UPLOAD_BYTES / 1024 / 1024, 1)
    return _("The file is larger than %(limit)s MB; split it into smaller files.") % {"limit": limit}


@login_required
@require_GET
def import_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    compound = _compound(request, code)
    ledger_import = _import(compound, pk)
    context = {
        "compound": compound,
        "imp": ledger_import,
        "ledger_title": _ledger_title(ledger_import.ledger),
        "report": report_view(ledger_import),
        "running": ledger_import.status in RUNNING,
    }
    return render(request, "estates/imports/detail.html", context)


@login_required
@require_GET
def import_progress(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Polled every second by the progress bar; when the worker is done, htmx reloads the import page."""
    compound = _compound(request, code)
    ledger_import = _import(compound, pk)
    if ledger_import.status not in RUNNING:
        url = reverse("estates:import_detail", kwargs={"code": compound.code, "pk": ledger_import.pk})
        if not request.headers.get("HX-Request"):
            return redirect(url)
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return render(request, "estates/imports/_progress.html", {"compound": compound, "imp": ledger_import})


@login_required
@require_POST
@posts_limited("import_confirm")
def import_confirm(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    compound = _compound(request, code)
    ledger_import = _import(compound, pk)
    try:
        ledger_import_confirm(actor=request.user, ledger_import=ledger_import)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("estates:import_detail", code=compound.code, pk=ledger_import.pk)


@login_required
@require_POST
@posts_limited("import_cancel")
def import_cancel(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    compound = _compound(request, code)
    ledger_import = _import(compound, pk)
    try:
        ledger_import_cancel(actor=request.user, ledger_import=ledger_import)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("estates:import_detail", code=compound.code, pk=ledger_import.pk)
    messages.success(request, _("The import was cancelled; nothing was changed."))
    return redirect("estates:import_list", code=compound.code)


def _xlsx_response(out: IO[bytes], filename: str) -> FileResponse:
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response


def _spec(ledger: str) -> LedgerSpec[Any]:
    if ledger not in SPECS:
        raise Http404
    return SPECS[ledger]


@login_required
@require_GET
def export_ledger(request: HttpRequest, code: str, ledger: str) -> FileResponse:
    compound = _compound(request, code)
    spec = _spec(ledger)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    try:
        ledger_export(actor=request.user, compound=compound, ledger=spec.name, out=out)
    except NotAllowed as exc:
        out.close()
        raise PermissionDenied(exc.message) from None
    out.seek(0)
    return _xlsx_response(out, f"{compound.code}-{spec.sheet_title}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_GET
def template_ledger(request: HttpRequest, ledger: str) -> FileResponse:
    if not ledger_editor(request.user):
        raise PermissionDenied
    spec = _spec(ledger)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    ledger_template(ledger=spec.name, out=out)
    out.seek(0)
    return _xlsx_response(out, f"{spec.sheet_title}模板.xlsx")
