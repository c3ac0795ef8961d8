"""Bulk progress updates: export the items of the current filter to .xlsx, upload the edited file, see a preview
of every change and every bad row, confirm — all or nothing (``actions_bulk_update``).

The preview is a dry run of the very update the confirmation makes; the rows it read wait in the session under
a one-time token (one upload at a time per session), so confirming applies what was previewed, checked again.
"""

from __future__ import annotations

import io
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import DomainError, NotAllowed, NotFound

from .. import selectors, services
from ..actions_sheet import (
    COLUMNS,
    actions_sheet_read,
    actions_workbook_write,
    export_filename,
    header_label,
    sheet_ids,
)
from ..models import ActionStatus
from ..services import BulkError, BulkRefused, BulkRow, Change
from .actions import filtered_actions, require_action_staff
from .actions_forms import BulkConfirmForm, BulkUploadForm
from .common import domain_errors, post_view

SESSION_KEY = "meetings_actions_bulk"
EXPORT_MAX = 5000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
@domain_errors
def actions_export(request: HttpRequest) -> HttpResponse:
    require_action_staff(request.user)
    _form, qs, _data = filtered_actions(request)
    out = io.BytesIO()
    actions_workbook_write(out, qs[:EXPORT_MAX])
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _column_label(field: str) -> str:
    key = {"due_on": "due_on", "id": "id"}.get(field, field)
    return header_label(key) if key in COLUMNS else ""


def _error_rows(errors: list[BulkError]) -> list[dict[str, Any]]:
    return [
        {"row": e.row, "column": _column_label(e.field), "message": e.message}
        for e in sorted(errors, key=lambda e: (e.row, e.field))
    ]


def _change_rows(changes: list[Change], titles: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {
            "id": c.item_id,
            "title": titles.get(c.item_id, ""),
            "status_before": ActionStatus(c.status_before).label if c.status_before else "",
            "status_after": ActionStatus(c.status_after).label,
            "status_changed": c.status_before != c.status_after,
            "progress_before": c.progress_before,
            "progress_after": c.progress_after,
        }
        for c in changes
    ]


def _rows_json(rows: list[BulkRow]) -> list[dict[str, Any]]:
    return [
        {"id": r.id, "progress": r.progress, "status": r.status, "note": r.note, "reason": r.reason, "row": r.row}
        for r in rows
    ]


def _rows_from_json(data: list[dict[str, Any]]) -> list[BulkRow]:
    return [
        BulkRow(
            id=d.get("id"),
            progress=d.get("progress"),
            status=d.get("status") or "",
            note=d.get("note") or "",
            reason=d.get("reason") or "",
            row=int(d.get("row") or 0),
        )
        for d in data
    ]


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("form", BulkUploadForm())
    return render(request, "meetings/actions/import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def actions_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: read the file and show the preview (nothing is changed yet)."""
    user = request.user
    require_action_staff(user)
    if request.method == "GET":
        return _page(request, {})
    form = BulkUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    try:
        ids = sheet_ids(upload, upload.name)
        current = {i.pk: i for i in selectors.actions_visible(user=user).filter(pk__in=ids)}
        read = actions_sheet_read(upload, upload.name, current=current)
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        form.add_error("file", exc.message)
        return _page(request, {"form": form}, status=400)
    errors = list(read.errors)
    changes: list[Change] = []
    if read.rows:
        try:
            changes = services.actions_bulk_update(actor=user, rows=read.rows, dry_run=True).changes
        except BulkRefused as refused:
            errors.extend(refused.errors)
        except (NotAllowed, NotFound):
            raise
        except DomainError as exc:
            form.add_error("file", exc.message)
            return _page(request, {"form": form}, status=400)
    titles = {pk: item.title for pk, item in current.items()}
    context: dict[str, Any] = {
        "form": form,
        "name": upload.name,
        "unchanged": read.unchanged,
        "errors": _error_rows(errors),
        "error_rows": len({e.row for e in errors}),
        "changes": _change_rows(changes, titles),
    }
    if errors:
        request.session.pop(SESSION_KEY, None)
        return _page(request, context, status=400)
    if not read.rows:
        context["nothing"] = True
        return _page(request, context)
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {"token": token, "rows": _rows_json(read.rows), "name": upload.name}
    context["confirm_form"] = BulkConfirmForm(initial={"token": token})
    return _page(request, context)


@post_view("actions_import", per_minute=10)
def actions_import_confirm(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_action_staff(user)
    form = BulkConfirmForm(request.POST)
    pending = request.session.get(SESSION_KEY) or {}
    if (
        not form.is_valid()
        or not pending
        or not secrets.compare_digest(str(pending.get("token", "")), form.cleaned_data["token"])
    ):
        messages.error(request, _("This preview has expired or was already applied: upload the file again."))
        return redirect("meetings:actions_import")
    rows = _rows_from_json(pending.get("rows") or [])
    try:
        result = services.actions_bulk_update(actor=user, rows=rows)
    except BulkRefused as refused:
        request.session.pop(SESSION_KEY, None)
        context = {
            "name": pending.get("name", ""),
            "errors": _error_rows(refused.errors),
            "error_rows": len({e.row for e in refused.errors}),
            "changes": [],
            "stale": True,
        }
        return _page(request, context, status=400)
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, exc.message)
        return redirect("meetings:actions_import")
    request.session.pop(SESSION_KEY, None)
    n = len(result.changes)
    messages.success(
        request, ngettext("%(n)d action item was updated.", "%(n)d action items were updated.", n) % {"n": n}
    )
    return redirect("meetings:actions")
