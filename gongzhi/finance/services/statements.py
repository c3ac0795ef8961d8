"""Published statements of income and expenditure (收支公示): draft → published (immutable) → corrected.

A correction is a new version copied from the published one, with a reason; publishing it marks the old
version "corrected" (still readable) and the difference between the two is computed by
``selectors.statement_difference``.
"""

from __future__ import annotations

from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.estates.models import Compound

from ..models import (
    CATEGORY_KIND,
    LineCategory,
    Statement,
    StatementLine,
    StatementStatus,
    StatementVoucher,
)
from ..money import money_parse
from ..periods import Period, statement_period_default
from ..rules import may_keep_fees
from ..uploads import voucher_check
from ._common import clean_text, move, require, today

LINE_FIELDS = ["kind", "category", "item", "amount", "note"]


def _statement_for_update(statement: Statement | int) -> Statement:
    pk = statement if isinstance(statement, int) else statement.pk
    found = Statement.objects.select_for_update().select_related("compound").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such statement."))
    return found


def _editable(statement: Statement) -> None:
    if statement.status != StatementStatus.DRAFT:
        raise Conflict(
            _("A published statement cannot be changed; publish a correction instead.")
            if statement.is_public
            else _("This statement was discarded."),
            code="immutable",
        )


@transaction.atomic
def statement_create(
    *, actor: Any, compound: Compound, period: str | Period | None = None, title: str = "", note: str = ""
) -> Statement:
    """A new draft statement for a period (by default the last quarter that has ended).

    Refused when the period already has a draft, or a published statement (correct that one instead).
    """
    require(may_keep_fees(actor, compound), _("You may not publish this compound's accounts."))
    p = period if isinstance(period, Period) else Period.parse(period) if period else statement_period_default(today())
    title = clean_text(title, field="title", max_length=100, required=False)
    note = clean_text(note, field="note", max_length=2000, required=False)
    Compound.objects.select_for_update().only("pk").get(pk=compound.pk)
    versions = Statement.objects.filter(community_id=compound.community_id, compound=compound, period=p.label)
    if versions.filter(status=StatementStatus.DRAFT).exists():
        raise Conflict(_("There is already a draft for %(period)s.") % {"period": p.label}, code="duplicate")
    if versions.filter(status=StatementStatus.PUBLISHED).exists():
        raise Conflict(
            _("The statement for %(period)s is published; publish a correction instead.") % {"period": p.label},
            code="duplicate",
        )
    last = versions.aggregate(v=Max("version"))["v"] or 0
    statement = Statement.objects.create(
        community_id=compound.community_id,
        compound=compound,
        period=p.label,
        period_start=p.start,
        period_end=p.end,
        version=last + 1,
        title=title,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        verb="statement.create",
        obj=statement,
        community_id=statement.community_id,
        after=snapshot(statement, ["period", "version", "title"]),
    )
    return statement


def _clean_line(category: str, item: str, amount: object, note: str) -> tuple[str, str, str, Any, str]:
    if category not in LineCategory.values:
        raise DomainError(_("Choose a category."), field="category", code="invalid_category")
    return (
        CATEGORY_KIND[category],
        category,
        clean_text(item, field="item", max_length=100),
        money_parse(amount, allow_zero=True),
        clean_text(note, field="note", required=False),
    )


@transaction.atomic
def statement_line_add(
    *, actor: Any, statement: Statement | int, category: str, item: str, amount: object, note: str = ""
) -> StatementLine:
    """Add an income or expenditure line (the category says which) to a draft."""
    locked = _statement_for_update(statement)
    require(may_keep_fees(actor, locked), _("You may not publish this compound's accounts."))
    _editable(locked)
    kind, category, item, value, note = _clean_line(category, item, amount, note)
    position = (locked.lines.aggregate(p=Max("position"))["p"] or 0) + 1
    line = StatementLine.objects.create(
        community_id=locked.community_id,
        statement=locked,
        kind=kind,
        category=category,
        item=item,
        amount=value,
        note=note,
        position=position,
    )
    audit_record(
        actor=actor,
        verb="statement.line_add",
        obj=locked,
        community_id=locked.community_id,
        after={"line": line.pk, **snapshot(line, LINE_FIELDS)},
    )
    return line


