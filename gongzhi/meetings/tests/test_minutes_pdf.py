"""The minutes as a printable PDF (staff who may see the minutes) and the residents' summary as a PDF (only what
the public summary shows): Chinese text, attendees by party, items with minutes and decisions, action items, the
version and its correction reason, a signature block; long minutes over several pages; who may download them."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from gongzhi.accounts.roles import OrgKind
from gongzhi.meetings import selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import Meeting, MeetingKind, MinutesStatus, Party
from gongzhi.testing.world import ALL_ROLES

from .helpers import meetings_state

pytestmark = pytest.mark.django_db

CONVENERS = {"secretary", "community_staff", "superuser"}
COMMUNITY_SIDE = CONVENERS | {"grid_worker"}
PROPERTY = {"property_manager", "customer_service", "technician", "finance"}
SUPERVISORS = {"sub_district_supervisor", "district_supervisor"}
COMPOUND_STAFF = COMMUNITY_SIDE | PROPERTY | SUPERVISORS | {"representative"}


def _pages(pdf: bytes) -> list[str]:
    """Each page's text without spaces (fpdf2's two-byte glyph codes come out of pypdf as NUL + character)."""
    reader = PdfReader(io.BytesIO(pdf))
    return ["".join(page.extract_text().replace("\x00", "").split()) for page in reader.pages]


def _text(pdf: bytes) -> str:
    return "".join(_pages(pdf))


def _squash(text: str) -> str:
    return "".join(text.split())


def _closed(
    world: Any,
    secretary: Any,
    held: Callable[..., Meeting],
    *,
    minutes: str = "物业承诺两周内修好大堂电动门。",
    private_item: bool = True,
    publish: bool = True,
    **kw: Any,
) -> Meeting:
    """A closed meeting of compound A: attendees of three parties (one without an account), a public item with a
    decision that became an action item, a private item, its minutes published (when asked)."""
    meeting = held(**kw)
    at = meeting.starts_at + datetime.timedelta(minutes=10)
    s.attendance_mark(actor=secretary, meeting=meeting, user=world.users["property_manager"], now=at)
    s.attendance_mark(actor=secretary, meeting=meeting, user=world.users["representative"], now=at)
    s.attendance_mark(actor=secretary, meeting=meeting, name="王阿姨", party=Party.RESIDENTS, now=at)
    s.attendance_mark(actor=secretary, meeting=meeting, user=secretary, party=Party.COMMUNITY, now=at)
    if private_item:
        s.agenda_item_add(actor=secretary, meeting=meeting, title="内部议题：物业费调价谈判", is_private=True)
    items = selectors.meeting_agenda(user=secretary, meeting=meeting)
    s.minutes_record(actor=secretary, meeting=meeting, item=items[0], text=minutes)
    s.decision_add(
        actor=secretary,
        item=items[0],
        text="大堂电动门由物业更换",
        becomes_action=True,
        action_title="更换大堂电动门",
        responsible_organization=world.orgs[OrgKind.PROPERTY],
        due_on=timezone.localdate() + datetime.timedelta(days=14),
        budget="8600.00",
    )
    for item in items[1:]:
        s.minutes_record(actor=secretary, meeting=meeting, item=item, text="调价方案暂不公开，下次再议。")
        s.decision_add(actor=secretary, item=item, text="内部决议：先做成本测算")
    s.meeting_close(actor=secretary, meeting=meeting)
    if publish:
        draft = selectors.minutes_versions(user=secretary, meeting=meeting)[0]
        s.minutes_publish(actor=secretary, minutes=draft)
    meeting.refresh_from_db()
    return meeting


def test_the_minutes_pdf_prints_the_meeting_attendees_items_decisions_actions_and_a_signature_block(
    world: Any, client_for: Any, secretary: Any, held: Callable[..., Meeting]
) -> None:
    # given a closed three-party meeting with published minutes
    meeting = _closed(world, secretary, held)
    # when its convener downloads the minutes as PDF
    response = client_for(secretary).get(reverse("meetings:minutes_pdf", args=[meeting.pk]))
    # then it is a PDF, private to the reader, in Chinese with the meeting, its time and place
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert f"meeting-{meeting.pk}-minutes-v1.pdf" in response["Content-Disposition"]
    text = _text(response.content)
    assert "三方联席会议：大堂门禁" in text
    assert "社区党群服务中心" in text
    assert _squash(str(MeetingKind.JOINT.label)) in text
    start = timezone.localtime(meeting.starts_at)
    assert f"{start.year}年{start.month}月{start.day}日{start:%H:%M}–" in text
    # the convener, the attendees by party with their counts and names
    assert _squash("Convener") in text and secretary.name in text
    assert "4inall" in text
    assert "王阿姨" in text and "A物业" in text
    for party, n in ((Party.COMMUNITY, 1), (Party.PROPERTY, 1), (Party.RESIDENTS, 2)):
        assert f"{_squash(str(party.label))}（{n}）" in text
    # each item with its minutes and decisions, the private one marked as such
    assert "1.大堂电动门" in text and "物业承诺两周内修好大堂电动门。" in text and "大堂电动门由物业更换" in text
    assert "内部议题：物业费调价谈判" in text and "notintheresidents'summary" in text
    # the action items made, with the responsible organization and budget
    assert "更换大堂电动门" in text and "¥8,600.00" in text
    # the version, and a signature block for the four signers with a date line
    assert "version1" in text
    for signer in ("Convener", "Community", "Property company", "Residents' representative"):
        assert _squash(signer) + "（" in text or _squash(signer) + "：" in text
    assert text.count("Signature：") == 4 and "Date：______年____月____日" in text
    # the footer numbers the pages
    pages = _pages(response.content)
    assert all(f"Page{n}of{len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_long_minutes_flow_over_several_pages_without_losing_text(
    world: Any, client_for: Any, secretary: Any, held: Callable[..., Meeting]
) -> None:
    # given minutes of 4,000 characters on each of six items
    meeting = held()
    for n in range(5):
        s.agenda_item_add(actor=secretary, meeting=meeting, title=f"第{n + 2}项议题")
    items = selectors.meeting_agenda(user=secretary, meeting=meeting)
    for i, item in enumerate(items):
        body = f"开头{i}号。" + "居民反映楼道照明不足，物业答复将分批更换感应灯。" * 160 + f"结尾{i}号。"
        s.minutes_record(actor=secretary, meeting=meeting, item=item, text=body[:4000])
    s.meeting_close(actor=secretary, meeting=meeting)
    # when the (still draft) minutes are printed
    response = client_for(secretary).get(reverse("meetings:minutes_pdf", args=[meeting.pk]))
    # then they span many pages, every item's first and last words are there, and the draft is marked
    assert response.status_code == 200
    pages = _pages(response.content)
    assert len(pages) >= 5
    text = "".join(pages)
    for i in range(len(items)):
        assert f"开头{i}号。" in text and f"结尾{i}号" in text
    assert "draft,notyetpublished" in pages[0]
    # the signature block sits whole on the last page, and every page is numbered
    assert "Signature：" in pages[-1] and "Date：" in pages[-1]
    assert all(f"Page{n}of{len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_a_meeting_without_minutes_is_sent_back_with_a_clear_error(
    world: Any, client_for: Any, secretary: Any, convene: Callable[..., Meeting], held: Callable[..., Meeting]
) -> None:
    client = client_for(secretary)
    for meeting in (convene(), held(title="已召开但未记录")):
        before = meetings_state()
        # when the convener asks for the PDF of a meeting not held, or held with nothing recorded
        response = client.get(reverse("meetings:minutes_pdf", args=[meeting.pk]), follow=True)
        # then they are back on the meeting's page with the reason, and nothing changed
        assert response.redirect_chain[-1][0] == reverse("meetings:detail", args=[meeting.pk])
        assert "This meeting has no minutes to print yet." in response.content.decode()
        assert meetings_state() == before


def test_a_draft_is_printed_for_conveners_only(
    world: Any, client_for: Any, secretary: Any, held: Callable[..., Meeting]
) -> None:
    # given a closed public meeting whose minutes are still a draft
    meeting = _closed(world, secretary, held, publish=False)
    # the convener prints the draft; the property manager, who sees the meeting, has no minutes to print yet
    assert client_for(secretary).get(reverse("meetings:minutes_pdf", args=[meeting.pk])).status_code == 200
    response = client_for(world.users["property_manager"]).get(reverse("meetings:minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    # nor a version number guessed
    url = reverse("meetings:minutes_pdf", args=[meeting.pk]) + "?version=1"
    assert client_for(world.users["property_manager"]).get(url).status_code == 404


def test_a_correction_prints_its_version_and_reason_and_the_earlier_version_stays_printable(
    world: Any, client_for: Any, secretary: Any, held: Callable[..., Meeting]
) -> None:
    # given published minutes corrected by a second version with a reason
    meeting = _closed(world, secretary, held)
    published = selectors.minutes_versions(user=secretary, meeting=meeting)[0]
    draft = s.minutes_correct(actor=secretary, minutes=published, reason="更正维修期限为三周")
    item = selectors.meeting_agenda(user=secretary, meeting=meeting)[0]
    s.minutes_record(actor=secretary, meeting=meeting, item=item, text="物业承诺三周内修好大堂电动门。")
    s.minutes_publish(actor=secretary, minutes=draft)
    client = client_for(world.users["property_manager"])
    url = reverse("meetings:minutes_pdf", args=[meeting.pk])
    # when the current minutes are printed: version 2, what it corrects and why, the earlier version listed
    text = _text(client.get(url).content)
    assert "version2" in text and "correctsversion1" in text and "更正维修期限为三周" in text
    assert "三周内修好" in text and "两周内修好" not in text
    assert "Version1" in text and _squash(str(MinutesStatus.CORRECTED.label)) in text
    # and version 1 is printed as it was
    first = _text(client.get(url + "?version=1").content)
    assert "version1" in first and "两周内修好" in first and "三周内修好" not in first


@pytest.mark.parametrize("version", ["abc", "-1", "0", "99", "1" * 30, "<script>"])
def test_a_bad_version_is_a_404_and_changes_nothing(
    world: Any, client_for: Any, secretary: Any, held: Callable[..., Meeting], version: str
) -> None:
    meeting = _closed(world, secretary, held)
    before = meetings_state()
    response = client_for(secretary).get(reverse("meetings:minutes_pdf", args=[meeting.pk]), {"version": version})
    assert response.status_code == 404
    assert meetings_state() == before


def test_markup_in_the_minutes_is_printed_as_text(
    world: Any, client_for: Any, secretary: Any, held: Callable[..., Meeting]
) -> None:
    meeting = _closed(world, secretary, held, minutes="<script>alert('x')</script> & <b>粗体</b>")
    text = _text(client_for(secretary).get(reverse("meetings:minutes_pdf", args=[meeting.pk])).content)
    assert "<script>alert('x')</script>&<b>粗体</b>" in text


def _expected(role: str, allowed: set[str]) -> int:
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 404


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_gets_exactly_the_pdfs_it_may_read(
    world: Any, client_for: Any, secretary: Any, held: Callable[..., Meeting], role: str
) -> None:
    # given a closed public meeting and a closed private one, both with published minutes
    public = _closed(world, secretary, held)
    private = _closed(world, secretary, held, title="内部会议", private=True, private_item=False)
    client = client_for(world.users[role])
    before = meetings_state()
    # the staff minutes: whoever sees the meeting (private: community side, supervisors and invitees)
    private_viewers = COMMUNITY_SIDE | SUPERVISORS | {"property_manager", "customer_service", "technician"}
    private_viewers |= {"finance", "representative"}  # A's property company and representatives are invited
    cases = {
        ("minutes_pdf", public.pk): COMPOUND_STAFF,
        ("minutes_pdf", private.pk): private_viewers,
        # the residents' summary: public meetings only, the compound's staff and residents
        ("summary_pdf", public.pk): COMPOUND_STAFF | {"resident"},
        ("summary_pdf", private.pk): set(),
    }
    for (name, pk), allowed in cases.items():
        response = client.get(reverse(f"meetings:{name}", args=[pk]))
        assert response.status_code == _expected(role, allowed), (name, pk)
        if response.status_code == 200:
            assert response["Content-Type"] == "application/pdf"
    assert client.get(reverse("meetings:minutes_pdf", args=[999999])).status_code == (
        302 if role == "anonymous" else 404
    )
    assert meetings_state() == before


def test_the_residents_summary_pdf_leaves_out_every_private_part(
    world: Any, client_for: Any, secretary: Any, held: Callable[..., Meeting]
) -> None:
    # given published minutes with a private item, attendees and an action item with a budget
    meeting = _closed(world, secretary, held)
    # when a resident of the compound downloads the summary
    response = client_for(world.users["resident"]).get(reverse("meetings:summary_pdf", args=[meeting.pk]))
    assert response.status_code == 200
    text = _text(response.content)
    # then it has the public item, its minutes and decision
    assert "三方联席会议：大堂门禁" in text and "物业承诺两周内修好大堂电动门。" in text
    assert "大堂电动门由物业更换" in text and "Residents'summaryoftheminutes" in text
    # and nothing private: no private item, its minutes or decision; no attendee, convener, budget or signatures
    for private in ("内部议题", "调价方案", "内部决议", "王阿姨", secretary.name, "¥8,600.00", "Signature"):
        assert private not in text, private
    # the staff PDF is not theirs
    assert (
        client_for(world.users["resident"]).get(reverse("meetings:minutes_pdf", args=[meeting.pk])).status_code == 404
    )


def test_the_minutes_and_summary_pages_link_to_their_pdfs(
    world: Any, client_for: Any, secretary: Any, held: Callable[..., Meeting]
) -> None:
    meeting = _closed(world, secretary, held)
    page = client_for(secretary).get(reverse("meetings:minutes", args=[meeting.pk])).content.decode()
    assert f'href="{reverse("meetings:minutes_pdf", args=[meeting.pk])}"' in page
    assert f'href="{reverse("meetings:minutes_pdf", args=[meeting.pk])}?version=1"' in page
    assert f'href="{reverse("meetings:summary_pdf", args=[meeting.pk])}"' in page
    summary = client_for(world.users["resident"]).get(reverse("meetings:summary", args=[meeting.pk])).content.decode()
    assert f'href="{reverse("meetings:summary_pdf", args=[meeting.pk])}"' in summary
