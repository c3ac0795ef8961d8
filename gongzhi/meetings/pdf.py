"""Minutes (会议纪要) as printable PDF, drawn on gongzhi.core.pdf (fpdf2, Noto CJK).

Two documents, each built only from what its reader may see:

- ``minutes_document``: the minutes for the staff who may see them (the meeting's conveners, and once published
  everyone who sees the meeting): the meeting (kind, time, place, convener), who attended by party with the
  counts and names, every agenda item (private ones marked) with its minutes and decisions, the action items
  the meeting made, the version and, for a correction, the reason; and a signature block for the convener, the
  community, the property company and the residents' representative. Read through the meeting selectors
  (``minutes_versions``, ``minutes_entries``, ``meeting_agenda``, ``meeting_decisions``, ``attendance_list``).
- ``public_document``: the residents' summary, built from ``selectors.public_minutes`` and nothing else (private
  agenda items are not in it, nor attendees' names, nor action items' responsible people).

Documents are always in the site's language (Chinese), whatever the language of the page they came from.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from gongzhi.core.errors import Conflict, NotFound
from gongzhi.core.pdf import FONT, chinese_pdf

from . import selectors
from .models import Meeting, MeetingKind, MeetingStatus, Minutes, MinutesStatus, Party

MARGIN, LABEL_WIDTH, LINE = 18.0, 30.0, 6.5
MUTED = (90, 96, 109)
HEADING_FILL = (235, 238, 243)


# --- What a document shows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocItem:
    position: int
    title: str
    private: bool
    text: str
    decisions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DocAction:
    title: str
    organization: str
    person: str
    due_on: datetime.date | None
    budget: Decimal | None


@dataclass(frozen=True)
class DocParty:
    label: str
    count: int
    names: list[str]


@dataclass(frozen=True)
class DocVersion:
    version: int
    status: str
    published_at: datetime.datetime | None
    reason: str


@dataclass(frozen=True)
class MinutesDocument:
    """Everything one PDF prints, already reduced to what its reader may see."""

    public: bool
    title: str
    kind: str
    compound: str
    community: str
    property_company: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    online_url: str
    convener: str
    version: int
    status: str
    published_at: datetime.datetime | None
    correction_reason: str
    corrects: int | None
    items: list[DocItem]
    parties: list[DocParty] = field(default_factory=list)
    actions: list[DocAction] = field(default_factory=list)
    history: list[DocVersion] = field(default_factory=list)

    @property
    def attendee_total(self) -> int:
        return sum(p.count for p in self.parties)


def _no_minutes() -> Conflict:
    return Conflict(_("This meeting has no minutes to print yet."), code="no_minutes")


def _version_to_print(user: Any, meeting: Meeting, version: int | None) -> Minutes:
    """The version asked for among those the user sees; by default the published one, else (conveners) the draft
    being written. NotFound for a version the user does not see; Conflict when there are no minutes at all."""
    versions = selectors.minutes_versions(user=user, meeting=meeting)
    if version is not None:
        chosen = next((m for m in versions if m.version == version and m.status != MinutesStatus.DISCARDED), None)
        if chosen is None:
            raise NotFound(_("No such minutes."))
        return chosen
    for status in (MinutesStatus.PUBLISHED, MinutesStatus.DRAFT):
        chosen = next((m for m in versions if m.status == status), None)
        if chosen is not None:
            return chosen
    raise _no_minutes()


def minutes_document(*, user: Any, meeting: Meeting, version: int | None = None) -> MinutesDocument:
    """The staff document of one version of the meeting's minutes (see the module's docstring)."""
    if meeting.status not in (MeetingStatus.HELD, MeetingStatus.CLOSED):
        raise _no_minutes()
    minutes = _version_to_print(user, meeting, version)
    texts = {e.agenda_item_id: e.text for e in selectors.minutes_entries(user=user, minutes=minutes)}
    decisions = selectors.meeting_decisions(user=user, meeting=meeting)
    items = [
        DocItem(
            position=item.position,
            title=item.title,
            private=item.is_private,
            text=texts.get(item.pk, ""),
            decisions=[d.text for d in decisions if d.agenda_item_id == item.pk],
        )
        for item in selectors.meeting_agenda(user=user, meeting=meeting)
    ]
    actions = [
        DocAction(
            title=d.action_item.title,
            organization=d.action_item.responsible_organization.name if d.action_item.responsible_organization else "",
            person=d.action_item.responsible_user.name if d.action_item.responsible_user else "",
            due_on=d.action_item.due_on,
            budget=d.action_item.budget,
        )
        if d.action_item is not None
        else DocAction(
            title=d.action_title,
            organization=d.responsible_organization.name if d.responsible_organization else "",
            person=d.responsible_user.name if d.responsible_user else "",
            due_on=d.due_on,
            budget=d.budget,
        )
        for d in decisions
        if d.becomes_action
    ]
    names: dict[str, list[str]] = {}
    for row in selectors.attendance_list(user=user, meeting=meeting):
        label = f"{row.name}（{row.organization.name}）" if row.organization else row.name
        names.setdefault(row.party, []).append(label)
    parties = [DocParty(str(p.label), len(names[p.value]), names[p.value]) for p in Party if p.value in names]
    compound = meeting.compound
    versions = selectors.minutes_versions(user=user, meeting=meeting)
    return MinutesDocument(
        public=False,
        title=meeting.title,
        kind=str(MeetingKind(meeting.kind).label),
        compound=compound.name,
        community=compound.community.name,
        property_company=compound.property_company.name if compound.property_company is not None else "",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place=meeting.place,
        online_url=meeting.online_url,
        convener=meeting.convener.name,
        version=minutes.version,
        status=minutes.status,
        published_at=minutes.published_at,
        correction_reason=minutes.correction_reason,
        corrects=minutes.previous.version if minutes.previous_id and minutes.previous else None,
        items=items,
        parties=parties,
        actions=actions,
        history=_history(versions, minutes),
    )


def _history(versions: list[Minutes], printed: Minutes) -> list[DocVersion]:
    """The other versions (published once), oldest first, with their reasons."""
    return [
        DocVersion(m.version, m.status, m.published_at, m.correction_reason)
        for m in sorted(versions, key=lambda m: m.version)
        if m.pk != printed.pk and m.is_public
    ]


def public_document(*, user: Any, meeting: Meeting) -> MinutesDocument:
    """The residents' summary as a document: only what ``selectors.public_minutes`` gives (NotFound otherwise)."""
    summary = selectors.public_minutes(user=user, meeting=meeting)
    current = summary.current
    items = [
        DocItem(position=i, title=e.title, private=False, text=e.text, decisions=list(e.decisions))
        for i, e in enumerate(current.entries, start=1)
    ]
    return MinutesDocument(
        public=True,
        title=meeting.title,
        kind=str(MeetingKind(meeting.kind).label),
        compound=meeting.compound.name,
        community="",
        property_company="",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place=meeting.place,
        online_url="",
        convener="",
        version=current.minutes.version,
        status=current.minutes.status,
        published_at=current.minutes.published_at,
        correction_reason=current.minutes.correction_reason,
        corrects=None,
        items=items,
        history=_history([v.minutes for v in summary.earlier], current.minutes),
    )


