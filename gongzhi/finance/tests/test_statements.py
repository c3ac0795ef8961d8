"""Published statements (收支公示): draft → published (immutable) → corrected by a new version with a reason,
with the difference between versions; vouchers checked by content."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.finance import selectors
from gongzhi.finance.models import LineCategory, LineKind, Statement, StatementStatus
from gongzhi.finance.services import (
    statement_correct,
    statement_create,
    statement_discard,
    statement_line_add,
    statement_line_remove,
    statement_line_update,
    statement_publish,
    statement_voucher_add,
)

from .helpers import finance_state

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def draft(world: Any, keeper: Any) -> Statement:
    """A 2025Q1 draft with ¥120,000 of fees in and ¥80,000 of staff and ¥15,000.50 of cleaning out."""
    statement = statement_create(actor=keeper, compound=world.compound_a, period="2025Q1", title="2025年一季度")
    statement_line_add(actor=keeper, statement=statement, category=LineCategory.FEES, item="物业费", amount="120000")
    statement_line_add(actor=keeper, statement=statement, category=LineCategory.STAFF, item="工资", amount="80000")
    statement_line_add(
        actor=keeper, statement=statement, category=LineCategory.CLEANING, item="保洁外包", amount="15000.50"
    )
    return statement


def test_a_draft_is_totalled_and_published(world: Any, keeper: Any, draft: Statement) -> None:
    totals = selectors.statement_totals(draft)
    assert (totals.income, totals.expenditure, totals.balance) == (
        Decimal("120000.00"),
        Decimal("95000.50"),
        Decimal("24999.50"),
    )
    assert [ln.kind for ln in draft.lines.all()] == [LineKind.INCOME, LineKind.EXPENDITURE, LineKind.EXPENDITURE]
    statement_publish(actor=keeper, statement=draft)
    draft.refresh_from_db()
    assert draft.status == StatementStatus.PUBLISHED and draft.published_at is not None
    assert (draft.period_start, draft.period_end, draft.version) == (D(2025, 1, 1), D(2025, 4, 1), 1)


def test_statements_are_quarterly_by_default(world: Any, keeper: Any) -> None:
    statement = statement_create(actor=keeper, compound=world.compound_a)
    last_quarter = (statement.period_end - datetime.timedelta(days=1)).month
    assert statement.period.count("Q") == 1 and last_quarter in (3, 6, 9, 12)
    assert statement.period_end <= timezone.localdate()


def test_a_published_statement_cannot_be_edited(world: Any, keeper: Any, draft: Statement) -> None:
    statement_publish(actor=keeper, statement=draft)
    line = draft.lines.first()
    assert line is not None
    before = finance_state()
    attempts = [
        lambda: statement_line_add(actor=keeper, statement=draft, category="fees", item="补录", amount="1"),
        lambda: statement_line_update(actor=keeper, line=line, category="fees", item="物业费", amount="1"),
        lambda: statement_line_remove(actor=keeper, line=line),
        lambda: statement_publish(actor=keeper, statement=draft),
        lambda: statement_discard(actor=keeper, statement=draft),
        lambda: statement_voucher_add(actor=keeper, statement=draft, file=io.BytesIO(PDF), name="a.pdf"),
        lambda: statement_create(actor=keeper, compound=world.compound_a, period="2025Q1"),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict):
            attempt()
    assert finance_state() == before


def test_a_correction_is_a_new_version_with_a_reason_and_a_visible_difference(
    world: Any, keeper: Any, draft: Statement
) -> None:
    # given the published 2025Q1 statement
    statement_publish(actor=keeper, statement=draft)
    # when the cleaning line is corrected, a line added and the staff line removed
    correction = statement_correct(actor=keeper, statement=draft, reason="保洁费录入有误")
    lines = {ln.item: ln for ln in correction.lines.all()}
    statement_line_update(actor=keeper, line=lines["保洁外包"], category="cleaning", item="保洁外包", amount="14000.50")
    statement_line_remove(actor=keeper, line=lines["工资"])
    statement_line_add(actor=keeper, statement=correction, category="staff", item="工资及社保", amount="82000")
    statement_publish(actor=keeper, statement=correction)
    # then the new version is published, the old one "corrected" and still readable
    draft.refresh_from_db()
    correction.refresh_from_db()
    assert (draft.status, correction.status) == (StatementStatus.CORRECTED, StatementStatus.PUBLISHED)
    assert (correction.version, correction.previous, correction.correction_reason) == (2, draft, "保洁费录入有误")
    resident = world.users["resident"]
    assert list(selectors.statements_of(user=resident, compound=world.compound_a)) == [correction, draft]
    # and the difference says what changed, line by line and in total
    diff = selectors.statement_difference(old=draft, new=correction)
    assert [(c.item, c.before, c.after, c.delta) for c in diff.changes] == [
        ("工资", Decimal("80000.00"), None, Decimal("-80000.00")),
        ("保洁外包", Decimal("15000.50"), Decimal("14000.50"), Decimal("-1000.00")),
        ("工资及社保", None, Decimal("82000.00"), Decimal("82000.00")),
    ]
    assert (diff.income_delta, diff.expenditure_delta, diff.balance_delta) == (
        Decimal("0.00"),
        Decimal("1000.00"),
        Decimal("-1000.00"),
    )


def test_a_correction_that_changes_nothing_is_not_published(world: Any, keeper: Any, draft: Statement) -> None:
    statement_publish(actor=keeper, statement=draft)
    correction = statement_correct(actor=keeper, statement=draft, reason="复核")
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        statement_publish(actor=keeper, statement=correction)
    assert refused.value.code == "unchanged"
    assert finance_state() == before


def test_a_correction_needs_a_reason_and_a_published_version(world: Any, keeper: Any, draft: Statement) -> None:
    before = finance_state()
    with pytest.raises(Conflict):
        statement_correct(actor=keeper, statement=draft, reason="草稿不能更正")
    statement_publish(actor=keeper, statement=draft)
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        statement_correct(actor=keeper, statement=draft, reason="  ")
    assert refused.value.field == "reason"
    assert finance_state() == before


def test_one_correction_at_a_time_and_a_discarded_one_can_be_redone(world: Any, keeper: Any, draft: Statement) -> None:
    statement_publish(actor=keeper, statement=draft)
    first = statement_correct(actor=keeper, statement=draft, reason="第一次")
    with pytest.raises(Conflict):
        statement_correct(actor=keeper, statement=draft, reason="第二次")
    statement_discard(actor=keeper, statement=first)
    second = statement_correct(actor=keeper, statement=draft, reason="第二次")
    assert (first.version, second.version) == (2, 3)
    draft.refresh_from_db()
    assert draft.status == StatementStatus.PUBLISHED  # until a correction is published


def test_an_empty_statement_is_not_published(world: Any, keeper: Any) -> None:
    statement = statement_create(actor=keeper, compound=world.compound_a, period="2025Q2")
    with pytest.raises(DomainError) as refused:
        statement_publish(actor=keeper, statement=statement)
    assert refused.value.code == "empty"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "a lot"}, "amount"),
        ({"amount": "1.999"}, "amount"),
        ({"category": "bribes"}, "category"),
        ({"item": ""}, "item"),
    ],
)
def test_bad_lines_are_refused_and_change_nothing(
    world: Any, keeper: Any, draft: Statement, changes: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {"category": "greening", "item": "绿化", "amount": "100", **changes}
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        statement_line_add(actor=keeper, statement=draft, **args)
    assert refused.value.field == field
    assert finance_state() == before


def test_a_second_draft_for_a_period_is_refused(world: Any, keeper: Any, draft: Statement) -> None:
    with pytest.raises(Conflict):
        statement_create(actor=keeper, compound=world.compound_a, period="2025Q1")


def test_a_statement_that_does_not_exist_is_not_found(world: Any, keeper: Any) -> None:
    with pytest.raises(NotFound):
        statement_publish(actor=keeper, statement=123456)


# --- Vouchers --------------------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _jpeg_with_exif() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    Image.new("RGB", (20, 10), "red").save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_vouchers_are_checked_by_content_and_photos_lose_their_exif(
    world: Any, keeper: Any, draft: Statement, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    line = draft.lines.first()
    pdf = statement_voucher_add(actor=keeper, statement=draft, file=io.BytesIO(PDF), name="C:\\票据\\发票.pdf")
    photo = statement_voucher_add(
        actor=keeper, statement=draft, file=io.BytesIO(_jpeg_with_exif()), name="收据.jpg", line=line
    )
    assert (pdf.content_type, pdf.original_name) == ("application/pdf", "发票.pdf")
    assert pdf.file.name.endswith(".pdf") and "发票" not in pdf.file.name
    assert photo.content_type == "image/jpeg" and photo.line == line
    with photo.file.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (20, 10)
        assert not image.getexif()
    # a correction carries the vouchers over, attached to the copied lines
    statement_publish(actor=keeper, statement=draft)
    correction = statement_correct(actor=keeper, statement=draft, reason="补充")
    copied = {v.original_name: v for v in correction.vouchers.all()}
    assert set(copied) == {"发票.pdf", "收据.jpg"}
    assert copied["收据.jpg"].line is not None and copied["收据.jpg"].line.statement_id == correction.pk


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "invalid_file"),
        (b"MZ\x90\x00 this is an exe", "invalid_file"),
        (b"<html><script>alert(1)</script></html>", "invalid_file"),
        (b"%PDF-1.4 truncated", "invalid_file"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "invalid_file"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024) + b"%%EOF", "too_large"),
    ],
)
def test_bad_vouchers_are_refused(
    world: Any, keeper: Any, draft: Statement, settings: Any, tmp_path: Any, content: bytes, code: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        statement_voucher_add(actor=keeper, statement=draft, file=io.BytesIO(content), name="x.pdf")
    assert (refused.value.code, refused.value.field) == (code, "file")
    assert finance_state() == before
    assert not any(tmp_path.rglob("*.*"))
