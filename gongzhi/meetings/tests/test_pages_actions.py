"""The action-item pages: the staff list and its filters, an item's page and its forms (progress with photos,
status changes with a reason, sub-items, voices, editing, rating), photos served in scope, the public 整改清单,
and the links to them. Every refused form shows why and changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind
from gongzhi.meetings import selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import ActionItem, ActionPhoto, ActionRating, ActionStatus, ActionUpdate
from gongzhi.meetings.services._common import action_link
from gongzhi.notifications.models import Notification
from gongzhi.testing.voices_factories import VoiceFactory
from gongzhi.voices.models import Score
from gongzhi.voices.tests.photo_files import image_bytes, stored_files

from .helpers import meetings_state

pytestmark = pytest.mark.django_db


def _due(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _detail(item: ActionItem) -> str:
    return reverse("meetings:action_detail", args=[item.pk])


# --- The staff list -----------------------------------------------------------------------------------------------


def test_the_staff_list_filters_by_compound_status_organization_overdue_and_search(
    world: Any, client_for: Any, action: Callable[..., ActionItem]
) -> None:
    # given items of compound A: one for the property company, one overdue for the department, one done
    lights = action(title="大堂照明改造")
    school = action(title="学校接送路口", responsible_organization=world.orgs[OrgKind.DEPARTMENT])
    ActionItem.objects.filter(pk=school.pk).update(due_on=_due(-3))
    doors = action(title="单元门禁维修")
    s.action_progress_update(actor=world.users["property_manager"], item=doors, status=ActionStatus.DONE)
    client = client_for(world.users["secretary"])
    url = reverse("meetings:actions")

    def titles(**params: Any) -> list[str]:
        response = client.get(url, params)
        assert response.status_code == 200
        return [i.title for i in response.context["items"]]

    # then each filter selects exactly its items (open ones first)
    assert titles() == ["学校接送路口", "大堂照明改造", "单元门禁维修"]
    assert titles(status="done") == ["单元门禁维修"]
    assert titles(overdue="on") == ["学校接送路口"]
    assert titles(organization=world.orgs[OrgKind.DEPARTMENT].pk) == ["学校接送路口"]
    assert titles(q="照明") == ["大堂照明改造"]
    assert titles(q=f"#{doors.pk}") == ["单元门禁维修"]
    assert titles(compound=world.compound_a.code) == ["学校接送路口", "大堂照明改造", "单元门禁维修"]
    # a filter value that is not a choice is not applied (B is not in the secretary's scope)
    assert titles(compound=world.compound_b.code, status="nonsense") == ["学校接送路口", "大堂照明改造", "单元门禁维修"]
    # and the page shows the overdue mark and each item's link
    page = client.get(url).content.decode()
    assert "Overdue" in page and _detail(lights) in page


def test_the_staff_list_paginates(world: Any, client_for: Any, action: Callable[..., ActionItem]) -> None:
    for n in range(23):
        action(title=f"事项{n:02d}")
    client = client_for(world.users["secretary"])
    first = client.get(reverse("meetings:actions"))
    second = client.get(reverse("meetings:actions"), {"page": 2})
    assert len(first.context["items"]) == 20 and len(second.context["items"]) == 3
    assert "Page 1 of 2" in first.content.decode()


def test_residents_and_strangers_are_sent_away_from_the_staff_list(world: Any, client_for: Any) -> None:
    for role in ("resident", "applicant", "stranger"):
        response = client_for(world.users[role]).get(reverse("meetings:actions"))
        assert response.status_code == 403, role
    assert client_for(None).get(reverse("meetings:actions")).status_code == 302


def test_a_meetings_action_items_are_one_click_from_the_meeting(
    world: Any, client_for: Any, secretary: Any, held: Callable[..., Any]
) -> None:
    # given a held meeting with a decision that becomes an action item, closed
    meeting = held()
    item = meeting.agenda_items.get()
    s.minutes_record(actor=secretary, meeting=meeting, item=item, text="物业说明门禁问题。")
    s.decision_add(
        actor=secretary,
        item=item,
        text="物业两周内修好",
        becomes_action=True,
        action_title="修好大堂电动门",
        responsible_organization=world.orgs[OrgKind.PROPERTY],
        due_on=_due(14),
    )
    s.meeting_close(actor=secretary, meeting=meeting)
    client = client_for(secretary)
    # when the secretary opens the meeting, the link goes to its action items
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    link = f"{reverse('meetings:actions')}?meeting={meeting.pk}"
    assert link in page and 'id="meeting-actions-tab"' in page
    response = client.get(link)
    assert [i.title for i in response.context["items"]] == ["修好大堂电动门"]
    assert response.context["meeting"] == meeting
    # and the meetings list has the tab to the action items
    assert 'id="tab-actions"' in client.get(reverse("meetings:list")).content.decode()


def test_notifications_point_at_the_items_page(world: Any, action: Callable[..., ActionItem]) -> None:
    item = action()
    assert action_link(item.pk) == _detail(item) == f"/meetings/actions/{item.pk}/"


# --- The item's page ----------------------------------------------------------------------------------------------


def test_the_items_page_shows_its_facts_sub_items_and_history(
    world: Any, client_for: Any, action: Callable[..., ActionItem]
) -> None:
    # given an item answering a voice, with two weighted sub-items, one half done
    voice = VoiceFactory.create(compound=world.compound_a, author=world.users["resident"], text="大堂太暗了")
    item = action(voice_ids=[voice.pk], responsible_user=world.users["property_manager"])
    manager = world.users["property_manager"]
    first = s.action_item_create(actor=manager, parent=item, title="更换灯具", due_on=_due(10), weight=3)
    s.action_item_create(actor=manager, parent=item, title="调整线路", due_on=_due(10), weight=1)
    s.action_progress_update(actor=manager, item=first, progress=50, note="已换一半")
    # when the secretary opens it
    response = client_for(world.users["secretary"]).get(_detail(item))
    page = response.content.decode()
    # then the facts, the rolled-up progress (3×50 / 4 ≈ 38), the sub-items and the voice are shown
    assert response.status_code == 200
    assert "大堂照明改造" in page and "¥12,000.00" in page and "A物业" in page and "property_manager" in page
    assert 'value="38"' in page and "38%" in page
    assert "更换灯具" in page and "调整线路" in page and "weight 3" in page and "(75%)" in page
    assert f"#{voice.pk}" in page
    # the progress field is gone (it follows the sub-items)
    assert 'name="progress"' not in page
    # when the resident opens it: no budget, no responsible person, no author of updates
    resident_page = client_for(world.users["resident"]).get(_detail(item)).content.decode()
    assert "12,000" not in resident_page and "property_manager" not in resident_page
    assert "A物业" in resident_page and "38%" in resident_page
    assert 'id="update-form"' not in resident_page and 'id="edit-action"' not in resident_page


def test_the_property_company_records_progress_with_photos(
    world: Any,
    client_for: Any,
    action: Callable[..., ActionItem],
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    item = action()
    client = client_for(world.users["technician"])
    # when the technician records 60% with a before and an after photo
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:action_update", args=[item.pk]),
            {
                "progress": "60",
                "note": "灯具已到货，安装了一半",
                "photos_before": SimpleUploadedFile("before.jpg", image_bytes()),
                "photos_after": SimpleUploadedFile("after.png", image_bytes("PNG")),
            },
        )
    # then the item is in progress at 60%, with both photos on its page
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.progress) == (ActionStatus.IN_PROGRESS, 60)
    photos = list(ActionPhoto.objects.filter(action_item=item).order_by("stage"))
    assert [p.stage for p in photos] == ["after", "before"]
    assert len(stored_files(media_root)) == 4
    page = client.get(_detail(item)).content.decode()
    url = reverse("meetings:action_photo", args=[item.pk, photos[0].pk])
    assert url in page and "灯具已到货" in page
    # and the photo is served to the residents of the compound, as a JPEG, privately
    served = client_for(world.users["resident"]).get(url + "?size=thumb")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert "private" in served["Cache-Control"]
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8")
    # but not to a stranger, nor through another item's address
    assert client_for(world.users["stranger"]).get(url).status_code == 404
    other = action(title="别的事项")
    assert (
        client_for(world.users["secretary"])
        .get(reverse("meetings:action_photo", args=[other.pk, photos[0].pk]))
        .status_code
        == 404
    )


def test_a_private_items_photos_are_not_served_to_residents(
    world: Any, client_for: Any, action: Callable[..., ActionItem], django_capture_on_commit_callbacks: Any
) -> None:
    item = action(is_public=False)
    with django_capture_on_commit_callbacks(execute=True):
        s.action_progress_update(
            actor=world.users["property_manager"],
            item=item,
            note="内部",
            photos_after=[SimpleUploadedFile("a.jpg", image_bytes())],
        )
    photo = ActionPhoto.objects.get()
    url = reverse("meetings:action_photo", args=[item.pk, photo.pk])
    assert client_for(world.users["resident"]).get(url).status_code == 404
    assert client_for(world.users["property_manager"]).get(url).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"progress": "150"}, "progress", "Progress is a whole number from 0 to 100."),
        ({"progress": "-1"}, "progress", "Progress is a whole number from 0 to 100."),
        ({"progress": "abc"}, "progress", "Progress is a whole number from 0 to 100."),
        ({"status": "delayed"}, "reason", "Give the reason for the delay."),
        ({"status": "flying"}, "status", ""),  # Django's own message
        ({"note": "x" * 4001}, "note", ""),
        ({}, None, "Nothing to update"),
        ({"progress": "10", "due_on": _due(30).isoformat()}, "due_on", "A new due date is set by delaying the item."),
    ],
)
def test_bad_progress_updates_are_refused_and_change_nothing(
    world: Any, client_for: Any, action: Callable[..., ActionItem], data: dict[str, str], field: Any, message: str
) -> None:
    item = action()
    before = meetings_state()
    response = client_for(world.users["property_manager"]).post(reverse("meetings:action_update", args=[item.pk]), data)
    assert response.status_code == 400
    form = response.context["progress_form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in e for e in errors), form.errors
    assert meetings_state() == before


def test_a_bad_photo_refuses_the_whole_update(
    world: Any, client_for: Any, action: Callable[..., ActionItem], media_root: Path
) -> None:
    item = action()
    before = meetings_state()
    response = client_for(world.users["property_manager"]).post(
        reverse("meetings:action_update", args=[item.pk]),
        {"progress": "40", "photos_after": SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo")},
    )
    assert response.status_code == 400
    assert response.context["progress_form"].errors["photos_after"]
    assert meetings_state() == before and stored_files(media_root) == []


def test_a_done_item_moves_back_only_with_a_reason(
    world: Any, client_for: Any, action: Callable[..., ActionItem]
) -> None:
    item = action()
    manager = world.users["property_manager"]
    s.action_progress_update(actor=manager, item=item, status=ActionStatus.DONE)
    client = client_for(manager)
    url = reverse("meetings:action_update", args=[item.pk])
    before = meetings_state()
    # a lower progress on a done item, or moving it back without a reason, is refused
    lower = client.post(url, {"progress": "80"})
    assert lower.status_code == 400 and "moving it back to in progress" in lower.content.decode()
    back = client.post(url, {"status": "in_progress"})
    assert back.status_code == 400
    assert "Give the reason for moving a done item back." in back.context["progress_form"].errors["reason"]
    assert meetings_state() == before
    # with a reason it moves back
    assert client.post(url, {"status": "in_progress", "reason": "雨后又漏水", "progress": "80"}).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.progress, item.status_reason) == (ActionStatus.IN_PROGRESS, 80, "雨后又漏水")


def test_delaying_takes_a_reason_and_a_new_due_date_and_only_community_staff_cancel(
    world: Any, client_for: Any, action: Callable[..., ActionItem]
) -> None:
    item = action()
    manager = client_for(world.users["property_manager"])
    url = reverse("meetings:action_update", args=[item.pk])
    # the property company does not even get "cancelled" as a choice
    assert 'value="cancelled"' not in manager.get(_detail(item)).content.decode()
    before = meetings_state()
    assert manager.post(url, {"status": "cancelled", "reason": "不做了"}).status_code == 400
    # a new due date in the past is refused
    past = manager.post(url, {"status": "delayed", "reason": "材料未到", "due_on": _due(-1).isoformat()})
    assert past.status_code == 400 and "cannot be before today" in past.content.decode()
    assert meetings_state() == before
    assert (
        manager.post(url, {"status": "delayed", "reason": "材料未到", "due_on": _due(60).isoformat()}).status_code
        == 302
    )
    item.refresh_from_db()
    assert (item.status, item.status_reason, item.due_on) == (ActionStatus.DELAYED, "材料未到", _due(60))
    # the secretary cancels, with a reason
    secretary = client_for(world.users["secretary"])
    assert 'value="cancelled"' in secretary.get(_detail(item)).content.decode()
    assert secretary.post(url, {"status": "cancelled", "reason": "业主大会否决"}).status_code == 302
    item.refresh_from_db()
    assert item.status == ActionStatus.CANCELLED
    # and a cancelled item has no update form any more
    assert 'id="update-form"' not in secretary.get(_detail(item)).content.decode()


def test_editing_checks_the_due_date_and_is_for_community_staff(
    world: Any, client_for: Any, action: Callable[..., ActionItem]
) -> None:
    item = action()
    ActionItem.objects.filter(pk=item.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    url = reverse("meetings:action_edit", args=[item.pk])
    client = client_for(world.users["secretary"])
    form = {
        "title": "大堂与走廊照明改造",
        "detail": "含走廊",
        "responsible_organization": world.orgs[OrgKind.PROPERTY].pk,
        "due_on": _due(-20).isoformat(),
        "budget": "15000",
        "weight": "1",
        "is_public": "on",
    }
    before = meetings_state()
    # a due date before the day the item was created is refused
    response = client.post(url, form)
    assert response.status_code == 400
    assert "cannot be before the day the item was created" in response.context["form"].errors["due_on"][0]
    # so are a negative budget and a missing responsible side
    assert client.post(url, {**form, "due_on": _due(5).isoformat(), "budget": "-1"}).status_code == 400
    bad = client.post(url, {**form, "due_on": _due(5).isoformat(), "responsible_organization": ""})
    assert bad.status_code == 400 and "Name the responsible organization or person." in bad.content.decode()
    assert meetings_state() == before
    # a good edit is saved
    assert client.get(url).status_code == 200
    assert client.post(url, {**form, "due_on": _due(5).isoformat()}).status_code == 302
    item.refresh_from_db()
    assert (item.title, str(item.budget), item.due_on) == ("大堂与走廊照明改造", "15000.00", _due(5))


def test_a_resident_edits_nothing(world: Any, client_for: Any, action: Callable[..., ActionItem]) -> None:
    voice = VoiceFactory.create(compound=world.compound_a, author=world.users["resident"])
    item = action(voice_ids=[voice.pk])
    client = client_for(world.users["resident"])
    before = meetings_state()
    assert client.get(reverse("meetings:action_edit", args=[item.pk])).status_code == 403
    posts = {
        "action_edit": {"title": "改", "due_on": _due(3).isoformat(), "weight": "1"},
        "action_update": {"progress": "100", "status": "done"},
        "action_sub_item_add": {"title": "子项", "due_on": _due(3).isoformat(), "weight": "1"},
        "action_voices_link": {"voices": str(voice.pk)},
    }
    for name, data in posts.items():
        assert client.post(reverse(f"meetings:{name}", args=[item.pk]), data).status_code == 403, name
    assert client.get(reverse("meetings:action_new")).status_code == 403
    assert meetings_state() == before


def test_sub_items_are_added_and_roll_up(world: Any, client_for: Any, action: Callable[..., ActionItem]) -> None:
    item = action()
    client = client_for(world.users["property_manager"])
    url = reverse("meetings:action_sub_item_add", args=[item.pk])
    before = meetings_state()
    for bad in (
        {"title": "", "due_on": _due(3).isoformat(), "weight": "1"},
        {"title": "灯具", "due_on": _due(-3).isoformat(), "weight": "1"},
        {"title": "灯具", "due_on": _due(3).isoformat(), "weight": "0"},
        {"title": "灯具", "due_on": "明天", "weight": "1"},
    ):
        assert client.post(url, bad).status_code == 400, bad
    assert meetings_state() == before
    assert client.post(url, {"title": "灯具", "due_on": _due(3).isoformat(), "weight": "3"}).status_code == 302
    assert client.post(url, {"title": "线路", "due_on": _due(3).isoformat(), "weight": "1"}).status_code == 302
    sub = ActionItem.objects.get(title="灯具")
    assert (sub.parent_id, sub.weight, sub.responsible_organization_id) == (
        item.pk,
        3,
        item.responsible_organization_id,
    )
    client.post(reverse("meetings:action_update", args=[sub.pk]), {"progress": "100"})
    item.refresh_from_db()
    assert item.progress == 75
    # a sub-item cannot have sub-items
    deeper = client.post(reverse("meetings:action_sub_item_add", args=[sub.pk]), {"title": "x", "due_on": _due(3)})
    assert deeper.status_code == 400


def test_linking_voices_takes_only_the_compounds_voices(
    world: Any, client_for: Any, action: Callable[..., ActionItem]
) -> None:
    item = action()
    mine = VoiceFactory.create(compound=world.compound_a)
    foreign = VoiceFactory.create(compound=world.compound_b)
    client = client_for(world.users["secretary"])
    url = reverse("meetings:action_voices_link", args=[item.pk])
    before = meetings_state()
    refused = client.post(url, {"voices": f"{mine.pk}, {foreign.pk}"})
    assert refused.status_code == 400 and f"Voice #{foreign.pk} is not a voice of this compound." in (
        refused.content.decode()
    )
    assert client.post(url, {"voices": "十二"}).status_code == 400
    assert meetings_state() == before
    assert client.post(url, {"voices": f"#{mine.pk}"}).status_code == 302
    assert list(item.voice_links.values_list("voice_id", flat=True)) == [mine.pk]
    # the property company may not link voices
    assert client_for(world.users["property_manager"]).post(url, {"voices": str(mine.pk)}).status_code == 403


def test_community_staff_create_an_item_here(
    world: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.users["secretary"])
    url = reverse("meetings:action_new")
    voice = VoiceFactory.create(compound=world.compound_a)
    assert client.get(url).status_code == 200
    data = {
        "compound": world.compound_a.code,
        "title": "<script>alert(1)</script>路灯",
        "responsible_organization": world.orgs[OrgKind.PROPERTY].pk,
        "due_on": _due(9).isoformat(),
        "budget": "800",
        "voices": str(voice.pk),
        "is_public": "on",
    }
    before = meetings_state()
    assert client.post(url, {**data, "due_on": _due(-1).isoformat()}).status_code == 400
    assert client.post(url, {**data, "compound": world.compound_b.code}).status_code == 400
    assert meetings_state() == before
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    item = ActionItem.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(item)
    # the title is shown escaped, never run
    page = client.get(_detail(item)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;路灯" in page and "<script>alert(1)" not in page
    # the responsible company was told, with a link to the page
    assert Notification.objects.filter(link=_detail(item)).exists()


# --- Rating -------------------------------------------------------------------------------------------------------


def test_the_resident_whose_voice_it_answers_rates_a_done_item_once(
    world: Any, client_for: Any, action: Callable[..., ActionItem]
) -> None:
    resident = world.users["resident"]
    voice = VoiceFactory.create(compound=world.compound_a, author=resident)
    item = action(voice_ids=[voice.pk])
    client = client_for(resident)
    url = reverse("meetings:action_rate", args=[item.pk])
    # not while it is open
    before = meetings_state()
    assert client.post(url, {"score": Score.SATISFIED}).status_code == 400
    s.action_progress_update(actor=world.users["property_manager"], item=item, status=ActionStatus.DONE)
    assert 'id="rate"' in client.get(_detail(item)).content.decode()
    before = meetings_state()
    assert client.post(url, {"score": "excellent"}).status_code == 400
    assert client.post(url, {"score": Score.BASIC, "comment": "x" * 501}).status_code == 400
    assert meetings_state() == before
    assert client.post(url, {"score": Score.BASIC, "comment": "灯亮了"}).status_code == 302
    assert ActionRating.objects.get().score == Score.BASIC
    # once: a second rating is refused and the form is gone
    second = client.post(url, {"score": Score.SATISFIED})
    assert second.status_code == 400 and "You have already rated this action item." in second.content.decode()
    assert 'id="rate"' not in client.get(_detail(item)).content.decode()
    # a neighbour whose voice it does not answer may not rate
    assert client_for(world.users["representative"]).post(url, {"score": Score.SATISFIED}).status_code == 403


# --- The public 整改清单 ------------------------------------------------------------------------------------------


def test_the_public_list_shows_public_items_without_internal_data(
    world: Any,
    client_for: Any,
    action: Callable[..., ActionItem],
    django_capture_on_commit_callbacks: Any,
) -> None:
    resident = world.users["resident"]
    voice = VoiceFactory.create(compound=world.compound_a, author=resident)
    lights = action(voice_ids=[voice.pk], responsible_user=world.users["property_manager"])
    action(title="内部协调事项", is_public=False)
    with django_capture_on_commit_callbacks(execute=True):
        s.action_progress_update(
            actor=world.users["technician"],
            item=lights,
            status=ActionStatus.DONE,
            note="全部灯具已更换",
            photos_after=[SimpleUploadedFile("a.jpg", image_bytes())],
        )
    client = client_for(resident)
    url = reverse("meetings:actions_public", args=[world.compound_a.code])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    # the public item with its progress, latest note and after photo; not the private one, no budget, no person
    assert "大堂照明改造" in page and "100%" in page and "全部灯具已更换" in page
    photo = ActionPhoto.objects.get()
    assert reverse("meetings:action_photo", args=[lights.pk, photo.pk]) in page
    assert "内部协调事项" not in page and "12,000" not in page and "property_manager" not in page
    # the resident whose voice it answers rates it right there
    assert f'id="rate-{lights.pk}"' in page
    rated = client.post(reverse("meetings:action_rate", args=[lights.pk]), {"score": "satisfied", "from": "public"})
    assert rated.status_code == 302 and rated["Location"] == url
    assert f'id="rate-{lights.pk}"' not in client.get(url).content.decode()
    # the done filter shows it, the open filter does not
    assert "大堂照明改造" in client.get(url, {"show": "done"}).content.decode()
    assert "大堂照明改造" not in client.get(url, {"show": "open"}).content.decode()


def test_the_public_list_of_a_foreign_compound_is_refused(world: Any, client_for: Any) -> None:
    assert (
        client_for(world.users["resident"])
        .get(reverse("meetings:actions_public", args=[world.compound_b.code]))
        .status_code
        == 403
    )
    assert (
        client_for(world.users["secretary"])
        .get(reverse("meetings:actions_public", args=[world.compound_b.code]))
        .status_code
        == 403
    )
    assert (
        client_for(world.users["resident"])
        .get(reverse("meetings:actions_public", args=["no-such-compound"]))
        .status_code
        == 404
    )
    assert (
        client_for(world.users["applicant"])
        .get(reverse("meetings:actions_public", args=[world.compound_a.code]))
        .status_code
        == 403
    )


def test_residents_find_the_public_list_from_the_meetings_page(world: Any, client_for: Any) -> None:
    page = client_for(world.users["resident"]).get(reverse("meetings:list")).content.decode()
    assert reverse("meetings:actions_public", args=[world.compound_a.code]) in page
    assert 'id="tab-actions"' not in page


def test_an_items_page_of_another_compound_is_not_found(
    world: Any, client_for: Any, action: Callable[..., ActionItem]
) -> None:
    item = action(is_public=False)
    for role in ("resident", "stranger", "liaison"):
        assert client_for(world.users[role]).get(_detail(item)).status_code == 404, role
    assert client_for(world.users["secretary"]).get(reverse("meetings:action_detail", args=[999999])).status_code == 404


def test_updates_are_kept_in_order_on_the_page(world: Any, client_for: Any, action: Callable[..., ActionItem]) -> None:
    item = action()
    manager = world.users["property_manager"]
    s.action_progress_update(actor=manager, item=item, progress=20, note="第一次")
    s.action_progress_update(actor=manager, item=item, progress=50, note="第二次")
    page = client_for(world.users["secretary"]).get(_detail(item)).content.decode()
    assert page.index("第二次") < page.index("第一次")  # newest first
    assert ActionUpdate.objects.filter(action_item=item).count() == 3
    assert selectors.action_get(user=world.users["secretary"], pk=item.pk).progress == 50


def test_a_sub_items_weight_is_edited_and_the_parent_follows(
    world: Any, client_for: Any, action: Callable[..., ActionItem]
) -> None:
    # given an item with two sub-items of weight 1, one done
    item = action()
    secretary = world.users["secretary"]
    done = s.action_item_create(actor=secretary, parent=item, title="灯具", due_on=_due(5))
    s.action_item_create(actor=secretary, parent=item, title="线路", due_on=_due(5))
    s.action_progress_update(actor=secretary, item=done, progress=100)
    item.refresh_from_db()
    assert item.progress == 50
    client = client_for(secretary)
    # the top-level item's edit form has no weight; the sub-item's has
    assert 'name="weight"' not in client.get(reverse("meetings:action_edit", args=[item.pk])).content.decode()
    assert 'name="weight"' in client.get(reverse("meetings:action_edit", args=[done.pk])).content.decode()
    # when the done sub-item's weight becomes 3
    response = client.post(
        reverse("meetings:action_edit", args=[done.pk]),
        {
            "title": "灯具",
            "responsible_organization": world.orgs[OrgKind.PROPERTY].pk,
            "due_on": _due(5).isoformat(),
            "weight": "3",
            "is_public": "on",
        },
    )
    # then the parent's progress is 3×100 / 4 = 75
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.progress == 75