def _line_for_update(line: StatementLine | int) -> tuple[StatementLine, Statement]:
    pk = line if isinstance(line, int) else line.pk
    statement_id = StatementLine.objects.filter(pk=pk).values_list("statement_id", flat=True).first()
    if statement_id is None:
        raise NotFound(_("No such line."))
    statement = _statement_for_update(statement_id)
    return StatementLine.objects.get(pk=pk), statement


@transaction.atomic
def statement_line_update(
    *, actor: Any, line: StatementLine | int, category: str, item: str, amount: object, note: str = ""
) -> StatementLine:
    found, statement = _line_for_update(line)
    require(may_keep_fees(actor, statement), _("You may not publish this compound's accounts."))
    _editable(statement)
    before = snapshot(found, LINE_FIELDS)
    found.kind, found.category, found.item, found.amount, found.note = _clean_line(category, item, amount, note)
    found.save(update_fields=LINE_FIELDS)
    audit_record(
        actor=actor,
        verb="statement.line_update",
        obj=statement,
        community_id=statement.community_id,
        before={"line": found.pk, **before},
        after={"line": found.pk, **snapshot(found, LINE_FIELDS)},
    )
    return found


@transaction.atomic
def statement_line_remove(*, actor: Any, line: StatementLine | int) -> None:
    found, statement = _line_for_update(line)
    require(may_keep_fees(actor, statement), _("You may not publish this compound's accounts."))
    _editable(statement)
    before = {"line": found.pk, **snapshot(found, LINE_FIELDS)}
    found.delete()
    audit_record(
        actor=actor, verb="statement.line_remove", obj=statement, community_id=statement.community_id, before=before
    )


@transaction.atomic
def statement_voucher_add(
    *, actor: Any, statement: Statement | int, file: IO[bytes], name: str, line: StatementLine | None = None
) -> StatementVoucher:
    """Attach a voucher (PDF, JPEG or PNG, checked by content, photos re-encoded) to a draft or one of its lines."""
    locked = _statement_for_update(statement)
    require(may_keep_fees(actor, locked), _("You may not publish this compound's accounts."))
    _editable(locked)
    if line is not None and line.statement_id != locked.pk:
        raise DomainError(_("This line belongs to another statement."), field="line")
    if locked.vouchers.count() >= StatementVoucher.MAX_PER_STATEMENT:
        raise DomainError(
            _("A statement has at most %(max)d vouchers.") % {"max": StatementVoucher.MAX_PER_STATEMENT},
            field="file",
            code="too_many",
        )
    checked = voucher_check(file, name)
    voucher = StatementVoucher(
        community_id=locked.community_id,
        statement=locked,
        line=line,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=len(checked.content),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        uploaded_at=timezone.now(),
    )
    voucher.file.save("voucher", ContentFile(checked.content), save=False)
    voucher.save()
    audit_record(
        actor=actor,
        verb="statement.voucher_add",
        obj=locked,
        community_id=locked.community_id,
        after={
            "voucher": voucher.pk,
            "name": voucher.original_name,
            "type": voucher.content_type,
            "size": voucher.size,
        },
    )
    return voucher


def _same_lines(a: Statement, b: Statement) -> bool:
    def key(s: Statement) -> list[tuple[str, str, str, str]]:
        return sorted((ln.kind, ln.category, ln.item, str(ln.amount)) for ln in s.lines.all())

    return key(a) == key(b)


