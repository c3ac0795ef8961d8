"""Ledger pages: upload → preview (every bad row) → confirm → progress → done; cancel; template; export.

Each ledger has its editors (``LedgerSpec.may_edit``: by default ``estates.edit_ledger``; the fee ledger,
finance staff and the property manager). The ledgers page lists the ledgers the user may import; without
``?ledger=`` it is the estate editors' page, with ``?ledger=NAME`` the page of that one ledger (how finance
staff reach the fee ledger). An import, its export and its template are reached by that ledger's editors
only; everyone else gets 403. The work is done by ``estates.ledger`` services and tasks. Every ledger in
``SPECS`` (houses, work orders, fees) is uploaded, exported and downloaded as a template here.
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
from gongzhi.estates.scope import roles_in_compound
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


def _compound(request: HttpRequest, code: str, roles: frozenset[str] = ESTATE_EDITORS) -> Compound:
    try:
        return compound_get(user=request.user, code=code, roles=roles)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound:
        raise Http404 from None


def _any_editor_roles() -> frozenset[str]:
    """The roles that keep some ledger: who may reach an import before its ledger is known."""
    return frozenset().union(*(spec.editor_roles for spec in SPECS.values()))


def _named_spec(name: str | None) -> LedgerSpec[Any] | None:
    """The ledger a page names (``?ledger=`` or the posted field); None when it names none; 404 when unknown."""
    if not name:
        return None
    if name not in SPECS:
        raise Http404
    return SPECS[name]


def _import(request: HttpRequest, compound: Compound, pk: int) -> LedgerImport:
    """The import, for its ledger's editors only."""
    try:
        ledger_import = ledger_import_get(compound=compound, pk=pk)
    except NotFound:
        raise Http404 from None
    spec = SPECS.get(ledger_import.ledger)
    if spec is None or not spec.may_edit(request.user, compound):
        raise PermissionDenied(_("You may not import or export the ledgers of this compound."))
    return ledger_import


def _ledger_title(ledger: str) -> str:
    return _(SPECS[ledger].title) if ledger in SPECS else ledger


def _list_url(user: Any, compound: Compound, ledger: str) -> str:
    """The ledgers page the user may open: the estate editors' page, else the page of this one ledger."""
    url = reverse("estates:import_list", args=[compound.code])
    if user.is_superuser or roles_in_compound(user, compound) & ESTATE_EDITORS:
        return url
    return f"{url}?ledger={ledger}"


def _offered(user: Any, compound: Compound, spec: LedgerSpec[Any] | None) -> list[LedgerSpec[Any]]:
    """The ledgers the page offers: the one it names, else every ledger the user may import."""
    if spec is not None:
        return [spec]
    return [s for s in SPECS.values() if s.may_edit(user, compound)]


def _list(
    request: HttpRequest,
    compound: Compound,
    specs: list[LedgerSpec[Any]],
    form: LedgerUploadForm | None = None,
    error: str = "",
    *,
    named: LedgerSpec[Any] | None = None,
) -> HttpResponse:
    names = [spec.name for spec in specs]
    context = {
        "compound": compound,
        "form": form or LedgerUploadForm(specs=specs),
        "error": error,
        "named": named.name if named is not None else "",
        "imports": [
            (imp, _ledger_title(imp.ledger)) for imp in imports_for(compound=compound).filter(ledger__in=names)[:30]
        ],
        "in_wechat": "MicroMessenger" in request.headers.get("User-Agent", ""),
        "ledgers": [
            {
                "name": spec.name,
                "title": _(spec.title),
                "can_export": ledger_may_export(request.user, compound, has_phones=spec.export_has_phones, spec=spec),
            }
            for spec in specs
        ],
    }
    return render(request, "estates/imports/list.html", context)


@login_required
@require_GET
def import_list(request: HttpRequest, code: str) -> HttpResponse:
    spec = _named_spec(request.GET.get("ledger"))
    compound = _compound(request, code, spec.editor_roles if spec is not None else ESTATE_EDITORS)
    return _list(request, compound, _offered(request.user, compound, spec), named=spec)


@login_required
def import_new(request: HttpRequest, code: str) -> HttpResponse:
    if request.method != "POST":
        named = _named_spec(request.GET.get("ledger"))
        compound = _compound(request, code, named.editor_roles if named is not None else ESTATE_EDITORS)
        return _list(request, compound, _offered(request.user, compound, named), named=named)
    # Limits first, before the body is read; then the posted ledger decides who may upload.
    compound = _compound(request, code, _any_editor_roles())
    specs = _offered(request.user, compound, None)
    if not specs:
        raise PermissionDenied(_("You may not import or export the ledgers of this compound."))
    if rate_limit_hit(scope="ledger_upload", key=str(request.user.pk), limit=UPLOADS_PER_MINUTE):
        return _list(request, compound, specs, error=_("Too many uploads; wait a minute and try again."))
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.LEDGER_MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD:
        return _list(request, compound, specs, error=_too_big())
    named = _named_spec(request.POST.get("ledger"))
    if named is None and not (request.user.is_superuser or roles_in_compound(request.user, compound) & ESTATE_EDITORS):
        raise PermissionDenied(_("You may not import or export the ledgers of this compound."))
    if named is not None and named not in specs:
        raise PermissionDenied(_("You may not import or export the ledgers of this compound."))
    form = LedgerUploadForm(request.POST, request.FILES, specs=specs)
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
    return _list(request, compound, specs, form)


def _too_big() -> str:
    limit = round(settings.LEDGER_MAX_UPLOAD_BYTES / 1024 / 1024, 1)
    return _("The file is larger than %(limit)s MB; split it into smaller files.") % {"limit": limit}


@login_required
@require_GET
def import_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    compound = _compound(request, code, _any_editor_roles())
    ledger_import = _import(request, compound, pk)
    context = {
        "compound": compound,
        "imp": ledger_import,
        "list_url": _list_url(request.user, compound, ledger_import.ledger),
        "ledger_title": _ledger_title(ledger_import.ledger),
        "report": report_view(ledger_import),
        "running": ledger_import.status in RUNNING,
    }
    return render(request, "estates/imports/detail.html", context)


@login_required
@require_GET
def import_progress(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Polled every second by the progress bar; when the worker is done, htmx reloads the import page."""
    compound = _compound(request, code, _any_editor_roles())
    ledger_import = _import(request, compound, pk)
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
    compound = _compound(request, code, _any_editor_roles())
    ledger_import = _import(request, compound, pk)
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
    compound = _compound(request, code, _any_editor_roles())
    ledger_import = _import(request, compound, pk)
    try:
        ledger_import_cancel(actor=request.user, ledger_import=ledger_import)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("estates:import_detail", code=compound.code, pk=ledger_import.pk)
    messages.success(request, _("The import was cancelled; nothing was changed."))
    return redirect(_list_url(request.user, compound, ledger_import.ledger))


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
    spec = _spec(ledger)
    compound = _compound(request, code, spec.editor_roles)
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
    spec = _spec(ledger)
    if not ledger_editor(request.user, spec.editor_roles):
        raise PermissionDenied
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    ledger_template(ledger=spec.name, out=out)
    out.seek(0)
    return _xlsx_response(out, f"{spec.sheet_title}模板.xlsx")
