"""Published statements (收支公示): staff draft, fill, attach vouchers, publish and correct; readers read them;
residents ask about a line.

Who: the compound's fee keepers (finance staff, the property manager) see every version and write drafts;
community staff, representatives and supervisors read published versions; residents of the compound read
them and ask about a line (a voice of kind 咨询). Views are thin: a selector or one service per request; every
POST redirects unless a form error is shown. NotAllowed → the 403 page (audited), NotFound → 404 (a draft is
not shown to exist), an illegal change (editing a published statement) → a message, nothing changed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.core.ratelimit import posts_limited
from gongzhi.estates.models import Compound
from gongzhi.estates.views.pages import domain_errors

from .. import selectors, services
from ..models import LineCategory, LineKind, Statement, StatementLine, StatementStatus, StatementVoucher
from ..periods import statement_period_default
from ..resident_selectors import LineQuestions, statement_questions, statement_versions, statements_with_totals
from ..rules import is_compound_resident, may_keep_fees, may_view_figures
from ..statement_forms import CorrectionForm, QuestionForm, StatementLineForm, StatementNewForm, VoucherForm

VOUCHER_CACHE_SECONDS = 60 * 60


def _compound(code: str) -> Compound:
    compound = Compound.objects.select_related("community").filter(code=code).first()
    if compound is None:
        raise NotFound(_("No such compound."))
    return compound


def _form_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _line(user: Any, pk: int) -> tuple[StatementLine, Statement]:
    """A line and its statement, for those who may read the statement (a draft's line is not found)."""
    statement_id = StatementLine.objects.filter(pk=pk).values_list("statement_id", flat=True).first()
    if statement_id is None:
        raise NotFound(_("No such line."))
    statement = selectors.statement_get(user=user, pk=statement_id)
    return statement.lines.get(pk=pk), statement


def _detail_url(statement: Statement, anchor: str = "") -> str:
    url = reverse("finance:statement_detail", args=[statement.pk])
    return f"{url}#{anchor}" if anchor else url


# --- The compound's statements ---------------------------------------------------------------------------------


def _list(request: HttpRequest, compound: Compound, form: StatementNewForm | None = None) -> HttpResponse:
    statements = statements_with_totals(selectors.statements_of(user=request.user, compound=compound))
    keeps = bool(may_keep_fees(request.user, compound))
    if keeps and form is None:
        form = StatementNewForm(initial={"period": statement_period_default(timezone.localdate()).label})
    context = {
        "compound": compound,
        "statements": statements,
        "keeps": keeps,
        "staff_view": bool(may_view_figures(request.user, compound)),
        "form": form if keeps else None,
    }
    return render(request, "finance/statement_list.html", context, status=400 if form and form.errors else 200)


@login_required
@require_GET
@domain_errors
def statement_list(request: HttpRequest, code: str) -> HttpResponse:
    return _list(request, _compound(code))


@login_required
@require_POST
@domain_errors
@posts_limited("statement_new")
def statement_new(request: HttpRequest, code: str) -> HttpResponse:
    compound = _compound(code)
    if not may_keep_fees(request.user, compound):
        raise NotAllowed(_("You may not publish this compound's accounts."))
    form = StatementNewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            statement = services.statement_create(
                actor=request.user, compound=compound, period=data["period"], title=data["title"], note=data["note"]
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The draft is created. Add its lines, then publish it."))
            return redirect(_detail_url(statement))
    return _list(request, compound, form)


# --- One statement ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineRow:
    """A line as the statement page shows it: its vouchers and the questions residents raised about it."""

    line: StatementLine
    vouchers: list[StatementVoucher]
    questions: LineQuestions | None


def _change_label(kind: str, category: str) -> tuple[str, str]:
    return str(LineKind(kind).label), str(LineCategory(category).label)


def _detail(request: HttpRequest, statement: Statement, status: int = 200, **bound: Any) -> HttpResponse:
    user = request.user
    compound = statement.compound
    keeps = bool(may_keep_fees(user, compound))
    editable = keeps and statement.status == StatementStatus.DRAFT
    lines = list(statement.lines.all())
    vouchers = list(statement.vouchers.all())
    difference = None
    if statement.previous is not None:
        difference = selectors.statement_difference(old=statement.previous, new=statement)
    draft_correction = None
    if keeps and statement.status == StatementStatus.PUBLISHED:
        draft_correction = statement.corrections.filter(status=StatementStatus.DRAFT).first()
    corrected_by = None
    if statement.status == StatementStatus.CORRECTED:
        corrected_by = statement.corrections.filter(
            status__in=[StatementStatus.PUBLISHED, StatementStatus.CORRECTED]
        ).first()
    questions = statement_questions(user=user, statement=statement, lines=lines) if statement.is_public else {}
    can_ask = statement.is_public and bool(is_compound_resident(user, compound))
    rows = [LineRow(line, [v for v in vouchers if v.line_id == line.pk], questions.get(line.pk)) for line in lines]
    context = {
        "statement": statement,
        "compound": compound,
        "period_last": statement.period_end - datetime.timedelta(days=1),
        "income": [r for r in rows if r.line.kind == LineKind.INCOME],
        "expenditure": [r for r in rows if r.line.kind == LineKind.EXPENDITURE],
        "totals": selectors.statement_totals(statement),
        "statement_vouchers": [v for v in vouchers if v.line_id is None],
        "difference": difference,
        "changes": [
            (change, *_change_label(change.kind, change.category))
            for change in (difference.changes if difference else [])
        ],
        "versions": statement_versions(user=user, statement=statement),
        "corrected_by": corrected_by,
        "draft_correction": draft_correction,
        "keeps": keeps,
        "staff_view": bool(may_view_figures(user, compound)),
        "editable": editable,
        "can_ask": can_ask,
        "line_form": bound.get("line_form") or (StatementLineForm() if editable else None),
        "voucher_form": bound.get("voucher_form") or (VoucherForm(lines=lines) if editable else None),
        "correct_form": bound.get("correct_form")
        or (
            CorrectionForm()
            if keeps and statement.status == StatementStatus.PUBLISHED and not draft_correction
            else None
        ),
    }
    return render(request, "finance/statement_detail.html", context, status=status)


@login_required
@require_GET
@domain_errors
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.statement_get(user=request.user, pk=pk))


def _refused(request: HttpRequest, statement: Statement, exc: Conflict) -> HttpResponse:
    """An illegal change (a published statement edited, a discarded draft…): a message, nothing changed."""
    messages.error(request, exc.message)
    return redirect(_detail_url(statement))


def _require_keeper(user: Any, statement: Statement) -> Statement:
    if not may_keep_fees(user, statement):
        raise NotAllowed(_("You may not publish this compound's accounts."))
    return statement


def _keeper_statement(request: HttpRequest, pk: int) -> Statement:
    return _require_keeper(request.user, selectors.statement_get(user=request.user, pk=pk))


@login_required
@require_POST
@domain_errors
@posts_limited("statement_edit", per_minute=60)
def statement_line_new(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _keeper_statement(request, pk)
    form = StatementLineForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.statement_line_add(
                actor=request.user,
                statement=statement,
                category=data["category"],
                item=data["item"],
                amount=data["amount"],
                note=data["note"],
            )
        except Conflict as exc:
            return _refused(request, statement, exc)
        except NotAllowed:
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The line is added."))
            return redirect(_detail_url(statement, "lines"))
    return _detail(request, statement, status=400, line_form=form)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("statement_edit", per_minute=60)
def statement_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line, statement = _line(request.user, pk)
    _require_keeper(request.user, statement)
    if statement.status != StatementStatus.DRAFT:
        messages.error(request, _("A published statement cannot be changed; publish a correction instead."))
        return redirect(_detail_url(statement))
    form = StatementLineForm.for_line(line, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.statement_line_update(
                actor=request.user,
                line=line,
                category=data["category"],
                item=data["item"],
                amount=data["amount"],
                note=data["note"],
            )
        except Conflict as exc:
            return _refused(request, statement, exc)
        except NotAllowed:
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The line is saved."))
            return redirect(_detail_url(statement, "lines"))
    context = {"statement": statement, "compound": statement.compound, "line": line, "form": form}
    return render(request, "finance/statement_line_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
@domain_errors
@posts_limited("statement_edit", per_minute=60)
def statement_line_remove(request: HttpRequest, pk: int) -> HttpResponse:
    line, statement = _line(request.user, pk)
    try:
        services.statement_line_remove(actor=request.user, line=line)
    except Conflict as exc:
        return _refused(request, statement, exc)
    messages.success(request, _("The line is removed."))
    return redirect(_detail_url(statement, "lines"))


@login_required
@require_POST
@domain_errors
@posts_limited("statement_voucher", per_minute=20)
def statement_voucher_new(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _keeper_statement(request, pk)
    lines = list(statement.lines.all())
    form = VoucherForm(request.POST, request.FILES, lines=lines)
    if form.is_valid():
        line_id = form.cleaned_data["line"]
        upload = form.cleaned_data["file"]
        try:
            services.statement_voucher_add(
                actor=request.user,
                statement=statement,
                file=upload,
                name=upload.name or "",
                line=next((ln for ln in lines if ln.pk == line_id), None),
            )
        except Conflict as exc:
            return _refused(request, statement, exc)
        except NotAllowed:
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The voucher is attached."))
            return redirect(_detail_url(statement, "vouchers"))
    return _detail(request, statement, status=400, voucher_form=form)


@login_required
@require_GET
def statement_voucher(request: HttpRequest, pk: int, voucher_id: int) -> HttpResponseBase:
    """A voucher, served only to those who may read its statement (never from MEDIA_ROOT directly)."""
    try:
        statement = selectors.statement_get(user=request.user, pk=pk)
    except (NotFound, NotAllowed) as exc:  # the same answer whether it does not exist or is not theirs to see
        raise Http404(exc.message) from exc
    voucher = statement.vouchers.filter(pk=voucher_id).first()
    if voucher is None:
        raise Http404(_("No such voucher."))
    try:
        handle = voucher.file.storage.open(voucher.file.name or "", "rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("No such voucher.")) from exc
    response = FileResponse(handle, content_type=voucher.content_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(voucher.content_type, "bin")
    response["Content-Disposition"] = f'inline; filename="voucher-{statement.pk}-{voucher.pk}.{extension}"'
    patch_cache_control(response, private=True, max_age=VOUCHER_CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return response


@login_required
@require_POST
@domain_errors
@posts_limited("statement_publish")
def statement_publish(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _keeper_statement(request, pk)
    try:
        services.statement_publish(actor=request.user, statement=statement)
    except NotAllowed:
        raise
    except DomainError as exc:
        return _refused(request, statement, Conflict(exc.message))
    messages.success(
        request, _("The statement is published. It cannot be changed any more; a correction is a new version.")
    )
    return redirect(_detail_url(statement))


@login_required
@require_POST
@domain_errors
@posts_limited("statement_publish")
def statement_discard(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _keeper_statement(request, pk)
    try:
        services.statement_discard(actor=request.user, statement=statement)
    except Conflict as exc:
        return _refused(request, statement, exc)
    messages.success(request, _("The draft is discarded."))
    return redirect("finance:statements", code=statement.compound.code)


@login_required
@require_POST
@domain_errors
@posts_limited("statement_publish")
def statement_correct(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _keeper_statement(request, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            draft = services.statement_correct(
                actor=request.user, statement=statement, reason=form.cleaned_data["reason"]
            )
        except Conflict as exc:
            return _refused(request, statement, exc)
        except NotAllowed:
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("A correction is started as a new version. Change its lines, then publish it."))
            return redirect(_detail_url(draft))
    return _detail(request, statement, status=400, correct_form=form)


# --- A resident's question about a line --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@posts_limited("statement_question", per_minute=10)
def statement_line_ask(request: HttpRequest, pk: int) -> HttpResponse:
    line, statement = _line(request.user, pk)
    if not statement.is_public:
        raise NotFound(_("No such line."))
    if not is_compound_resident(request.user, statement.compound):
        raise NotAllowed(_("Only residents of this compound may ask about its accounts."))
    asked = statement_questions(user=request.user, statement=statement, lines=[line])[line.pk].mine
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and asked is None and form.is_valid():
        try:
            voice = services.statement_question_ask(
                actor=request.user, line=line, question=form.cleaned_data["question"]
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Your question is sent as enquiry #%(id)s. Staff answer it there; you follow it in My voices.")
                % {"id": voice.pk},
            )
            return redirect(_detail_url(statement, f"line-{line.pk}"))
    context = {"statement": statement, "compound": statement.compound, "line": line, "form": form, "asked": asked}
    return render(request, "finance/statement_ask.html", context, status=400 if form.errors else 200)
