"""The agreement (人民调解协议书) as a Chinese PDF, drawn on gongzhi.core.pdf (fpdf2, Noto CJK): the case, the
parties, the mediators, the terms, and a signature block for each party and each mediator."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from gongzhi.core.pdf import FONT, chinese_pdf

from .models import Agreement, Case, CaseMediator, CaseParty

MARGIN = 18.0
LINE = 7.0


@dataclass(frozen=True)
class AgreementData:
    case_no: str
    compound: str
    case_type: str
    title: str
    version: int
    reason: str
    status: str
    signed_on: datetime.date | None
    terms: str
    parties: list[str]
    mediators: list[str]


def party_name(party: CaseParty) -> str:
    """A party as the agreement names it: the house and the name, never the phone."""
    if party.house is not None:
        house = party.house
        return f"{house.building.name}{house.unit.name}{house.room} {party.name}"
    return party.name


def agreement_data(
    case: Case, agreement: Agreement, parties: list[CaseParty], mediators: list[CaseMediator]
) -> AgreementData:
    return AgreementData(
        case_no=f"{case.opened_at.year}-{case.pk:05d}",
        compound=case.compound.name,
        case_type=str(case.get_case_type_display()),
        title=case.title,
        version=agreement.version,
        reason=agreement.reason,
        status=agreement.status,
        signed_on=agreement.signed_on,
        terms=agreement.terms,
        parties=[party_name(p) for p in parties],
        mediators=[f"{m.user.name}（{m.get_capacity_display()}）" for m in mediators],
    )


def agreement_pdf_bytes(data: AgreementData) -> bytes:
    """One A4 document, in the site's language whatever the page's."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("People's mediation agreement")
        pdf = chinese_pdf(FPDF(orientation="P", unit="mm", format="A4"), title=f"{title} {data.case_no}")
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=MARGIN)
        pdf.add_page()
        width = pdf.w - 2 * MARGIN
        pdf.set_font(FONT, size=18)
        pdf.cell(0, 12, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=10)
        pdf.cell(
            0,
            LINE,
            _("Case no. %(no)s · version %(version)d") % {"no": data.case_no, "version": data.version},
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        if data.status == "draft":
            pdf.set_text_color(160, 40, 30)
            pdf.cell(0, LINE, _("Draft: not yet signed"), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_text_color(0, 0, 0)
        pdf.set_font(FONT, size=11)
        pdf.multi_cell(
            width, LINE, _("Compound: %(name)s") % {"name": data.compound}, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.multi_cell(
            width,
            LINE,
            _("Dispute: %(type)s · %(title)s") % {"type": data.case_type, "title": data.title},
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(2)
        pdf.set_font(FONT, size=12)
        pdf.cell(0, LINE, _("Parties"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=11)
        for n, party in enumerate(data.parties, start=1):
            pdf.multi_cell(width, LINE, f"{n}. {party}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=12)
        pdf.cell(0, LINE, _("Mediators"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=11)
        pdf.multi_cell(width, LINE, "、".join(data.mediators) or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
        pdf.set_font(FONT, size=12)
        pdf.cell(0, LINE, _("Terms agreed"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=11)
        pdf.multi_cell(width, LINE, data.terms, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if data.reason:
            pdf.set_font(FONT, size=10)
            pdf.multi_cell(
                width,
                LINE,
                _("Reason for this version: %(reason)s") % {"reason": data.reason},
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        pdf.ln(3)
        pdf.set_font(FONT, size=10)
        pdf.multi_cell(
            width,
            LINE,
            _(
                "This agreement is made voluntarily by the parties through people's mediation. "
                "Each party keeps one copy."
            ),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(4)
        pdf.set_font(FONT, size=12)
        pdf.cell(0, LINE, _("Signatures"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=11)
        half = width / 2
        signers = [(_("Party"), p) for p in data.parties] + [(_("Mediator"), m) for m in data.mediators]
        for label, name in signers:
            if pdf.will_page_break(14):
                pdf.add_page()
            pdf.cell(half, 12, f"{label}：{name}", new_x=XPos.RIGHT, new_y=YPos.TOP)
            pdf.cell(half, 12, _("Signature: ________  Date: ________"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        signed = data.signed_on.isoformat() if data.signed_on else "____年__月__日"
        pdf.cell(0, LINE, _("Signed on: %(date)s") % {"date": signed}, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=8)
        pdf.set_text_color(90, 96, 109)
        issued = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        pdf.cell(0, 6, _("Printed by Gongzhi on %(at)s.") % {"at": issued})
        return bytes(pdf.output())
