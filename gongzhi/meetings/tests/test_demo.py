"""The demo world has joint meetings and a public 整改清单 worth looking at, loaded once."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from gongzhi.accounts.selectors import user_by_phone
from gongzhi.estates.models import Compound
from gongzhi.meetings.demo import seed_meetings
from gongzhi.meetings.models import ActionItem, ActionPhoto, AgendaItem, Meeting, MeetingStatus, Minutes

pytestmark = pytest.mark.django_db


def _user(phone: str) -> Any:
    user = user_by_phone(phone)
    assert user is not None
    return user


def test_seed_demo_gives_a_closed_meeting_and_a_public_list_with_the_done_item_and_its_photos(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given the demo world loaded (photo files are written when the seeding commits)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    case = Compound.objects.get(code="jshy")

    # then the recent joint meeting is closed with published minutes, the next one published (the history of
    # earlier years, seeded by the insights demo, holds more closed meetings)
    past = Meeting.objects.get(compound=case, title="三方联席会议：单元门禁、绿化与照明")
    upcoming = Meeting.objects.get(compound=case, title="三方联席会议：整改进度与电动车充电")
    assert (past.status, upcoming.status) == (MeetingStatus.CLOSED, MeetingStatus.PUBLISHED)
    assert Minutes.objects.filter(meeting=past, status="published").count() == 1
    statuses = dict(ActionItem.objects.filter(meeting=past).values_list("title", "status"))
    assert statuses == {
        "单元门禁更换": "done",
        "绿化补植": "in_progress",
        "路灯增设": "planned",
        "地下车库照明改造": "delayed",
    }
    door = ActionItem.objects.get(meeting=past, title="单元门禁更换")
    assert set(door.photos.values_list("stage", flat=True)) == {"before", "after"}

    # when the demo owner opens the public 整改清单 and the done item
    owner = user_by_phone("13800000101")
    client = client_for(owner)
    page = client.get("/meetings/actions/public/jshy/").content.decode()
    detail = client.get(f"/meetings/actions/{door.pk}/").content.decode()

    # then the done item is listed with its after photo, which is served, and the owner may rate it
    assert "单元门禁更换" in page and "路灯增设" in page
    after = door.photos.get(stage="after")
    assert f"/meetings/actions/{door.pk}/photos/{after.pk}/" in page
    photo = client.get(f"/meetings/actions/{door.pk}/photos/{after.pk}/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert f"/meetings/actions/{door.pk}/rate/" in detail

    # when the meetings are seeded again, then nothing is added
    counts = (Meeting.objects.count(), AgendaItem.objects.count(), ActionItem.objects.count())
    photos = ActionPhoto.objects.count()
    made = seed_meetings(
        compound=case,
        secretary=_user("13800000001"),
        manager=_user("13800000011"),
        technician=_user("13800000013"),
        representative=_user("13800000021"),
    )
    assert made == 0
    assert (Meeting.objects.count(), AgendaItem.objects.count(), ActionItem.objects.count()) == counts
    assert ActionPhoto.objects.count() == photos
