"""The volunteer service certificate (志愿服务证明) as a PDF, drawn on gongzhi.core.pdf (fpdf2, Noto CJK).

Always in the site's language, whatever the language of the page it was downloaded from.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from gongzhi.core.pdf import FONT, chinese_pdf

MARGIN = 22.0


@dataclass(frozen=True)
class CertificateData:
    name: str
    compound: str
    community: str
    since: datetime.date
    until: datetime.date
    duty_hours: Decimal
    activity_hours: Decimal
    posts: list[str]
    issued_on: datetime.date

    @property
    def total(self) -> Decimal:
        return self.duty_hours + self.activity_hours


def certificate_pdf_bytes(data: CertificateData) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Certificate of volunteer service")
        pdf = chinese_pdf(FPDF(orientation="L", unit="mm", format="A4"), title=title)
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(False)
        pdf.add_page()
        pdf.set_draw_color(176, 32, 32)
        pdf.set_line_width(1.2)
        pdf.rect(10, 10, 277, 190)
        pdf.set_font(FONT, size=26)
        pdf.set_y(28)
        pdf.cell(0, 14, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(8)
        pdf.set_font(FONT, size=14)
        body = _(
            "%(name)s, volunteer of %(compound)s, served %(total)s hours from %(since)s to %(until)s "
            "(%(duty)s hours on duty posts, %(activities)s hours at community activities)."
        ) % {
            "name": data.name,
            "compound": data.compound,
            "total": data.total,
            "since": data.since.isoformat(),
            "until": data.until.isoformat(),
            "duty": data.duty_hours,
            "activities": data.activity_hours,
        }
        pdf.multi_cell(0, 10, body, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        posts = "、".join(data.posts) if data.posts else _("none")
        pdf.multi_cell(0, 10, _("Posts served: %(posts)s") % {"posts": posts}, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        pdf.multi_cell(0, 10, _("Thank you for your service to your neighbours."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        # the signature and seal block, bottom right
        pdf.set_y(140)
        pdf.set_x(170)
        pdf.set_font(FONT, size=13)
        pdf.cell(
            0, 9, _("Issued by: %(community)s") % {"community": data.community}, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_x(170)
        pdf.cell(0, 9, _("Date: %(date)s") % {"date": data.issued_on.isoformat()}, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_x(170)
        pdf.cell(0, 9, _("Signature: ____________"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(176, 32, 32)
        pdf.set_line_width(0.6)
        pdf.ellipse(240, 128, 34, 34)
        pdf.set_font(FONT, size=9)
        pdf.set_text_color(176, 32, 32)
        pdf.set_xy(240, 143)
        pdf.cell(34, 5, _("(seal)"), align="C")
        return bytes(pdf.output())
