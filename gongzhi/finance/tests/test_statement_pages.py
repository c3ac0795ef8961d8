"""Published statements (收支公示) on pages: who may do what, drafting, publishing, corrections and their
difference, vouchers, and a resident's question about a line becoming an enquiry.

Compound A's fee keepers (finance staff, the property manager) draft and publish; community staff,
representatives and supervisors read published versions; the resident of compound A reads them and asks
about a line; nobody else sees anything (a draft is not shown to exist).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.core.models import AuditEvent
from gongzhi.finance import services as s
from gongzhi.finance.models import Statement, StatementLine, StatementStatus, StatementVoucher
from gongzhi.testing.voices_factories import category
from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices.models import Kind, Voice

from .helpers import finance_state

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

KEEPERS = {"finance", "property_manager", "superuser"}
READERS = KEEPERS | {
    "secretary",
    "grid_worker",
    "community_staff",
    "representative",
    "sub_district_supervisor",
    "district_supervisor",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def published(world: Any, period: str = "2025Q1") -> Statement:
    """A published statement of compound A: fees ¥120,000.00 in, cleaning ¥30,000.00 and lifts ¥12,000.00 out."""
    keeper = world.users["finance"]
    draft = s.statement_create(actor=keeper, compound=world.compound_a, period=period, title="一季度收支")
    s.statement_line_add(actor=keeper, statement=draft, category="fees", item="物业费收入", amount="120000.00")
    s.statement_line_add(actor=keeper, statement=draft, category="cleaning", item="保洁外包", amount="30000.00")
    s.statement_line_add(actor=keeper, statement=draft, category="maintenance", item="电梯维保", amount="12000.00")
    return s.statement_publish(actor=keeper, statement=draft)


def a_draft(world: Any, period: str = "2025Q2") -> Statement:
    keeper = world.users["finance"]
    draft = s.statement_create(actor=keeper, compound=world.compound_a, period=period)
    s.statement_line_add(actor=keeper, statement=draft, category="fees", item="物业费收入", amount="100.00")
    return draft


def refused(response: Any, role: str) -> bool:
    if role == "anonymous":
        return response.status_code == 302 and "/accounts/login/" in response["Location"]
    return response.status_code in (403, 404)


# --- Authorization matrix -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_on_the_statement_pages(world, client_for, role):
    # given a published statement with a voucher, and a draft, of compound A
    statement = published(world)
    voucher = StatementVoucher.objects.create(
        community_id=statement.community_id,
        statement=statement,
        file="finance/vouchers/x.pdf",
        original_name="invoice.pdf",
        content_type="application/pdf",
        uploaded_at=timezone.now(),
    )
    voucher.file.save("v.pdf", io.BytesIO(PDF), save=True)
    draft = a_draft(world)
    line = statement.lines.first()
    assert line is not None
    client = client_for(world.users[role])
    # when they open the list, the published statement, its voucher, the draft and the question page
    reads = {
        "list": client.get(reverse("finance:statements", args=["aaa"])),
        "published": client.get(reverse("finance:statement_detail", args=[statement.pk])),
        "voucher": client.get(reverse("finance:statement_voucher", args=[statement.pk, voucher.pk])),
    }
    draft_page = client.get(reverse("finance:statement_detail", args=[draft.pk]))
    ask_page = client.get(reverse("finance:statement_line_ask", args=[line.pk]))
    # then readers and the resident read published statements; only keepers see the draft; only the resident asks
    for name, response in reads.items():
        if role in READERS | {"resident"}:
            assert response.status_code == 200, (name, response.status_code)
        else:
            assert refused(response, role), (name, response.status_code)
    if role in KEEPERS:
        assert draft_page.status_code == 200
    else:  # a draft is not shown to exist
        assert refused(draft_page, role) and draft_page.status_code != 403
    assert (ask_page.status_code == 200) == (role == "resident")
    if role != "resident":
        assert refused(ask_page, role)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_fee_keepers_create_fill_publish_and_correct(world, client_for, role):
    # given a published statement and a draft of compound A
    statement = published(world)
    draft = a_draft(world)
    client = client_for(world.users[role])
    before = Statement.objects.count(), StatementLine.objects.count()
    # when they try every write
    responses = [
        client.post(reverse("finance:statement_new", args=["aaa"]), {"period": "2024Q4"}),
        client.post(
            reverse("finance:statement_line_new", args=[draft.pk]),
            {"category": "staff", "item": "人员工资", "amount": "50.00"},
        ),
        client.post(reverse("finance:statement_correct", args=[statement.pk]), {"reason": "漏记一笔"}),
        client.post(reverse("finance:statement_publish", args=[draft.pk])),
    ]
    # then keepers succeed (redirects), everyone else is refused and nothing changed
    for response in responses:
        if role in KEEPERS:
            assert response.status_code == 302, response.status_code
        else:
            assert refused(response, role), response.status_code
    if role not in KEEPERS:
        assert (Statement.objects.count(), StatementLine.objects.count()) == before
        assert Statement.objects.get(pk=draft.pk).status == StatementStatus.DRAFT
    else:
        assert Statement.objects.get(pk=draft.pk).status == StatementStatus.PUBLISHED


def test_statements_of_another_compound_are_refused(world, client_for):
    # given a published statement of compound B
    statement = s.statement_create(actor=world.users["superuser"], compound=world.compound_b, period="2025Q1")
    s.statement_line_add(actor=world.users["superuser"], statement=statement, category="fees", item="x", amount="1")
    s.statement_publish(actor=world.users["superuser"], statement=statement)
    # then compound A's staff and resident cannot read it
    for role in ("finance", "property_manager", "community_staff", "representative", "resident"):
        client = client_for(world.users[role])
        assert client.get(reverse("finance:statement_detail", args=[statement.pk])).status_code == 403, role
        assert client.get(reverse("finance:statements", args=["bbb"])).status_code == 403, role


# --- Drafting, publishing, corrections ----------------------------------------------------------------------------


def test_finance_staff_draft_fill_and_publish_a_statement(world, client_for):
    client = client_for(world.users["finance"])
    # given the list page offers a new draft for the last quarter that has ended
    page = client.get(reverse("finance:statements", args=["aaa"]), **EN).content.decode()
    assert 'action="/fees/c/aaa/statements/new/"' in page
    # when they create a draft for 2025Q1 and add an income and an expenditure line
    response = client.post(reverse("finance:statement_new", args=["aaa"]), {"period": "2025Q1", "title": "一季度"})
    statement = Statement.objects.get()
    assert response["Location"] == reverse("finance:statement_detail", args=[statement.pk])
    add = reverse("finance:statement_line_new", args=[statement.pk])
    client.post(add, {"category": "fees", "item": "物业费收入", "amount": "1,234.50"})
    client.post(add, {"category": "greening", "item": "绿化养护", "amount": "234.50"})
    # then the draft shows the lines grouped with the totals and the publish button with its confirmation
    page = client.get(response["Location"], **EN).content.decode()
    assert 'id="total-income">¥1,234.50<' in page and 'id="total-expenditure">¥234.50<' in page
    assert 'id="total-balance">¥1,000.00<' in page
    assert "data-confirm=" in page and 'id="publish-button"' in page
    # when they publish it
    response = client.post(reverse("finance:statement_publish", args=[statement.pk]))
    # then it is published: no more editing forms, a correction form instead
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PUBLISHED and statement.published_by == world.users["finance"]
    page = client.get(response["Location"], **EN).content.decode()
    assert 'id="publish-button"' not in page and 'id="add-line"' not in page
    assert 'id="correct"' in page


def test_a_line_with_a_bad_amount_is_refused_beside_the_field(world, client_for):
    draft = a_draft(world)
    client = client_for(world.users["finance"])
    before = finance_state()
    for amount, message in (
        ("-5", "An amount cannot be negative."),
        ("abc", "Enter an amount in yuan, such as 1234.50."),
        ("1.005", "An amount has at most two decimals (fen)."),
    ):
        response = client.post(
            reverse("finance:statement_line_new", args=[draft.pk]),
            {"category": "staff", "item": "工资", "amount": amount},
            **EN,
        )
        assert response.status_code == 400
        assert message in response.content.decode()
    assert finance_state() == before


def test_editing_a_published_statement_is_refused_and_changes_nothing(world, client_for):
    # given a published statement
    statement = published(world)
    line = statement.lines.first()
    assert line is not None
    client = client_for(world.users["property_manager"])
    before = finance_state()
    # when the property manager tries to add, edit and remove lines, attach a voucher, publish it again
    detail = reverse("finance:statement_detail", args=[statement.pk])
    responses = [
        client.post(
            reverse("finance:statement_line_new", args=[statement.pk]),
            {"category": "staff", "item": "工资", "amount": "5"},
        ),
        client.post(
            reverse("finance:statement_line_edit", args=[line.pk]),
            {"category": "fees", "item": "物业费收入", "amount": "1"},
        ),
        client.get(reverse("finance:statement_line_edit", args=[line.pk])),
        client.post(reverse("finance:statement_line_remove", args=[line.pk])),
        client.post(
            reverse("finance:statement_voucher_new", args=[statement.pk]),
            {"file": io.BytesIO(PDF)},
        ),
        client.post(reverse("finance:statement_publish", args=[statement.pk])),
        client.post(reverse("finance:statement_discard", args=[statement.pk])),
    ]
    # then each is refused with a message on the statement page, and nothing changed
    for response in responses:
        assert response.status_code == 302 and response["Location"] == detail
    page = client.get(detail, **EN).content.decode()
    assert "A published statement cannot be changed; publish a correction instead." in page
    assert finance_state() == before


def test_a_correction_shows_its_reason_and_the_difference(world, client_for):
    # given a published statement
    statement = published(world)
    client = client_for(world.users["finance"])
    # when the finance staff start a correction with a reason
    response = client.post(reverse("finance:statement_correct", args=[statement.pk]), {"reason": "电梯维保费录错"})
    draft = Statement.objects.get(previous=statement)
    assert response["Location"] == reverse("finance:statement_detail", args=[draft.pk])
    # and change one line, remove one and add one, then publish it
    lines = {ln.item: ln for ln in draft.lines.all()}
    client.post(
        reverse("finance:statement_line_edit", args=[lines["电梯维保"].pk]),
        {"category": "maintenance", "item": "电梯维保", "amount": "15000.00"},
    )
    client.post(reverse("finance:statement_line_remove", args=[lines["保洁外包"].pk]))
    client.post(
        reverse("finance:statement_line_new", args=[draft.pk]),
        {"category": "parking", "item": "停车费收入", "amount": "8000.00"},
    )
    client.post(reverse("finance:statement_publish", args=[draft.pk]))
    # then the resident reads version 2 with the reason, every changed line and the change of the totals
    resident = client_for(world.users["resident"])
    page = resident.get(reverse("finance:statement_detail", args=[draft.pk]), **EN).content.decode()
    assert "What changed since version 1" in page and "电梯维保费录错" in page
    assert '<tr class="change-changed">' in page and '<tr class="change-removed">' in page
    assert '<tr class="change-added">' in page
    assert "+¥3,000.00" in page and "¥-30,000.00" in page and "+¥8,000.00" in page
    assert "<dt>Income</dt><dd>+¥8,000.00</dd>" in page
    assert "<dt>Expenditure</dt><dd>¥-27,000.00</dd>" in page
    # and version 1 says it was corrected, and links to version 2
    old = resident.get(reverse("finance:statement_detail", args=[statement.pk]), **EN).content.decode()
    assert "This version was corrected." in old and reverse("finance:statement_detail", args=[draft.pk]) in old


def test_a_correction_without_a_reason_is_refused(world, client_for):
    statement = published(world)
    before = finance_state()
    response = client_for(world.users["finance"]).post(
        reverse("finance:statement_correct", args=[statement.pk]), {"reason": "  "}, **EN
    )
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert finance_state() == before


def test_publishing_an_empty_draft_is_refused_with_a_message(world, client_for):
    statement = s.statement_create(actor=world.users["finance"], compound=world.compound_a, period="2025Q3")
    client = client_for(world.users["finance"])
    response = client.post(reverse("finance:statement_publish", args=[statement.pk]))
    page = client.get(response["Location"], **EN).content.decode()
    assert "Add at least one line before publishing." in page
    assert Statement.objects.get(pk=statement.pk).status == StatementStatus.DRAFT


def test_vouchers_are_checked_and_served_only_to_readers(world, client_for):
    draft = a_draft(world)
    line = draft.lines.get()
    client = client_for(world.users["finance"])
    url = reverse("finance:statement_voucher_new", args=[draft.pk])
    # when a PDF for the line and a photo for the whole statement are attached, and a text file is tried
    pdf = io.BytesIO(PDF)
    pdf.name = "发票.pdf"
    assert client.post(url, {"file": pdf, "line": str(line.pk)}).status_code == 302
    photo = io.BytesIO(png_bytes())
    photo.name = "receipt.png"
    assert client.post(url, {"file": photo}).status_code == 302
    text = io.BytesIO(b"hello")
    text.name = "notes.pdf"
    response = client.post(url, {"file": text}, **EN)
    # then the text file is refused beside the field, the two others are kept
    assert response.status_code == 400 and "A voucher is a PDF, JPEG or PNG file." in response.content.decode()
    vouchers = {v.original_name: v for v in StatementVoucher.objects.all()}
    assert set(vouchers) == {"发票.pdf", "receipt.png"} and vouchers["发票.pdf"].line == line
    # and once published, the resident downloads the PDF as a PDF; a stranger gets 404
    s.statement_publish(actor=world.users["finance"], statement=draft)
    voucher_url = reverse("finance:statement_voucher", args=[draft.pk, vouchers["发票.pdf"].pk])
    response = client_for(world.users["resident"]).get(voucher_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client_for(world.users["stranger"]).get(voucher_url).status_code == 404


# --- Questions about a line ---------------------------------------------------------------------------------------


def test_a_resident_asks_about_a_line_and_the_statement_shows_it(world, client_for):
    category("物业收费")
    statement = published(world)
    line = statement.lines.get(item="电梯维保")
    client = client_for(world.users["resident"])
    # given the resident sees "ask about this line" beside each line
    page = client.get(reverse("finance:statement_detail", args=[statement.pk]), **EN).content.decode()
    ask_url = reverse("finance:statement_line_ask", args=[line.pk])
    assert ask_url in page
    # when they ask about the lift maintenance line
    response = client.post(ask_url, {"question": "电梯维保为什么比去年贵？"})
    # then an enquiry is raised in 物业收费, quoting the period, the line and its amount
    voice = Voice.objects.get()
    assert voice.kind == Kind.ENQUIRY and voice.category.name == "物业收费" and voice.author == world.users["resident"]
    assert "2025Q1" in voice.text and "电梯维保" in voice.text and "¥12,000.00" in voice.text
    assert "电梯维保为什么比去年贵？" in voice.text and not voice.is_public
    assert AuditEvent.objects.filter(verb="statement.question", object_id=str(statement.pk)).exists()
    # and the statement page shows the question with a link to it, in place of the button
    assert response["Location"].endswith(f"#line-{line.pk}")
    page = client.get(reverse("finance:statement_detail", args=[statement.pk]), **EN).content.decode()
    assert f"You asked about this line: enquiry #{voice.pk}" in page
    assert reverse("voices:detail", args=[voice.pk]) in page
    # and asking again raises nothing new
    client.post(ask_url, {"question": "再问一次"})
    assert Voice.objects.count() == 1
    # and the property manager sees that one question was raised, with its link
    staff = client_for(world.users["property_manager"]).get(
        reverse("finance:statement_detail", args=[statement.pk]), **EN
    )
    assert "1 question raised about this line" in staff.content.decode()
    assert reverse("voices:detail", args=[voice.pk]) in staff.content.decode()


def test_an_empty_question_is_refused_and_raises_nothing(world, client_for):
    statement = published(world)
    line = statement.lines.first()
    assert line is not None
    before = finance_state()
    response = client_for(world.users["resident"]).post(
        reverse("finance:statement_line_ask", args=[line.pk]), {"question": "   "}, **EN
    )
    assert response.status_code == 400
    assert not Voice.objects.exists() and finance_state() == before


def test_nobody_asks_about_a_draft(world, client_for):
    draft = a_draft(world)
    line = draft.lines.get()
    response = client_for(world.users["resident"]).post(
        reverse("finance:statement_line_ask", args=[line.pk]), {"question": "这是什么？"}
    )
    assert response.status_code == 404 and not Voice.objects.exists()


def test_the_list_shows_totals_and_residents_see_only_published_versions(world, client_for):
    published(world)
    a_draft(world)
    page = client_for(world.users["resident"]).get(reverse("finance:statements", args=["aaa"]), **EN)
    html = page.content.decode()
    assert "2025Q1, version 1" in html and "2025Q2" not in html
    assert "<dt>Income</dt><dd>¥120,000.00</dd>" in html and "<dt>Expenditure</dt><dd>¥42,000.00</dd>" in html
    keeper = client_for(world.users["finance"]).get(reverse("finance:statements", args=["aaa"]), **EN)
    assert "2025Q2, version 1" in keeper.content.decode()
