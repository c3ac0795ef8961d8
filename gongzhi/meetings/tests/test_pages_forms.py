"""The meeting pages' forms: what they do, and bad input on each (a clear error, nothing changed)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind
from gongzhi.meetings import selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import AgendaItem, AgendaSource, Attendance, Meeting, MeetingStatus, Minutes
from gongzhi.meetings.signin import sign_in_token
from gongzhi.testing.meetings_factories import ActionItemFactory
from gongzhi.testing.voices_factories import VoiceFactory

from .conftest import in_days
from .helpers import meetings_state

pytestmark = pytest.mark.django_db


def _local(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def _form(**kw: Any) -> dict[str, Any]:
    data = {
        "kind": "joint",
        "title": "三方联席会议",
        "starts_at": _local(in_days(3)),
        "ends_at": _local(in_days(3, 12)),
        "place": "社区党群服务中心",
        "online_url": "",
    }
    data.update(kw)
    return data


def _soon(convene: Any, **kw: Any) -> Meeting:
    now = timezone.now()
    return convene(starts_at=now + datetime.timedelta(minutes=30), ends_at=now + datetime.timedelta(hours=2), **kw)


# --- Convening ----------------------------------------------------------------------------------------------------


def test_the_secretary_drafts_a_meeting_and_goes_on_to_its_agenda(world, client_for, secretary):
    # when the secretary drafts a meeting of compound A
    client = client_for(secretary)
    response = client.post(reverse("meetings:new"), _form(compound=world.compound_a.pk))
    # then it is a draft of compound A and the agenda page comes next
    meeting = Meeting.objects.get()
    assert (meeting.compound, meeting.status, meeting.convener) == (world.compound_a, MeetingStatus.DRAFT, secretary)
    assert response["Location"] == reverse("meetings:agenda", args=[meeting.pk])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_at": _local(in_days(3, 9))}, "The meeting must end after it starts."),
        ({"place": ""}, "Enter a place or an online meeting link."),
        ({"starts_at": _local(in_days(-1)), "ends_at": _local(in_days(-1, 12))}, "A meeting cannot start in the past."),
        ({"online_url": "javascript:alert(1)"}, "Enter a web address starting with http:// or https://."),
        ({"title": ""}, "title"),
        ({"starts_at": "tomorrow"}, "starts_at"),
    ],
)
def test_a_bad_meeting_form_is_refused_and_nothing_changes(world, client_for, secretary, fields, message):
    # given the secretary on the new-meeting form
    client = client_for(secretary)
    before = meetings_state()
    # when they post a bad form
    response = client.post(reverse("meetings:new"), _form(compound=world.compound_a.pk, **fields))
    # then the form comes back with the reason, and nothing changed
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in errors or message in str(errors)
    assert meetings_state() == before


def test_a_convener_cannot_draft_a_meeting_of_a_compound_outside_their_community(world, client_for, secretary):
    # when the secretary of A posts a meeting of compound B
    before = meetings_state()
    response = client_for(secretary).post(reverse("meetings:new"), _form(compound=world.compound_b.pk))
    # then B is not a choice: the form says so, and nothing changed
    assert "compound" in response.context["form"].errors
    assert meetings_state() == before


def test_editing_with_a_bad_time_changes_nothing(client_for, secretary, convene):
    meeting = convene()
    before = meetings_state()
    response = client_for(secretary).post(
        reverse("meetings:edit", args=[meeting.pk]),
        _form(starts_at=_local(meeting.starts_at), ends_at=_local(meeting.starts_at - datetime.timedelta(hours=1))),
    )
    assert "The meeting must end after it starts." in response.content.decode()
    assert meetings_state() == before


def test_publishing_without_an_agenda_is_refused_with_a_message(world, client_for, secretary):
    # given a draft with invitees but no agenda
    meeting = s.meeting_create(
        actor=secretary,
        compound=world.compound_a,
        kind="joint",
        title="无议程",
        starts_at=in_days(2),
        ends_at=in_days(2, 12),
        place="社区",
    )
    s.meeting_invite(
        actor=secretary, meeting=meeting, organizations=[world.orgs[OrgKind.PROPERTY], world.orgs[OrgKind.RESIDENTS]]
    )
    before = meetings_state()
    # when the secretary publishes it
    response = client_for(secretary).post(reverse("meetings:publish", args=[meeting.pk]), follow=True)
    # then the page says why, and nothing changed
    assert "Add at least one agenda item before publishing." in response.content.decode()
    assert meetings_state() == before


def test_inviting_nobody_or_a_bad_organization_is_refused(world, client_for, secretary, convene):
    meeting = convene(publish=False)
    client = client_for(secretary)
    before = meetings_state()
    nobody = client.post(reverse("meetings:invite", args=[meeting.pk]), {})
    other = client.post(reverse("meetings:invite", args=[meeting.pk]), {"organizations": ["999999"]})
    assert nobody.status_code == 400
    assert "Choose at least one organization or person to invite." in nobody.content.decode()
    assert other.status_code == 400
    assert meetings_state() == before


def test_cancelling_needs_a_reason(client_for, secretary, convene):
    meeting = convene()
    before = meetings_state()
    response = client_for(secretary).post(reverse("meetings:cancel", args=[meeting.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["cancel_form"].errors
    assert meetings_state() == before


# --- The agenda ---------------------------------------------------------------------------------------------------


def test_the_convener_picks_a_hot_topic_an_overdue_voice_and_an_action_item(world, client_for, secretary, convene):
    # given lift voices (a hot topic), an overdue voice and an open action item of compound A
    now = timezone.now()
    for n in range(1, 4):
        VoiceFactory.create(
            compound=world.compound_a, text=f"3栋电梯又坏了，困人 {n}", submitted_at=now - datetime.timedelta(days=n)
        )
    overdue = VoiceFactory.create(
        compound=world.compound_a,
        text="地下车库漏水",
        submitted_at=now - datetime.timedelta(days=10),
        response_due_at=now - datetime.timedelta(days=9),
    )
    action = ActionItemFactory.create(compound=world.compound_a, title="大堂照明")
    meeting = convene(publish=False)
    client = client_for(secretary)
    # when the convener opens the agenda page, then ticks the first topic, the overdue voice and the action item
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert "电梯" in page and "地下车库漏水" in page and "大堂照明" in page
    candidates = selectors.agenda_candidates(user=secretary, compound=world.compound_a)
    topic = candidates.topics[0]
    response = client.post(
        reverse("meetings:agenda_pick", args=[meeting.pk]),
        {
            "topic": "0",
            "topic_0_words": " ".join(topic.words),
            "topic_0_voices": ",".join(str(v.pk) for v in topic.voices),
            "voice": [str(overdue.pk)],
            "action": [str(action.pk)],
        },
    )
    # then three items follow the one already there: the topic with its voices, the overdue voice, the action
    assert response.status_code == 302
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    assert [i.source for i in items] == [
        AgendaSource.FREE,
        AgendaSource.TOPIC,
        AgendaSource.VOICES,
        AgendaSource.ACTION,
    ]
    assert items[1].voice_links.count() == len(topic.voices)
    assert items[3].action_item == action


def test_bad_agenda_picks_are_refused_all_or_nothing(world, client_for, secretary, convene):
    # given a draft and an action item of compound B
    meeting = convene(publish=False)
    elsewhere = ActionItemFactory.create(compound=world.compound_b, title="别的小区")
    other_voice = VoiceFactory.create(compound=world.compound_b)
    client = client_for(secretary)
    before = meetings_state()
    # when the convener posts nothing, another compound's action item, or another compound's voice with a topic
    nothing = client.post(reverse("meetings:agenda_pick", args=[meeting.pk]), {})
    action = client.post(reverse("meetings:agenda_pick", args=[meeting.pk]), {"action": [str(elsewhere.pk)]})
    mixed = client.post(
        reverse("meetings:agenda_pick", args=[meeting.pk]),
        {"topic": "0", "topic_0_words": "电梯", "topic_0_voices": str(other_voice.pk)},
    )
    free = client.post(reverse("meetings:agenda_free", args=[meeting.pk]), {"title": "  "})
    # then each is refused with its reason, and nothing changed
    assert "Pick at least one candidate." in nothing.content.decode()
    assert "This action item belongs to another compound." in action.content.decode()
    assert f"Voice #{other_voice.pk} is not a voice of this compound." in mixed.content.decode()
    assert free.status_code == 400
    assert {r.status_code for r in (nothing, action, mixed)} == {400}
    assert meetings_state() == before


# --- Answers ------------------------------------------------------------------------------------------------------


def test_a_representative_answers_and_the_counts_follow(world, client_for, convene):
    meeting = convene()
    client = client_for(world.users["representative"])
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'value="yes"' in page
    response = client.post(reverse("meetings:rsvp", args=[meeting.pk]), {"answer": "yes", "note": "准时到"})
    assert response.status_code == 302
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'id="my-answer">Attending<' in page
    counts = selectors.rsvp_counts(user=world.users["representative"], meeting=meeting)
    assert counts["yes"] == 1


def test_a_bad_answer_is_refused(world, client_for, convene):
    meeting = convene()
    before = meetings_state()
    response = client_for(world.users["representative"]).post(
        reverse("meetings:rsvp", args=[meeting.pk]), {"answer": "pending"}
    )
    assert response.status_code == 400
    assert meetings_state() == before


# --- Sign-in ------------------------------------------------------------------------------------------------------


def test_the_sign_in_screen_shows_a_qr_code_of_the_phone_link(client_for, secretary, convene):
    meeting = _soon(convene)
    page = client_for(secretary).get(reverse("meetings:sign_in", args=[meeting.pk])).content.decode()
    assert "<svg" in page
    assert f"/meetings/{meeting.pk}/scan/?t=" in page


def _scan(client: Any, meeting: Meeting, token: str) -> Any:
    return client.post(reverse("meetings:scan", args=[meeting.pk]), {"t": token})


def test_signing_in_by_the_qr_link_then_twice(world, client_for, secretary, convene):
    # given a meeting starting soon and its code
    meeting = _soon(convene)
    token = selectors.meeting_sign_in_code(user=secretary, meeting=meeting)
    client = client_for(world.users["representative"])
    # when the representative signs in, then tries again
    first = _scan(client, meeting, token)
    before = meetings_state()
    second = _scan(client, meeting, token)
    # then the first signs them in for the residents; the second is refused plainly, and nothing more is written
    assert first["Location"] == reverse("meetings:scan_done", args=[meeting.pk])
    assert Attendance.objects.get(meeting=meeting).party == "residents"
    assert second.status_code == 409
    assert "You have already signed in to this meeting." in second.content.decode()
    assert meetings_state() == before


@pytest.mark.parametrize("kind", ["forged", "expired", "replaced", "other meeting"])
def test_a_bad_sign_in_code_is_refused_clearly(world, client_for, secretary, convene, kind):
    meeting = _soon(convene)
    token = selectors.meeting_sign_in_code(user=secretary, meeting=meeting)
    messages = {
        "forged": "This sign-in code is not valid: scan the code shown at the meeting.",
        "expired": "This sign-in code has expired: scan the code shown at the meeting again.",
        "replaced": "This sign-in code has been replaced: scan the code shown at the meeting now.",
        "other meeting": "This sign-in code is for another meeting.",
    }
    if kind == "forged":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif kind == "expired":
        token = sign_in_token(
            meeting_id=meeting.pk, nonce=meeting.sign_in_nonce, now=timezone.now() - datetime.timedelta(hours=4)
        )
    elif kind == "replaced":
        s.sign_in_rotate(actor=secretary, meeting=meeting)
    else:
        other = _soon(convene, title="另一个会")
        token = selectors.meeting_sign_in_code(user=secretary, meeting=other)
    before = meetings_state()
    response = _scan(client_for(world.users["representative"]), meeting, token)
    assert response.status_code == 400
    assert messages[kind] in response.content.decode()
    assert meetings_state() == before


def test_staff_mark_attendance_and_the_counts_are_by_party(world, client_for, secretary, convene):
    meeting = _soon(convene)
    client = client_for(secretary)
    client.post(reverse("meetings:attendance_mark", args=[meeting.pk]), {"user": world.users["technician"].pk})
    client.post(reverse("meetings:attendance_mark", args=[meeting.pk]), {"name": "王阿姨", "party": "residents"})
    page = client.get(reverse("meetings:sign_in", args=[meeting.pk])).content.decode()
    assert "王阿姨" in page
    counts = selectors.attendance_counts(user=secretary, meeting=meeting).by_party
    assert (counts["property"], counts["residents"]) == (1, 1)


def test_marking_nobody_is_refused(client_for, secretary, convene):
    meeting = _soon(convene)
    before = meetings_state()
    response = client_for(secretary).post(reverse("meetings:attendance_mark", args=[meeting.pk]), {"name": ""})
    assert response.status_code == 400
    assert "name" in response.context["mark_form"].errors
    assert meetings_state() == before


# --- Minutes, closing, the summary --------------------------------------------------------------------------------


def test_closing_without_minutes_is_refused(client_for, secretary, held):
    meeting = held()
    before = meetings_state()
    response = client_for(secretary).post(reverse("meetings:close", args=[meeting.pk]))
    assert response.status_code == 400
    assert "Record the minutes of every agenda item before closing" in response.content.decode()
    assert meetings_state() == before


def test_a_decision_to_act_needs_a_due_date(client_for, secretary, held, world):
    meeting = held()
    item = AgendaItem.objects.get(meeting=meeting)
    before = meetings_state()
    response = client_for(secretary).post(
        reverse("meetings:decision_add", args=[meeting.pk, item.pk]),
        {"text": "物业修门", "becomes_action": "on", "responsible_organization": world.orgs[OrgKind.PROPERTY].pk},
    )
    assert response.status_code == 400
    assert "Enter the due date." in response.content.decode()
    assert meetings_state() == before


def test_minutes_decisions_close_publish_summary_and_a_correction(world, client_for, secretary, held):
    # given a held public meeting with one public and one private agenda item
    meeting = held()
    public_item = AgendaItem.objects.get(meeting=meeting)
    private_item = s.agenda_item_add(actor=secretary, meeting=meeting, title="人事安排", is_private=True)
    client = client_for(secretary)
    # when the secretary records minutes for both, a decision that becomes an action item, closes, publishes
    client.post(reverse("meetings:minutes_record", args=[meeting.pk, public_item.pk]), {"text": "大堂门坏了两周。"})
    client.post(reverse("meetings:minutes_record", args=[meeting.pk, private_item.pk]), {"text": "保密内容"})
    client.post(
        reverse("meetings:decision_add", args=[meeting.pk, public_item.pk]),
        {
            "text": "物业两周内修好大堂门",
            "becomes_action": "on",
            "action_title": "修大堂门",
            "responsible_organization": world.orgs[OrgKind.PROPERTY].pk,
            "due_on": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
            "budget": "3000",
        },
    )
    closed = client.post(reverse("meetings:close", args=[meeting.pk]))
    published = client.post(reverse("meetings:minutes_publish", args=[meeting.pk]))
    # then the meeting is closed with one action item, and the minutes are published
    meeting.refresh_from_db()
    assert closed.status_code == published.status_code == 302
    assert meeting.status == MeetingStatus.CLOSED
    assert list(meeting.action_items.values_list("title", flat=True)) == ["修大堂门"]
    # and the resident reads the summary without the private item
    summary = client_for(world.users["resident"]).get(reverse("meetings:summary", args=[meeting.pk]))
    text = summary.content.decode()
    assert "大堂门坏了两周。" in text and "物业两周内修好大堂门" in text
    assert "保密内容" not in text and "人事安排" not in text
    # when the secretary tries a correction without a reason, then with one, changes the text and publishes
    client = client_for(secretary)
    before = meetings_state()
    refused = client.post(reverse("meetings:minutes_correct", args=[meeting.pk]), {"reason": ""})
    assert refused.status_code == 400
    assert meetings_state() == before
    client.post(reverse("meetings:minutes_correct", args=[meeting.pk]), {"reason": "时间写错了"})
    client.post(reverse("meetings:minutes_record", args=[meeting.pk, public_item.pk]), {"text": "大堂门坏了三周。"})
    client.post(reverse("meetings:minutes_publish", args=[meeting.pk]))
    # then both versions are readable, the correction with its reason
    assert list(Minutes.objects.filter(meeting=meeting).order_by("version").values_list("status", flat=True)) == [
        "corrected",
        "published",
    ]
    text = client_for(world.users["resident"]).get(reverse("meetings:summary", args=[meeting.pk])).content.decode()
    assert "大堂门坏了三周。" in text and "大堂门坏了两周。" in text and "时间写错了" in text


def test_the_list_filters_and_says_when_empty(world, client_for, secretary, convene):
    convene(title="即将召开")
    client = client_for(secretary)
    upcoming = client.get(reverse("meetings:list"), {"when": "upcoming"}).content.decode()
    past = client.get(reverse("meetings:list"), {"when": "past"}).content.decode()
    visit = client.get(reverse("meetings:list"), {"kind": "site_visit"}).content.decode()
    assert "即将召开" in upcoming
    assert "即将召开" not in past and "No meeting matches these filters." in past
    assert "No meeting matches these filters." in visit
    assert "No meetings yet." in client_for(world.users["stranger"]).get(reverse("meetings:list")).content.decode()


def test_the_ics_download(client_for, secretary, convene):
    meeting = convene()
    response = client_for(secretary).get(reverse("meetings:ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in response.content.decode()


def test_a_bad_attachment_is_refused(client_for, secretary, convene):
    from django.core.files.uploadedfile import SimpleUploadedFile

    meeting = convene()
    before = meetings_state()
    response = client_for(secretary).post(
        reverse("meetings:attachment_add", args=[meeting.pk]),
        {"file": SimpleUploadedFile("plan.pdf", b"not a pdf at all", content_type="application/pdf")},
    )
    assert response.status_code == 400
    assert meetings_state() == before
