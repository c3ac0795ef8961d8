"""Receipts (收据) as PDF, drawn on gongzhi.core.pdf (fpdf2, Noto CJK).

A receipt is always in the site's language (``settings.LANGUAGE_CODE``, Chinese), whatever the language of the
page it was downloaded from.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from gongzhi.core.pdf import FONT, chinese_pdf

from .models import Channel, Payment
from .money import CENT, yuan_text

PAGE_WIDTH, MARGIN, LABEL_WIDTH, ROW_HEIGHT = 210.0, 14.0, 42.0, 9.0


# --- Amounts in Chinese capital numerals (大写金额) ----------------------------------------------------------------

DIGITS = "零壹贰叁肆伍陆柒捌玖"
GROUP_UNITS = ("", "万", "亿", "万亿")


def _group_words(n: int) -> str:
    """1 … 9999 in capitals: 1005 → 壹仟零伍 (a run of zeros inside is one 零; trailing zeros are silent)."""
    words: list[str] = []
    zero = False
    for power, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
        digit = n // 10**power % 10
        if digit == 0:
            zero = zero or bool(words)
            continue
        if zero:
            words.append("零")
            zero = False
        words.append(DIGITS[digit] + unit)
    return "".join(words)


def yuan_in_words(amount: Decimal) -> str:
    """The amount as written on Chinese receipts: 1234.50 → 人民币壹仟贰佰叁拾肆元伍角整; 0.05 → 人民币伍分."""
    if amount < 0:
        raise ValueError("a receipt amount is not negative")
    fen_total = int((amount.quantize(CENT) * 100).to_integral_value())
    yuan, fen_part = divmod(fen_total, 100)
    jiao, fen = divmod(fen_part, 10)
    groups: list[int] = []
    rest = yuan
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    text = ""
    pending_zero = False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            pending_zero = pending_zero or bool(text)
            continue
        if text and (pending_zero or group < 1000):
            text += "零"
        text += _group_words(group) + GROUP_UNITS[index]
        pending_zero = False
    if yuan:
        text += "元"
    if jiao == 0 and fen == 0:
        text = (text or "零元") + "整"
    elif fen == 0:
        text += DIGITS[jiao] + "角整"
    elif jiao == 0:
        text += ("零" if yuan else "") + DIGITS[fen] + "分"
    else:
        text += DIGITS[jiao] + "角" + DIGITS[fen] + "分"
    return "人民币" + text


# --- The receipt --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptData:
    receipt_no: str
    compound: str
    payee: str
    house: str
    period: str
    amount: Decimal
    channel: str
    paid_on: datetime.date
    recorded_by: str
    refunded: Decimal


def receipt_data(payment: Payment, *, refunded: Decimal) -> ReceiptData:
    """What a receipt shows of a payment (loaded with its bill, house, compound and company)."""
    house = payment.house
    compound = payment.compound
    company = compound.property_company
    return ReceiptData(
        receipt_no=payment.receipt_no,
        compound=compound.name,
        payee=company.name if company is not None else compound.name,
        house=f"{house.building.name}{house.unit.name}{house.room}",
        period=payment.bill.period,
        amount=payment.amount,
        channel=payment.channel,
        paid_on=payment.paid_on,
        recorded_by=payment.recorded_by.name if payment.recorded_by is not None else "",
        refunded=refunded,
    )


class _Receipt(FPDF):
    def fit(self, text: str, width: float, size: float, *, minimum: float = 7) -> None:
        """Use ``size`` pt, smaller if the text would not fit ``width`` mm."""
        self.set_font_size(size)
        while size > minimum and self.get_string_width(text) > width - 2:
            size -= 0.5
            self.set_font_size(size)

    def row(self, label: str, value: str, *, size: float = 11) -> None:
        self.set_font(FONT, size=10)
        self.cell(LABEL_WIDTH, ROW_HEIGHT, label, border=1, align="C", new_x=XPos.RIGHT, new_y=YPos.TOP)
        width = PAGE_WIDTH - 2 * MARGIN - LABEL_WIDTH
        self.fit(value, width, size)
        self.cell(width, ROW_HEIGHT, value, border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def receipt_pdf_bytes(data: ReceiptData) -> bytes:
    """One receipt on an A5 landscape page."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Property service fee receipt")
        pdf = chinese_pdf(_Receipt(orientation="L", unit="mm", format=(148, 210)), title=f"{title} {data.receipt_no}")
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(False)
        pdf.add_page()
        pdf.set_font(FONT, size=18)
        pdf.cell(0, 11, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=10)
        half = (PAGE_WIDTH - 2 * MARGIN) / 2
        pdf.cell(half, 8, _("Date: %(date)s") % {"date": data.paid_on.isoformat()}, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_font(FONT, size=12)
        pdf.cell(half, 8, _("No. %(no)s") % {"no": data.receipt_no}, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.row(_("Compound"), data.compound)
        pdf.row(_("House"), data.house)
        pdf.row(_("Billing period"), data.period)
        pdf.row(_("Amount in figures"), yuan_text(data.amount), size=13)
        pdf.row(_("Amount in words"), yuan_in_words(data.amount))
        pdf.row(_("Payment channel"), str(Channel(data.channel).label) if data.channel in Channel.values else "")
        pdf.row(_("Paid on"), data.paid_on.isoformat())
        if data.refunded:
            pdf.row(_("Refunded since"), yuan_text(data.refunded))
        pdf.ln(4)
        pdf.set_font(FONT, size=10)
        pdf.cell(half, 7, _("Payee: %(name)s") % {"name": data.payee}, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.cell(
            half, 7, _("Received by: %(name)s") % {"name": data.recorded_by or "—"}, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_font(FONT, size=8)
        pdf.set_text_color(90, 96, 109)
        issued = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        pdf.cell(0, 6, _("Issued by Gongzhi on %(at)s. Keep it for your records.") % {"at": issued})
        return bytes(pdf.output())
