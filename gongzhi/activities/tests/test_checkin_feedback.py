"""Check-in by QR (signed, expiring, in the window, once), staff marking, feedback (attendees, once), photos,
the state machine, and a resident editing an activity."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.activities import services as s
from gongzhi.activities.checkin import CODE_VALID, checkin_token
from gongzhi.activities.models import Activity, ActivityPhoto, ActivityStatus, CheckinMethod, SignupStatus
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound

from .helpers import state

pytestmark = pytest.mark.django_db


def code(activity: Activity, at: datetime.datetime) -> str:
    return checkin_token(activity_id=activity.pk, nonce=activity.checkin_nonce, now=at)


def test_checking_in_with_the_code_in_the_window_marks_the_resident_present(
    world: Any, organise: Callable[..., Activity]
) -> None:
    activity = organise()
    s.signup_create(actor=world.users["resident"], activity=activity)
    at = activity.starts_at - datetime.timedelta(minutes=10)
    row = s.checkin_scan(actor=world.users["resident"], activity=activity.pk, token=code(activity, at), now=at)
    assert row.checked_in_at == at and row.checkin_method == CheckinMethod.QR


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(datetime.timedelta(minutes=-31), "checkin_early"), (datetime.timedelta(hours=2, minutes=1), "checkin_late")],
)
def test_checking_in_outside_the_window_is_refused_and_changes_nothing(
    world: Any, organise: Callable[..., Activity], offset: datetime.timedelta, expected: str
) -> None:
    activity = organise()
    s.signup_create(actor=world.users["resident"], activity=activity)
    at = activity.starts_at + offset
    before = state()
    with pytest.raises(DomainError) as refused:
        s.checkin_scan(actor=world.users["resident"], activity=activity.pk, token=code(activity, at), now=at)
    assert refused.value.code == expected
    assert state() == before


def test_checking_in_twice_is_refused(world: Any, organise: Callable[..., Activity]) -> None:
    activity = organise()
    s.signup_create(actor=world.users["resident"], activity=activity)
    at = activity.starts_at
    s.checkin_scan(actor=world.users["resident"], activity=activity.pk, token=code(activity, at), now=at)
    before = state()
    with pytest.raises(Conflict) as refused:
        s.checkin_scan(actor=world.users["resident"], activity=activity.pk, token=code(activity, at), now=at)
    assert refused.value.code == "checkin_twice"
    assert state() == before


def test_forged_expired_replaced_and_foreign_codes_are_refused(world: Any, organise: Callable[..., Activity]) -> None:
    activity, other = organise(), organise()
    s.signup_create(actor=world.users["resident"], activity=activity)
    at = activity.starts_at
    old = code(activity, at - CODE_VALID - datetime.timedelta(minutes=1))
    foreign = code(other, at)
    replaced = code(activity, at)
    s.checkin_rotate(actor=world.users["secretary"], activity=activity)
    before = state()
    for token, expected in [
        ("forged:token", "checkin_invalid"),
        (code(activity, at)[:-2] + "xx", "checkin_invalid"),
        (old, "checkin_expired"),
        (foreign, "checkin_invalid"),
        (replaced, "checkin_replaced"),
    ]:
        with pytest.raises(DomainError) as refused:
            s.checkin_scan(actor=world.users["resident"], activity=activity.pk, token=token, now=at)
        assert refused.value.code == expected
    assert state() == before


def test_the_waitlisted_and_those_not_signed_up_cannot_check_in(world: Any, organise: Callable[..., Activity]) -> None:
    activity = organise(capacity=1)
    s.signup_create(actor=world.users["resident"], activity=activity)
    at = activity.starts_at
    with pytest.raises(DomainError) as refused:
        s.checkin_scan(actor=world.users["applicant"], activity=activity.pk, token=code(activity, at), now=at)
    assert refused.value.code == "checkin_no_signup"


def test_staff_mark_attendance_and_take_it_back(world: Any, organise: Callable[..., Activity]) -> None:
    activity = organise()
    signup = s.signup_create(actor=world.users["resident"], activity=activity)
    row = s.attendance_mark(actor=world.users["grid_worker"], signup=signup, present=True, now=activity.starts_at)
    assert row.checkin_method == CheckinMethod.STAFF and row.checked_in_by == world.users["grid_worker"]
    with pytest.raises(Conflict):
        s.attendance_mark(actor=world.users["grid_worker"], signup=signup, present=True, now=activity.starts_at)
    row = s.attendance_mark(actor=world.users["grid_worker"], signup=signup, present=False)
    assert row.checked_in_at is None
    with pytest.raises(NotAllowed):
        s.attendance_mark(actor=world.users["resident"], signup=signup, present=True, now=activity.starts_at)


def test_only_attendees_give_feedback_once(world: Any, organise: Callable[..., Activity]) -> None:
    activity = organise()
    signup = s.signup_create(actor=world.users["resident"], activity=activity)
    before = state()
    with pytest.raises(NotAllowed):  # signed up but not there
        s.feedback_give(actor=world.users["resident"], activity=activity, rating=5)
    assert state() == before
    s.attendance_mark(actor=world.users["secretary"], signup=signup, present=True, now=activity.starts_at)
    for bad in (0, 6, "五", None):
        with pytest.raises(DomainError) as refused:
            s.feedback_give(actor=world.users["resident"], activity=activity, rating=bad)
        assert refused.value.field == "rating"
    with pytest.raises(DomainError) as refused:
        s.feedback_give(actor=world.users["resident"], activity=activity, rating=4, comment="很" * 2001)
    assert refused.value.field == "comment"
    row = s.feedback_give(actor=world.users["resident"], activity=activity, rating=4, comment="<script>x</script>")
    assert row.rating == 4
    before = state()
    with pytest.raises(Conflict):
        s.feedback_give(actor=world.users["resident"], activity=activity, rating=5)
    assert state() == before


def test_a_resident_editing_an_activity_is_refused_and_changes_nothing(
    world: Any, organise: Callable[..., Activity]
) -> None:
    activity = organise()
    before = state()
    for call in (
        lambda: s.activity_update(actor=world.users["resident"], activity=activity, title="改掉"),
        lambda: s.activity_cancel(actor=world.users["resident"], activity=activity, reason="不想办"),
        lambda: s.activity_hold(actor=world.users["resident"], activity=activity, now=activity.starts_at),
        lambda: s.checkin_rotate(actor=world.users["resident"], activity=activity),
    ):
        with pytest.raises(NotAllowed):
            call()
    assert state() == before


def test_the_state_machine_refuses_illegal_moves(world: Any, organise: Callable[..., Activity]) -> None:
    secretary = world.users["secretary"]
    activity = organise()
    with pytest.raises(DomainError):  # not started yet
        s.activity_hold(actor=secretary, activity=activity, now=activity.starts_at - datetime.timedelta(hours=1))
    s.activity_hold(actor=secretary, activity=activity, now=activity.starts_at)
    with pytest.raises(Conflict):
        s.activity_cancel(actor=secretary, activity=activity, reason="x")
    with pytest.raises(Conflict):
        s.activity_publish(actor=secretary, activity=activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.HELD


def test_cancelling_needs_a_reason_and_frees_nobody(world: Any, organise: Callable[..., Activity]) -> None:
    activity = organise()
    s.signup_create(actor=world.users["resident"], activity=activity)
    with pytest.raises(DomainError) as refused:
        s.activity_cancel(actor=world.users["secretary"], activity=activity, reason="  ")
    assert refused.value.field == "reason"
    s.activity_cancel(actor=world.users["secretary"], activity=activity, reason="下雨")
    assert activity.signups.get().status == SignupStatus.CONFIRMED


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 101}, "title"),
        ({"category": "party"}, "category"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"capacity": 10001}, "capacity"),
        ({"place": ""}, "place"),
        ({"by_community": False}, "by_community"),
        ({"audience": "buildings"}, "buildings"),
        ({"signup_mode": "crowd"}, "signup_mode"),
    ],
)
def test_bad_activity_input_is_refused_and_changes_nothing(
    world: Any, organise: Callable[..., Activity], fields: dict[str, Any], field: str
) -> None:
    before = state()
    with pytest.raises(DomainError) as refused:
        organise(**fields)
    assert refused.value.field == field
    assert state() == before


def test_an_activity_ending_before_it_starts_or_in_the_past_is_refused(
    world: Any, organise: Callable[..., Activity]
) -> None:
    from .conftest import in_days

    with pytest.raises(DomainError) as refused:
        organise(starts_at=in_days(2, 11), ends_at=in_days(2, 9))
    assert refused.value.field == "ends_at"
    with pytest.raises(DomainError) as refused:
        organise(starts_at=in_days(-1), ends_at=in_days(-1, 11))
    assert refused.value.field == "starts_at"


def test_buildings_of_another_compound_are_refused(world: Any, organise: Callable[..., Activity]) -> None:
    with pytest.raises(DomainError) as refused:
        organise(audience="buildings", buildings=[world.house_b.building])
    assert refused.value.field == "buildings"


def _jpeg(name: str = "a.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_staff_add_checked_photos_to_the_gallery(
    world: Any, organise: Callable[..., Activity], django_capture_on_commit_callbacks: Any
) -> None:
    activity = organise()
    with django_capture_on_commit_callbacks(execute=True):
        rows = s.activity_photos_add(actor=world.users["community_staff"], activity=activity, photos=[_jpeg()])
    assert len(rows) == 1 and ActivityPhoto.objects.get().width == 64
    before = state()
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(DomainError) as refused:
        s.activity_photos_add(actor=world.users["community_staff"], activity=activity, photos=[fake])
    assert refused.value.field == "photos"
    with pytest.raises(NotAllowed):
        s.activity_photos_add(actor=world.users["resident"], activity=activity, photos=[_jpeg()])
    assert state() == before


def test_feedback_on_an_activity_one_cannot_see_is_not_found(world: Any, organise: Callable[..., Activity]) -> None:
    activity = organise(publish=False)
    with pytest.raises(NotFound):
        s.feedback_give(actor=world.users["resident"], activity=activity, rating=5)
