"""Numbered receipts as PDF: a real PDF, in the Noto CJK font, with the receipt's facts as searchable text."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from gongzhi.finance.pdf import yuan_in_words
from gongzhi.finance.services import payment_record, refund_decide, refund_pay, refund_request

pytestmark = pytest.mark.django_db
D = datetime.date


def _text(pdf: bytes) -> str:
    """The PDF's text through its ToUnicode maps, without spaces. fpdf2 embeds its Identity CMap as a stream,
    which pypdf reads as one-byte codes: every two-byte glyph code comes out as NUL + the character."""
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().replace("\x00", "").split()) for page in reader.pages)


def _fonts(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    resources: Any = reader.pages[0]["/Resources"]
    fonts = resources["/Font"]
    return {str(fonts[name].get_object()["/BaseFont"]) for name in fonts}


def test_a_receipt_is_a_pdf_with_its_number_compound_house_amount_and_channel(world, client_for, keeper, a_bill):
    # given ¥1,234.50 paid by WeChat on 2025-03-05 on house 101's 2025 bill
    bill = a_bill("2000.00")
    payment = payment_record(actor=keeper, bill=bill, amount="1234.50", channel="wechat", paid_on=D(2025, 3, 5))
    # when the finance staff open its receipt
    response = client_for(keeper).get(reverse("finance:receipt_pdf", args=[payment.pk]))
    # then it is a PDF, named by its number, that says what was paid, where, how and when
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="SJ2025-000001.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    text = _text(pdf)
    house = f"{world.house_a.building.name}{world.house_a.unit.name}{world.house_a.room}"
    facts = ("SJ2025-000001", "A小区", house, "2025", "¥1,234.50", "人民币壹仟贰佰叁拾肆元伍角整", "2025-03-05")
    for expected in facts:
        assert expected in text, expected
    assert "WeChatPay" in text  # the channel (English msgid in tests; 微信支付 in the catalogue)
    assert "A物业" in text  # the payee: the compound's property company
    # and the Chinese is drawn in the embedded Noto CJK font (a subset), not a reader's substitute
    assert any("NotoSansCJK" in name or "NotoSerifCJK" in name for name in _fonts(pdf))


def test_a_receipt_shows_what_has_been_refunded_since(world, client_for, keeper, manager, a_bill):
    bill = a_bill("500.00")
    payment = payment_record(actor=keeper, bill=bill, amount="500", channel="cash", paid_on=D(2025, 3, 5))
    refund = refund_request(actor=keeper, payment=payment, amount="80", reason="多收")
    refund_decide(actor=manager, refund=refund, approve=True)
    refund_pay(actor=keeper, refund=refund, paid_on=D(2025, 3, 9))
    text = _text(client_for(keeper).get(reverse("finance:receipt_pdf", args=[payment.pk])).content)
    assert "Refundedsince¥80.00" in text


def test_the_household_gets_its_own_receipts_and_not_the_neighbours(world, client_for, keeper, a_bill):
    # given a payment on the resident's house and one on the neighbours' (whose binding is pending)
    own = payment_record(actor=keeper, bill=a_bill("100.00"), amount="100", channel="cash", paid_on=D(2025, 1, 2))
    other = payment_record(
        actor=keeper, bill=a_bill("100.00", house=world.house_a2), amount="100", channel="cash", paid_on=D(2025, 1, 2)
    )
    resident = client_for(world.users["resident"])
    # then the resident downloads their own receipt and is refused the neighbours'
    assert resident.get(reverse("finance:receipt_pdf", args=[own.pk])).status_code == 200
    assert resident.get(reverse("finance:receipt_pdf", args=[other.pk])).status_code == 403
    assert resident.get(reverse("finance:receipt_pdf", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1234.50", "人民币壹仟贰佰叁拾肆元伍角整"),
        ("1005.00", "人民币壹仟零伍元整"),
        ("100000", "人民币壹拾万元整"),
        ("10010000", "人民币壹仟零壹万元整"),
        ("1000100", "人民币壹佰万零壹佰元整"),
        ("100000001", "人民币壹亿零壹元整"),
        ("10.01", "人民币壹拾元零壹分"),
        ("0.05", "人民币伍分"),
        ("0.50", "人民币伍角整"),
        ("0", "人民币零元整"),
        ("9999999999.99", "人民币玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_amounts_are_written_in_chinese_capitals_as_on_receipts(amount, words):
    assert yuan_in_words(Decimal(amount)) == words
