"""Generating shifts, rostering, open places, swaps, check-in and check-out, reminders — and every refusal
leaves the database as it was."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.duty import selectors
from gongzhi.duty import services as s
from gongzhi.duty.models import Assignment, DayKind, PostKind, ServeKind, Shift, SwapRequest, SwapStatus
from gongzhi.duty.tasks import reminder_sweep
from gongzhi.notifications.models import Notification
from gongzhi.testing.duty_factories import ShiftFactory, in_days, local, resident_volunteer
from gongzhi.testing.factories import UserFactory

from .helpers import duty_state

pytestmark = pytest.mark.django_db


def _full_crew(duty: Any, shift: Shift) -> tuple[Assignment, Assignment, Assignment]:
    officer = s.assignment_create(actor=duty.secretary, shift=shift, user=duty.officer)
    prop = s.assignment_create(actor=duty.secretary, shift=shift, user=duty.property)
    vol = s.assignment_create(actor=duty.secretary, shift=shift, user=duty.volunteer)
    return officer, prop, vol


# --- Generating shifts --------------------------------------------------------------------------------------------


def test_a_post_gets_school_day_shifts_less_holidays_plus_make_up_workdays(world: Any) -> None:
    # given a school-safety post on school days, 07:20-08:00 and 16:30-17:30
    secretary = world.users["secretary"]
    post = s.post_create(
        actor=secretary,
        compound=world.compound_a,
        name="实验小学护学岗",
        kind=PostKind.SCHOOL_SAFETY,
        min_officers=1,
        min_property=1,
        min_volunteers=1,
        places=4,
        weekdays=[0, 1, 2, 3, 4],
        times=[(datetime.time(7, 20), datetime.time(8, 0)), (datetime.time(16, 30), datetime.time(17, 30))],
    )
    # and a holiday on Wed 2026-10-07 and a make-up workday on Sat 2026-10-10 that runs as a Friday
    s.calendar_day_add(
        actor=secretary,
        compound=world.compound_a,
        kind=DayKind.HOLIDAY,
        name="国庆",
        first_day=datetime.date(2026, 10, 7),
        last_day=datetime.date(2026, 10, 7),
    )
    s.calendar_day_add(
        actor=secretary,
        compound=world.compound_a,
        kind=DayKind.WORKDAY,
        name="国庆调休",
        first_day=datetime.date(2026, 10, 10),
        last_day=datetime.date(2026, 10, 10),
        as_weekday=4,
    )
    # when the roster of Mon 2026-10-05 … Sun 2026-10-11 is generated
    counts = s.rosters_generate(
        actor=secretary, posts=[post], first_day=datetime.date(2026, 10, 5), last_day=datetime.date(2026, 10, 11)
    )
    # then there are shifts on Mon, Tue, Thu, Fri and the make-up Saturday, twice a day, in Asia/Shanghai
    days = sorted({d for d in Shift.objects.filter(post=post).values_list("date", flat=True)})
    assert days == [datetime.date(2026, 10, d) for d in (5, 6, 8, 9, 10)]
    assert counts["created"] == 10
    first = Shift.objects.filter(post=post).order_by("starts_at").first()
    assert first is not None
    assert timezone.localtime(first.starts_at).strftime("%H:%M") == "07:20"
    # and generating again adds nothing
    again = s.rosters_generate(
        actor=secretary, posts=[post], first_day=datetime.date(2026, 10, 5), last_day=datetime.date(2026, 10, 11)
    )
    assert again == {"created": 0, "removed": 0, "cancelled": 0, "restored": 0}


def test_a_new_holiday_removes_empty_shifts_and_cancels_staffed_ones_on_regeneration(world: Any) -> None:
    # given a post with a generated week, and a person on Thursday morning's shift
    secretary = world.users["secretary"]
    post = s.post_create(
        actor=secretary,
        compound=world.compound_a,
        name="护学岗",
        min_officers=1,
        weekdays=[0, 1, 2, 3, 4],
        times=[(datetime.time(7, 20), datetime.time(8, 0)), (datetime.time(16, 30), datetime.time(17, 30))],
    )
    thursday = timezone.localdate() + datetime.timedelta(days=(3 - timezone.localdate().weekday()) % 7 + 7)
    monday = thursday - datetime.timedelta(days=3)
    s.rosters_generate(actor=secretary, posts=[post], first_day=monday, last_day=monday + datetime.timedelta(days=6))
    morning = Shift.objects.get(post=post, date=thursday, starts_at=local(thursday, 7, 20))
    s.assignment_create(actor=secretary, shift=morning, user=world.users["officer"])
    # when Thursday becomes a holiday and the shifts are generated again
    s.calendar_day_add(
        actor=secretary,
        compound=world.compound_a,
        kind=DayKind.HOLIDAY,
        name="校庆",
        first_day=thursday,
        last_day=thursday,
    )
    counts = s.rosters_generate(
        actor=secretary, posts=[post], first_day=monday, last_day=monday + datetime.timedelta(days=6)
    )
    # then the empty afternoon shift is gone and the staffed morning one is cancelled, not lost
    assert counts == {"created": 0, "removed": 1, "cancelled": 1, "restored": 0}
    assert list(Shift.objects.filter(post=post, date=thursday).values_list("cancelled", flat=True)) == [True]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"times": []}, "times"),
        ({"times": [(datetime.time(8, 0), datetime.time(7, 0))]}, "times"),
        ({"times": [(datetime.time(7, 0), datetime.time(8, 0)), (datetime.time(7, 30), datetime.time(9, 0))]}, "times"),
        ({"min_officers": 3, "places": 2}, "places"),
        ({"min_officers": -1}, "min_officers"),
        ({"name": ""}, "name"),
        ({"name": "岗" * 101}, "name"),
    ],
)
def test_a_post_with_a_bad_pattern_or_rule_is_refused_and_nothing_is_written(
    world: Any, fields: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {
        "name": "护学岗",
        "weekdays": [0],
        "times": [(datetime.time(7, 20), datetime.time(8, 0))],
        "min_officers": 1,
        "places": 4,
    }
    args.update(fields)
    before = duty_state()
    with pytest.raises(DomainError) as refused:
        s.post_create(actor=world.users["secretary"], compound=world.compound_a, **args)
    assert refused.value.field == field
    assert duty_state() == before


def test_generating_more_than_400_days_at_once_is_refused(duty: Any) -> None:
    before = duty_state()
    with pytest.raises(DomainError):
        s.rosters_generate(
            actor=duty.secretary,
            posts=[duty.post],
            first_day=datetime.date(2026, 1, 1),
            last_day=datetime.date(2027, 3, 1),
        )
    assert duty_state() == before


# --- Rostering ------------------------------------------------------------------------------------------------------


def test_staff_put_each_kind_on_a_shift_and_it_meets_the_rule(
    duty: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # when the secretary puts the officer, the technician and the volunteer on tomorrow's shift
    with django_capture_on_commit_callbacks(execute=True):
        officer, prop, vol = _full_crew(duty, duty.shift)
    # then each serves as their kind, and the shift meets the rule
    assert (officer.kind, prop.kind, vol.kind) == (ServeKind.OFFICER, ServeKind.PROPERTY, ServeKind.VOLUNTEER)
    rows = selectors.roster(user=duty.secretary, post=duty.post, first=duty.shift.date, last=duty.shift.date)
    assert [r.met for r in rows] == [True]
    # and the officer is told
    assert Notification.objects.filter(recipient=duty.officer, verb="duty.assigned").exists()


def test_someone_who_may_not_serve_here_is_refused(duty: Any, world: Any) -> None:
    before = duty_state()
    with pytest.raises(DomainError) as refused:
        s.assignment_create(actor=duty.secretary, shift=duty.shift, user=world.users["lawyer"])
    assert refused.value.code == "not_eligible"
    assert duty_state() == before


def test_a_person_on_two_overlapping_shifts_is_refused_and_nothing_changes(duty: Any) -> None:
    # given the officer on tomorrow 07:20-08:00 at the school gate
    s.assignment_create(actor=duty.secretary, shift=duty.shift, user=duty.officer)
    # and a patrol of another post tomorrow 07:45-08:30
    other = ShiftFactory.create(post__compound=duty.post.compound, post__name="夜间巡逻", starts_at=in_days(1, 7, 45))
    before = duty_state()
    # when the secretary puts the officer on the patrol too
    with pytest.raises(DomainError) as refused:
        s.assignment_create(actor=duty.secretary, shift=other, user=duty.officer)
    # then it is refused, naming the clash, and nothing changed
    assert refused.value.code == "overlap"
    assert "实验小学护学岗" in refused.value.message
    assert duty_state() == before


def test_the_same_person_twice_on_a_shift_or_a_full_shift_is_refused(duty: Any, world: Any) -> None:
    s.assignment_create(actor=duty.secretary, shift=duty.shift, user=duty.officer)
    with pytest.raises(Conflict):
        s.assignment_create(actor=duty.secretary, shift=duty.shift, user=duty.officer)
    duty.post.places = 1
    duty.post.save()
    before = duty_state()
    with pytest.raises(Conflict) as full:
        s.assignment_create(actor=duty.secretary, shift=duty.shift, user=duty.property)
    assert full.value.code == "full"
    assert duty_state() == before


# --- Open places ---------------------------------------------------------------------------------------------------


def test_a_volunteer_takes_an_open_place_and_the_shift_then_meets_the_rule(duty: Any) -> None:
    # given the officer and the technician on tomorrow's shift: it lacks a volunteer
    s.assignment_create(actor=duty.secretary, shift=duty.shift, user=duty.officer)
    s.assignment_create(actor=duty.secretary, shift=duty.shift, user=duty.property)
    rows = selectors.open_shifts(user=duty.volunteer)
    assert [r.shift.pk for r in rows] == [duty.shift.pk]
    assert not rows[0].met
    # when the volunteer takes the place
    s.place_take(user=duty.volunteer, shift=duty.shift)
    # then the shift meets its rule and is no longer open to them
    rows = selectors.roster(user=duty.secretary, post=duty.post, first=duty.shift.date, last=duty.shift.date)
    assert rows[0].met
    assert selectors.open_shifts(user=duty.volunteer) == []


def test_only_active_resident_volunteers_take_places(duty: Any, world: Any) -> None:
    before = duty_state()
    for role in ("officer", "technician", "applicant", "stranger"):
        with pytest.raises(NotAllowed):
            s.place_take(user=world.users[role], shift=duty.shift)
    assert duty_state() == before


def test_a_started_shift_cannot_be_taken(duty: Any) -> None:
    before = duty_state()
    with pytest.raises(Conflict):
        s.place_take(user=duty.volunteer, shift=duty.shift, now=duty.shift.starts_at + datetime.timedelta(minutes=1))
    assert duty_state() == before


# --- Swaps -----------------------------------------------------------------------------------------------------------


def test_swapping_a_police_officer_for_a_resident_is_refused_when_it_breaks_the_rule(duty: Any) -> None:
    # given a full crew tomorrow, and the day after a shift with a second volunteer on it
    officer, _prop, _vol = _full_crew(duty, duty.shift)
    later = ShiftFactory.create(post=duty.post, starts_at=in_days(2))
    neighbour = resident_volunteer(duty.post.compound, name="邻居王")
    theirs = s.place_take(user=neighbour, shift=later)
    before = duty_state()
    # when the officer proposes to swap their shift for the neighbour's
    with pytest.raises(DomainError) as refused:
        s.swap_propose(user=duty.officer, offered=officer, wanted=theirs)
    # then it is refused: tomorrow would have no police officer; nothing changed
    assert refused.value.code in ("breaks_rule", "not_eligible")
    assert duty_state() == before


def test_swapping_with_someone_who_does_not_meet_the_post_rule_names_the_rule(duty: Any) -> None:
    # given tomorrow's full crew and another technician of A's property company on the day after
    _officer, prop, _vol = _full_crew(duty, duty.shift)
    later = ShiftFactory.create(post=duty.post, starts_at=in_days(2))
    neighbour = resident_volunteer(duty.post.compound, name="邻居王")
    theirs = s.assignment_create(actor=duty.secretary, shift=later, user=neighbour)
    before = duty_state()
    # when the technician offers their shift for the volunteer's (tomorrow would lose its property staff)
    with pytest.raises(DomainError) as refused:
        s.swap_propose(user=duty.property, offered=prop, wanted=theirs)
    # then the refusal says which rule breaks; nothing changed
    assert refused.value.code == "breaks_rule"
    assert "Property staff" in refused.value.message
    assert duty_state() == before


def test_two_volunteers_swap_shifts_when_the_other_accepts(duty: Any, django_capture_on_commit_callbacks: Any) -> None:
    # given the volunteer tomorrow and a neighbour the day after
    mine = s.place_take(user=duty.volunteer, shift=duty.shift)
    later = ShiftFactory.create(post=duty.post, starts_at=in_days(2))
    neighbour = resident_volunteer(duty.post.compound, name="邻居王")
    theirs = s.place_take(user=neighbour, shift=later)
    # when the volunteer proposes and the neighbour accepts
    with django_capture_on_commit_callbacks(execute=True):
        swap = s.swap_propose(user=duty.volunteer, offered=mine, wanted=theirs)
    assert Notification.objects.filter(recipient=neighbour, verb="duty.swap_proposed").exists()
    with pytest.raises(NotAllowed):
        s.swap_accept(user=duty.volunteer, swap=swap)
    s.swap_accept(user=neighbour, swap=swap)
    # then they have exchanged shifts
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.shift_id, theirs.shift_id) == (later.pk, duty.shift.pk)
    assert mine.starts_at == later.starts_at
    assert SwapRequest.objects.get(pk=swap.pk).status == SwapStatus.ACCEPTED
    # and accepting again is an illegal transition
    with pytest.raises(Conflict):
        s.swap_accept(user=neighbour, swap=swap)


def test_a_swap_that_became_impossible_is_refused_on_accepting_and_nothing_changes(duty: Any) -> None:
    # given a proposed swap between two volunteers
    mine = s.place_take(user=duty.volunteer, shift=duty.shift)
    later = ShiftFactory.create(post=duty.post, starts_at=in_days(2))
    neighbour = resident_volunteer(duty.post.compound, name="邻居王")
    theirs = s.place_take(user=neighbour, shift=later)
    swap = s.swap_propose(user=duty.volunteer, offered=mine, wanted=theirs)
    # and the neighbour since put on a patrol that overlaps tomorrow's shift
    patrol = ShiftFactory.create(post__compound=duty.post.compound, starts_at=in_days(1, 7, 30))
    s.assignment_create(actor=duty.secretary, shift=patrol, user=neighbour)
    before = duty_state()
    # when the neighbour accepts
    with pytest.raises(DomainError) as refused:
        s.swap_accept(user=neighbour, swap=swap)
    # then it is refused as an overlap and nothing changed (the swap is still proposed)
    assert refused.value.code == "overlap"
    assert duty_state() == before


# --- Checking in and out ---------------------------------------------------------------------------------------------


def test_check_in_within_the_window_then_check_out(duty: Any) -> None:
    row = s.place_take(user=duty.volunteer, shift=duty.shift)
    s.check_in(user=duty.volunteer, assignment=row, now=duty.shift.starts_at - datetime.timedelta(minutes=10))
    done = s.check_out(user=duty.volunteer, assignment=row, now=duty.shift.ends_at + datetime.timedelta(minutes=5))
    assert done.checked_in_at is not None and done.checked_out_at is not None


@pytest.mark.parametrize(
    ("offset", "code"),
    [(datetime.timedelta(minutes=-16), "too_early"), (datetime.timedelta(minutes=41), "too_late")],
)
def test_check_in_outside_the_window_is_refused_and_nothing_changes(
    duty: Any, offset: datetime.timedelta, code: str
) -> None:
    row = s.place_take(user=duty.volunteer, shift=duty.shift)
    before = duty_state()
    with pytest.raises(Conflict) as refused:
        s.check_in(user=duty.volunteer, assignment=row, now=duty.shift.starts_at + offset)
    assert refused.value.code == code
    assert duty_state() == before


def test_checking_in_or_out_twice_is_refused_and_nothing_changes(duty: Any) -> None:
    row = s.place_take(user=duty.volunteer, shift=duty.shift)
    at = duty.shift.starts_at
    s.check_in(user=duty.volunteer, assignment=row, now=at)
    before = duty_state()
    with pytest.raises(Conflict) as twice:
        s.check_in(user=duty.volunteer, assignment=row, now=at + datetime.timedelta(minutes=1))
    assert twice.value.code == "twice"
    assert duty_state() == before
    s.check_out(user=duty.volunteer, assignment=row, now=at + datetime.timedelta(minutes=30))
    before = duty_state()
    with pytest.raises(Conflict):
        s.check_out(user=duty.volunteer, assignment=row, now=at + datetime.timedelta(minutes=31))
    assert duty_state() == before


def test_someone_else_cannot_check_in_on_my_shift(duty: Any) -> None:
    row = s.place_take(user=duty.volunteer, shift=duty.shift)
    with pytest.raises(NotAllowed):
        s.check_in(user=duty.officer, assignment=row, now=duty.shift.starts_at)


# --- Reminders -------------------------------------------------------------------------------------------------------


def test_people_are_reminded_once_before_their_shift(duty: Any) -> None:
    row = s.place_take(user=duty.volunteer, shift=duty.shift)
    far = reminder_sweep(now=duty.shift.starts_at - datetime.timedelta(hours=13))
    assert far == {"reminded": 0}
    near = duty.shift.starts_at - datetime.timedelta(hours=11)
    assert reminder_sweep(now=near) == {"reminded": 1}
    assert reminder_sweep(now=near + datetime.timedelta(minutes=15)) == {"reminded": 0}
    assert Notification.objects.filter(recipient=duty.volunteer, verb="duty.reminder").count() == 1
    row.refresh_from_db()
    assert row.reminded_at == near


def test_a_person_not_in_the_world_cannot_be_assigned_by_a_property_manager(duty: Any, world: Any) -> None:
    person = UserFactory.create()
    with pytest.raises(NotAllowed):
        s.assignment_create(actor=world.users["property_manager"], shift=duty.shift, user=person)