@transaction.atomic
def statement_publish(*, actor: Any, statement: Statement | int) -> Statement:
    """Publish a draft: from now on it never changes. A correction replaces the version it corrects."""
    locked = _statement_for_update(statement)
    require(may_keep_fees(actor, locked), _("You may not publish this compound's accounts."))
    _editable(locked)
    if not locked.lines.exists():
        raise DomainError(_("Add at least one line before publishing."), code="empty")
    previous = None
    if locked.previous_id is not None:
        previous = _statement_for_update(locked.previous_id)
        if _same_lines(previous, locked):
            raise DomainError(_("The correction changes no line."), code="unchanged")
        move(previous, StatementStatus.CORRECTED, transitions=Statement.TRANSITIONS, labels=StatementStatus)
        previous.save(update_fields=["status", "updated_at"])
    move(locked, StatementStatus.PUBLISHED, transitions=Statement.TRANSITIONS, labels=StatementStatus)
    locked.published_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="statement.publish",
        obj=locked,
        community_id=locked.community_id,
        before={"status": StatementStatus.DRAFT},
        after={"status": locked.status, "version": locked.version, "corrects": locked.previous_id},
    )
    return locked


@transaction.atomic
def statement_correct(*, actor: Any, statement: Statement | int, reason: str) -> Statement:
    """Start a correction of a published statement: a new draft version with its lines and vouchers, and the
    reason residents will read beside the difference. The published version stays until it is published."""
    locked = _statement_for_update(statement)
    require(may_keep_fees(actor, locked), _("You may not publish this compound's accounts."))
    reason = clean_text(reason, field="reason", max_length=500)
    if locked.status != StatementStatus.PUBLISHED:
        raise Conflict(_("Only the published version of a statement can be corrected."), code="illegal_transition")
    if locked.corrections.filter(status=StatementStatus.DRAFT).exists():
        raise Conflict(_("A correction of this statement is already being prepared."), code="duplicate")
    last = (
        Statement.objects.filter(
            community_id=locked.community_id, compound_id=locked.compound_id, period=locked.period
        ).aggregate(v=Max("version"))["v"]
        or locked.version
    )
    try:
        with transaction.atomic():
            draft = Statement.objects.create(
                community_id=locked.community_id,
                compound_id=locked.compound_id,
                period=locked.period,
                period_start=locked.period_start,
                period_end=locked.period_end,
                version=last + 1,
                previous=locked,
                title=locked.title,
                note=locked.note,
                correction_reason=reason,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise Conflict(_("A correction of this statement is already being prepared."), code="duplicate") from None
    lines = {}
    for line in locked.lines.all():
        lines[line.pk] = StatementLine.objects.create(
            community_id=line.community_id,
            statement=draft,
            kind=line.kind,
            category=line.category,
            item=line.item,
            amount=line.amount,
            note=line.note,
            position=line.position,
        )
    StatementVoucher.objects.bulk_create(
        StatementVoucher(
            community_id=v.community_id,
            statement=draft,
            line=lines.get(v.line_id) if v.line_id else None,
            file=v.file.name,
            original_name=v.original_name,
            content_type=v.content_type,
            size=v.size,
            uploaded_by=v.uploaded_by,
            uploaded_at=v.uploaded_at,
        )
        for v in locked.vouchers.all()
    )
    audit_record(
        actor=actor,
        verb="statement.correct",
        obj=draft,
        community_id=draft.community_id,
        after={"corrects": locked.pk, "version": draft.version, "reason": reason},
    )
    return draft


@transaction.atomic
def statement_discard(*, actor: Any, statement: Statement | int) -> Statement:
    """Throw away a draft (a first draft or a correction not published): kept, discarded, for the record."""
    locked = _statement_for_update(statement)
    require(may_keep_fees(actor, locked), _("You may not publish this compound's accounts."))
    _editable(locked)
    before = move(locked, StatementStatus.DISCARDED, transitions=Statement.TRANSITIONS, labels=StatementStatus)
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        verb="statement.discard",
        obj=locked,
        community_id=locked.community_id,
        before={"status": before},
        after={"status": locked.status},
    )
    return locked