# --- Drawing ------------------------------------------------------------------------------------------------------


def _day(at: datetime.datetime | datetime.date) -> str:
    return formats.date_format(at, "DATE_FORMAT")


def _when(starts: datetime.datetime, ends: datetime.datetime) -> str:
    start, end = timezone.localtime(starts), timezone.localtime(ends)
    if start.date() == end.date():
        return f"{_day(start)} {start:%H:%M}–{end:%H:%M}"
    return f"{_day(start)} {start:%H:%M} – {_day(end)} {end:%H:%M}"


def _yuan(amount: Decimal | None) -> str:
    return "—" if amount is None else f"¥{amount:,.2f}"


class _Minutes(FPDF):
    """A4 portrait; the meeting's title and the page number at the foot of every page."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 6, f"{self.footer_text}    {page}", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font(FONT, size=13)
        self.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
        self.set_font(FONT, size=11)

    def paragraph(self, text: str, *, size: float = 11, indent: float = 0, muted: bool = False) -> None:
        self.set_font(FONT, size=size)
        if muted:
            self.set_text_color(*MUTED)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, LINE, text or "—", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
        self.set_text_color(0, 0, 0)

    def facts(self, rows: list[tuple[str, str]]) -> None:
        with self.table(
            col_widths=(LABEL_WIDTH, self.epw - LABEL_WIDTH),
            width=self.epw,
            first_row_as_headings=False,
            text_align=("CENTER", "LEFT"),
            line_height=LINE,
            wrapmode=WrapMode.CHAR,
            padding=1.5,
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(label)
                row.cell(value or "—")


def _draw_meeting(pdf: _Minutes, doc: MinutesDocument) -> None:
    pdf.set_font(FONT, size=17)
    pdf.multi_cell(0, 10, doc.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
    pdf.set_font(FONT, size=12)
    name = _("Residents' summary of the minutes") if doc.public else _("Minutes")
    version = _("version %(n)d") % {"n": doc.version}
    subtitle = f"{name} · {version}"
    if doc.status == MinutesStatus.DRAFT:
        subtitle += "（" + _("draft, not yet published") + "）"
    pdf.cell(0, 8, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    where = doc.place
    if doc.online_url:
        where = f"{where} · {doc.online_url}" if where else doc.online_url
    rows = [
        (_("Kind"), doc.kind),
        (_("Compound"), doc.compound),
        (_("Time"), _when(doc.starts_at, doc.ends_at)),
        (_("Place"), where),
    ]
    if not doc.public:
        rows.append((_("Convener"), doc.convener))
        counts = "、".join(
            _("%(party)s %(n)d") % {"party": p.label, "n": p.count} for p in doc.parties
        )  # e.g. 社区 3、物业公司 2
        total = _("%(n)d in all") % {"n": doc.attendee_total}
        rows.append((_("Attendees"), f"{total}：{counts}" if counts else total))
    if doc.published_at is not None:
        rows.append((_("Published on"), _day(timezone.localtime(doc.published_at))))
    pdf.facts(rows)
    if doc.correction_reason:
        pdf.ln(2)
        corrects = (
            _("This version corrects version %(n)d.") % {"n": doc.corrects}
            if doc.corrects
            else _("This version is a correction.")
        )
        pdf.paragraph(f"{corrects} {_('Reason for the correction')}：{doc.correction_reason}")


def _draw_attendees(pdf: _Minutes, doc: MinutesDocument) -> None:
    if doc.public or not doc.parties:
        return
    pdf.heading(_("Attendees"))
    for party in doc.parties:
        pdf.paragraph(f"{party.label}（{party.count}）：{'、'.join(party.names)}")


def _draw_items(pdf: _Minutes, doc: MinutesDocument) -> None:
    pdf.heading(_("Agenda items, minutes and decisions"))
    if not doc.items:
        pdf.paragraph(_("Nothing of this meeting is public.") if doc.public else _("No agenda items."), muted=True)
    for item in doc.items:
        pdf.ln(1)
        title = f"{item.position}. {item.title}"
        if item.private:
            title += "（" + _("private: not in the residents' summary") + "）"
        pdf.set_font(FONT, size=12)
        pdf.multi_cell(0, 7.5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
        pdf.paragraph(_("Minutes") + "：", size=10, muted=True)
        pdf.paragraph(item.text, indent=4)
        if item.decisions:
            pdf.paragraph(_("Decisions") + "：", size=10, muted=True)
            for n, text in enumerate(item.decisions, start=1):
                pdf.paragraph(f"（{n}）{text}", indent=4)


def _draw_actions(pdf: _Minutes, doc: MinutesDocument) -> None:
    if doc.public:
        return
    pdf.heading(_("Action items made"))
    if not doc.actions:
        pdf.paragraph(_("No decision became an action item."), muted=True)
        return
    widths = (pdf.epw * 0.33, pdf.epw * 0.21, pdf.epw * 0.13, pdf.epw * 0.19, pdf.epw * 0.14)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        line_height=LINE,
        wrapmode=WrapMode.CHAR,
        padding=1.5,
        text_align="LEFT",
        headings_style=FontFace(emphasis=None, fill_color=HEADING_FILL),
    ) as table:
        heading = table.row()
        for label in (_("Action item"), _("Responsible"), _("Person"), _("Due"), _("Budget")):
            heading.cell(label)
        for action in doc.actions:
            row = table.row()
            row.cell(action.title)
            row.cell(action.organization or "—")
            row.cell(action.person or "—")
            row.cell(_day(action.due_on) if action.due_on else "—")
            row.cell(_yuan(action.budget))


def _draw_history(pdf: _Minutes, doc: MinutesDocument) -> None:
    if not doc.history:
        return
    pdf.heading(_("Other versions"))
    for v in doc.history:
        parts = [_("Version %(n)d") % {"n": v.version}, str(MinutesStatus(v.status).label)]
        if v.published_at is not None:
            parts.append(_day(timezone.localtime(v.published_at)))
        if v.reason:
            parts.append(f"{_('Reason for the correction')}：{v.reason}")
        pdf.paragraph(" · ".join(parts))


def _draw_signatures(pdf: _Minutes, doc: MinutesDocument) -> None:
    if doc.public:
        return
    signers = [
        (_("Convener"), doc.convener),
        (_("Community"), doc.community),
        (_("Property company"), doc.property_company),
        (_("Residents' representative"), ""),
    ]
    row = 12.0
    if pdf.get_y() + 11 + row * (len(signers) + 1) > pdf.page_break_trigger:  # heading and block stay together
        pdf.add_page()
    pdf.heading(_("Signatures"))
    half = pdf.epw * 0.55
    for label, name in signers:
        pdf.set_font(FONT, size=11)
        pdf.cell(half, row, f"{label}{'（' + name + '）' if name else ''}：", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.cell(0, row, _("Signature") + "：________________", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(half, row, "", new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.cell(0, row, _("Date") + "：______年____月____日", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def minutes_pdf_bytes(doc: MinutesDocument) -> bytes:
    """The document on A4 pages; long minutes flow over as many pages as they need."""
    with translation.override(settings.LANGUAGE_CODE):
        name = _("Residents' summary of the minutes") if doc.public else _("Minutes")
        pdf = chinese_pdf(_Minutes(orientation="P", unit="mm", format="A4"), title=f"{doc.title} · {name}")
        pdf.footer_text = _("%(title)s · version %(n)d · printed %(at)s") % {
            "title": doc.title[:40],
            "n": doc.version,
            "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        }
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=18)
        pdf.add_page()
        _draw_meeting(pdf, doc)
        _draw_attendees(pdf, doc)
        _draw_items(pdf, doc)
        _draw_actions(pdf, doc)
        _draw_history(pdf, doc)
        _draw_signatures(pdf, doc)
        return bytes(pdf.output())


def pdf_filename(doc: MinutesDocument, meeting_id: int) -> str:
    kind = "summary" if doc.public else "minutes"
    return f"meeting-{meeting_id}-{kind}-v{doc.version}.pdf"


__all__ = [
    "MinutesDocument",
    "minutes_document",
    "minutes_pdf_bytes",
    "pdf_filename",
    "public_document",
]
