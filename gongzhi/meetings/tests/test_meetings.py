"""Convening: creating, changing, inviting, publishing, holding, cancelling; answers; attachments."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.accounts.roles import OrgKind
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.core.models import AuditEvent
from gongzhi.meetings import selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import (
    Meeting,
    MeetingAttachment,
    MeetingInvitation,
    MeetingKind,
    MeetingStatus,
    Party,
    Rsvp,
)
from gongzhi.notifications.models import Notification
from gongzhi.testing.factories import OrganizationFactory, UserFactory
from gongzhi.voices.tests.photo_files import image_bytes, jpeg_with_gps

from .conftest import in_days
from .helpers import meetings_state

pytestmark = pytest.mark.django_db


def _create(world: Any, actor: Any, **kw: Any) -> Meeting:
    args: dict[str, Any] = {
        "compound": world.compound_a,
        "kind": MeetingKind.JOINT,
        "title": "联席会议",
        "starts_at": in_days(3),
        "ends_at": in_days(3, 12),
        "place": "会议室",
    }
    args.update(kw)
    return s.meeting_create(actor=actor, **args)


def test_the_secretary_convenes_a_draft_meeting_and_it_is_audited(world: Any, secretary: Any) -> None:
    # when the secretary creates a meeting
    meeting = _create(world, secretary, online_url="https://meeting.tencent.com/dm/abc")
    # then it is a draft of compound A, convened by them, with a sign-in nonce, and an audit event
    assert meeting.status == MeetingStatus.DRAFT
    assert meeting.community_id == world.compound_a.community_id
    assert meeting.convener == secretary
    assert len(meeting.sign_in_nonce) == 16
    assert AuditEvent.objects.filter(verb="meeting.create", object_id=str(meeting.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"kind": "party"}, "kind", "invalid_kind"),
        ({"title": "  "}, "title", "required"),
        ({"title": "长" * 101}, "title", "too_long"),
        ({"ends_at": "tomorrow"}, "ends_at", "invalid_datetime"),
        ({"starts_at": datetime.datetime(2030, 1, 1, 10)}, "starts_at", "invalid_datetime"),  # naive
        ({"ends_at": None}, "ends_at", "invalid_datetime"),
        # times as callables, read when the test runs: collected before midnight, run after, they would shift a day
        ({"starts_at": lambda: in_days(3, 12), "ends_at": lambda: in_days(3, 11)}, "ends_at", "ends_before_start"),
        ({"ends_at": lambda: in_days(5)}, "ends_at", "too_long"),
        ({"starts_at": lambda: in_days(-1), "ends_at": lambda: in_days(-1, 12)}, "starts_at", "in_the_past"),
        ({"place": "", "online_url": ""}, "place", "required"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "invalid_url"),
        ({"online_url": "ftp://x.example/a"}, "online_url", "invalid_url"),
    ],
)
def test_bad_meeting_fields_are_refused_with_the_field_and_nothing_changes(
    world: Any, secretary: Any, changes: dict[str, Any], field: str, code: str
) -> None:
    changes = {k: v() if callable(v) else v for k, v in changes.items()}
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        _create(world, secretary, **changes)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert meetings_state() == before


def test_only_community_staff_convene(world: Any) -> None:
    before = meetings_state()
    for role in ("grid_worker", "property_manager", "representative", "resident", "sub_district_supervisor"):
        with pytest.raises(NotAllowed):
            _create(world, world.users[role])
    assert meetings_state() == before


def test_publishing_needs_an_agenda_invitees_and_for_a_joint_meeting_all_three_parties(
    world: Any, secretary: Any
) -> None:
    meeting = _create(world, secretary)
    before = meetings_state()
    # an empty agenda
    with pytest.raises(DomainError) as refused:
        s.meeting_publish(actor=secretary, meeting=meeting)
    assert refused.value.code == "empty_agenda"
    assert meetings_state() == before
    s.agenda_item_add(actor=secretary, meeting=meeting, title="小区绿化")
    # no invitee
    with pytest.raises(DomainError) as refused:
        s.meeting_publish(actor=secretary, meeting=meeting)
    assert refused.value.code == "no_invitees"
    # the property company alone: the residents' side is missing
    s.meeting_invite(actor=secretary, meeting=meeting, organizations=[world.orgs[OrgKind.PROPERTY]])
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.meeting_publish(actor=secretary, meeting=meeting)
    assert refused.value.code == "parties_missing"
    assert meetings_state() == before
    # with a named representative the three parties are there
    s.meeting_invite(actor=secretary, meeting=meeting, users=[world.users["representative"]])
    published = s.meeting_publish(actor=secretary, meeting=meeting)
    assert published.status == MeetingStatus.PUBLISHED and published.published_at is not None


def test_an_owners_meeting_needs_no_property_company(world: Any, secretary: Any) -> None:
    meeting = _create(world, secretary, kind=MeetingKind.OWNERS)
    s.agenda_item_add(actor=secretary, meeting=meeting, title="物业费")
    s.meeting_invite(actor=secretary, meeting=meeting, organizations=[world.orgs[OrgKind.RESIDENTS]])
    assert s.meeting_publish(actor=secretary, meeting=meeting).status == MeetingStatus.PUBLISHED


def test_publishing_sends_the_invitation_to_every_invitee_once(
    world: Any, convene: Callable[..., Meeting], secretary: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = convene(publish=False)
    s.meeting_invite(actor=secretary, meeting=meeting, users=[world.users["liaison"]])
    with django_capture_on_commit_callbacks(execute=True):
        s.meeting_publish(actor=secretary, meeting=meeting)
    invited = {"property_manager", "customer_service", "technician", "finance", "representative", "liaison"}
    got = set(
        Notification.objects.filter(verb="meeting.published", dedup_key=f"meeting:{meeting.pk}:published").values_list(
            "recipient__name", flat=True
        )
    )
    assert got == invited
    # a person invited after publishing gets it too, the others not again
    with django_capture_on_commit_callbacks(execute=True):
        s.meeting_invite(actor=secretary, meeting=meeting, users=[world.users["officer"]])
    assert Notification.objects.filter(verb="meeting.published").count() == len(invited) + 1


def test_a_published_meeting_moved_to_another_time_tells_the_invitees_and_raises_the_sequence(
    world: Any, convene: Callable[..., Meeting], secretary: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = convene()
    with django_capture_on_commit_callbacks(execute=True):
        s.meeting_update(
            actor=secretary,
            meeting=meeting,
            kind=meeting.kind,
            title=meeting.title,
            starts_at=in_days(4),
            ends_at=in_days(4, 12),
            place=meeting.place,
        )
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert Notification.objects.filter(verb="meeting.changed", recipient=world.users["representative"]).count() == 1


def test_a_closed_or_cancelled_meeting_cannot_be_changed(convene: Callable[..., Meeting], secretary: Any) -> None:
    meeting = s.meeting_cancel(actor=secretary, meeting=convene(), reason="台风")
    before = meetings_state()
    with pytest.raises(Conflict) as refused:
        s.meeting_update(
            actor=secretary,
            meeting=meeting,
            kind=meeting.kind,
            title="新的",
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            place="x",
        )
    assert refused.value.code == "immutable"
    assert meetings_state() == before


def test_cancelling_needs_a_reason_and_tells_the_invitees(
    world: Any, convene: Callable[..., Meeting], secretary: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = convene()
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.meeting_cancel(actor=secretary, meeting=meeting, reason=" ")
    assert refused.value.field == "reason"
    assert meetings_state() == before
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = s.meeting_cancel(actor=secretary, meeting=meeting, reason="台风预警")
    assert cancelled.status == MeetingStatus.CANCELLED and cancelled.cancel_reason == "台风预警"
    assert cancelled.sequence == 1
    assert Notification.objects.filter(verb="meeting.cancelled", recipient=world.users["representative"]).exists()


def test_holding_is_refused_long_before_the_start(convene: Callable[..., Meeting], secretary: Any) -> None:
    meeting = convene()
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.meeting_hold(actor=secretary, meeting=meeting, now=meeting.starts_at - datetime.timedelta(hours=2))
    assert refused.value.code == "too_early"
    assert meetings_state() == before
    held = s.meeting_hold(actor=secretary, meeting=meeting, now=meeting.starts_at - datetime.timedelta(minutes=30))
    assert held.status == MeetingStatus.HELD


def test_representatives_of_another_compound_are_not_invited(world: Any, secretary: Any) -> None:
    meeting = _create(world, secretary)
    others = OrganizationFactory.create(kind=OrgKind.RESIDENTS, name="B小区业主代表", compound=world.compound_b)
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.meeting_invite(actor=secretary, meeting=meeting, organizations=[others])
    assert refused.value.code == "other_compound"
    assert meetings_state() == before


def test_invitations_record_the_party_and_are_not_doubled(world: Any, secretary: Any) -> None:
    meeting = _create(world, secretary)
    s.meeting_invite(actor=secretary, meeting=meeting, organizations=[world.orgs[OrgKind.PROPERTY]])
    again = s.meeting_invite(
        actor=secretary,
        meeting=meeting,
        organizations=[world.orgs[OrgKind.PROPERTY], world.orgs[OrgKind.DEPARTMENT]],
        users=[world.users["representative"], world.users["resident"]],
    )
    assert len(again) == 3
    parties = dict(
        MeetingInvitation.objects.filter(meeting=meeting)
        .values_list("organization__name", "party")
        .exclude(organization=None)
    )
    assert parties == {"A物业": Party.PROPERTY, "教育局": Party.DEPARTMENT}
    people = dict(
        MeetingInvitation.objects.filter(meeting=meeting, user__isnull=False).values_list("user__name", "party")
    )
    assert people == {"representative": Party.RESIDENTS, "resident": Party.RESIDENTS}


def test_an_invitee_answers_and_may_change_the_answer_until_the_start(
    world: Any, convene: Callable[..., Meeting]
) -> None:
    meeting = convene()
    technician = world.users["technician"]  # invited through the property company
    row = s.invitation_respond(actor=technician, meeting=meeting, answer=Rsvp.MAYBE)
    assert (row.user, row.organization, row.party) == (technician, world.orgs[OrgKind.PROPERTY], Party.PROPERTY)
    row = s.invitation_respond(actor=technician, meeting=meeting, answer=Rsvp.YES, note="带图纸")
    assert MeetingInvitation.objects.filter(meeting=meeting, user=technician).count() == 1
    assert row.rsvp == Rsvp.YES
    assert selectors.rsvp_counts(user=world.users["secretary"], meeting=meeting)[Rsvp.YES] == 1
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.invitation_respond(actor=technician, meeting=meeting, answer="sure")
    assert refused.value.field == "answer"
    with pytest.raises(Conflict) as closed:
        s.invitation_respond(actor=technician, meeting=meeting, answer=Rsvp.NO, now=meeting.starts_at)
    assert closed.value.code == "rsvp_closed"
    assert meetings_state() == before


def test_someone_not_invited_cannot_answer(world: Any, convene: Callable[..., Meeting]) -> None:
    meeting = convene(private=True)
    public = convene()
    before = meetings_state()
    # a private meeting is not shown to exist; a public one is seen but not answered by a non-invitee
    with pytest.raises(NotFound):
        s.invitation_respond(actor=world.users["liaison"], meeting=meeting, answer=Rsvp.YES)
    with pytest.raises(NotAllowed):
        s.invitation_respond(actor=world.users["secretary"], meeting=public, answer=Rsvp.YES)
    assert meetings_state() == before


def test_withdrawing_an_organizations_invitation_takes_its_members_answers_and_sight(
    world: Any, convene: Callable[..., Meeting], secretary: Any
) -> None:
    # given a private meeting the technician sees through the property company's invitation, and answered
    meeting = convene(private=True)
    technician = world.users["technician"]
    s.invitation_respond(actor=technician, meeting=meeting, answer=Rsvp.YES)
    assert selectors.meeting_get(user=technician, pk=meeting.pk) == meeting
    # when the company's invitation is withdrawn
    org_row = MeetingInvitation.objects.get(meeting=meeting, organization=world.orgs[OrgKind.PROPERTY], user=None)
    s.meeting_uninvite(actor=secretary, invitation=org_row)
    # then the answer goes with it, and the technician no longer sees the meeting
    assert not MeetingInvitation.objects.filter(meeting=meeting, organization=world.orgs[OrgKind.PROPERTY]).exists()
    with pytest.raises(NotFound):
        selectors.meeting_get(user=technician, pk=meeting.pk)


def test_attachments_are_checked_by_content(
    world: Any, secretary: Any, convene: Callable[..., Meeting], django_capture_on_commit_callbacks: Any
) -> None:
    meeting = convene()
    pdf = s.attachment_add(
        actor=secretary,
        meeting=meeting,
        file=SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
    )
    assert (pdf.content_type, pdf.original_name) == ("application/pdf", "方案.pdf")
    photo = s.attachment_add(
        actor=secretary, meeting=meeting, file=SimpleUploadedFile("现场.png", image_bytes("PNG")), name="现场.png"
    )
    assert photo.content_type == "image/jpeg" and photo.original_name == "现场.jpg"
    with django_capture_on_commit_callbacks(execute=True):
        located = s.attachment_add(actor=secretary, meeting=meeting, file=io.BytesIO(jpeg_with_gps()), name="gps.jpg")
    with located.file.open("rb") as stored:
        assert b"GongzhiCam" not in stored.read()  # re-encoded: the EXIF (camera, GPS) is gone
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    word = s.attachment_add(actor=secretary, meeting=meeting, file=io.BytesIO(docx.getvalue()), name="纪要.docx")
    assert word.content_type.endswith("wordprocessingml.document")
    assert [a.pk for a in selectors.meeting_attachments(user=world.users["representative"], meeting=meeting)] == [
        pdf.pk,
        photo.pk,
        located.pk,
        word.pk,
    ]


def _zip(**entries: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name.replace("__", "/"), data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "invalid_file"),
        (b"MZ\x90\x00 an executable", "invalid_file"),
        (b"%PDF-1.4 cut short", "invalid_file"),
        (b"\x89PNG\r\n\x1a\n broken", "photo_not_image"),
        (_zip(**{"[Content_Types].xml": b"x", "word__document.xml": b"x", "word__vbaProject.bin": b"x"}), "macros"),
        (_zip(**{"readme.txt": b"x"}), "invalid_file"),
        (b"PK\x03\x04 not really a zip", "invalid_file"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(
    secretary: Any, convene: Callable[..., Meeting], content: bytes, code: str, media_root: Any
) -> None:
    meeting = convene()
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.attachment_add(actor=secretary, meeting=meeting, file=io.BytesIO(content), name="a.docx")
    assert (refused.value.field, refused.value.code) == ("file", code)
    assert meetings_state() == before
    assert not MeetingAttachment.objects.exists()
    assert not (media_root / "meetings").exists()


def test_a_zip_bomb_is_refused_from_its_directory(
    secretary: Any, convene: Callable[..., Meeting], monkeypatch: Any
) -> None:
    # given a limit of 100 kB unpacked (200 MB in production) and a small file that unpacks to 1 MB
    monkeypatch.setattr("gongzhi.meetings.uploads.MAX_UNPACKED_BYTES", 100_000)
    meeting = convene()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "x")
        z.writestr("xl/sheet.xml", b"\0" * 1_000_000)
    assert len(out.getvalue()) < 10_000
    with pytest.raises(DomainError) as refused:
        s.attachment_add(actor=secretary, meeting=meeting, file=io.BytesIO(out.getvalue()), name="大.xlsx")
    assert refused.value.field == "file"


def test_a_stranger_and_an_inactive_person_are_handled(world: Any, secretary: Any) -> None:
    meeting = _create(world, secretary)
    gone = UserFactory.create(is_active=False)
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.meeting_invite(actor=secretary, meeting=meeting, users=[gone])
    assert refused.value.code == "inactive"
    with pytest.raises(DomainError) as empty:
        s.meeting_invite(actor=secretary, meeting=meeting)
    assert empty.value.code == "required"
    assert meetings_state() == before
