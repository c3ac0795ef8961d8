"""The duty pages through HTTP: forms refuse invalid, missing, oversized and malicious input with a clear
error and change nothing; text is escaped; check-in on the phone page; the certificate PDF; the honour board."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from gongzhi.duty import services as s
from gongzhi.duty.models import Assignment, DutyPost, NameDisplay, Shift, Volunteer, VolunteerStatus
from gongzhi.testing.duty_factories import AssignmentFactory, ShiftFactory, resident_volunteer

from .helpers import duty_state

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().replace("\x00", "").split()) for page in reader.pages)


def _post_form(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "实验小学护学岗",
        "kind": "school_safety",
        "place": "南门",
        "weekdays": ["0", "1", "2", "3", "4"],
        "times": "07:20-08:00, 16:30-17:30",
        "follows_calendar": "on",
        "min_officers": "1",
        "min_property": "1",
        "min_volunteers": "1",
        "places": "4",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_the_secretary_creates_a_post_and_generates_a_term(world: Any, client_for: Any) -> None:
    client = client_for(world.users["secretary"])
    response = client.post(f"/duty/compounds/{world.compound_a.pk}/posts/new/", _post_form())
    post = DutyPost.objects.get()
    assert response.status_code == 302
    assert post.patterns.count() == 10
    today = timezone.localdate()
    response = client.post(
        f"/duty/posts/{post.pk}/generate/",
        {"first_day": today.isoformat(), "last_day": (today + datetime.timedelta(days=13)).isoformat()},
    )
    assert response.status_code == 302
    assert Shift.objects.filter(post=post).count() == 20
    page = client.get(f"/duty/posts/{post.pk}/?week={(today + datetime.timedelta(days=7)).isoformat()}")
    assert "Rule not met" in page.content.decode()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"times": "7点到8点"}, "is not a time range"),
        ({"times": "08:00-07:00"}, "A shift must end after it starts."),
        ({"name": ""}, 'class="errorlist"'),
        ({"name": "岗" * 101}, 'class="errorlist"'),
        ({"weekdays": None}, 'class="errorlist"'),
        ({"min_officers": "abc"}, 'class="errorlist"'),
        ({"min_officers": "3", "places": "2"}, "A shift must have room for the people its rule requires."),
    ],
)
def test_a_bad_post_form_shows_the_reason_and_changes_nothing(
    world: Any, client_for: Any, fields: dict[str, Any], error: str
) -> None:
    before = duty_state()
    response = client_for(world.users["secretary"]).post(
        f"/duty/compounds/{world.compound_a.pk}/posts/new/", _post_form(**fields)
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert duty_state() == before


def test_html_in_a_post_name_is_shown_as_text(world: Any, client_for: Any) -> None:
    client = client_for(world.users["secretary"])
    client.post(f"/duty/compounds/{world.compound_a.pk}/posts/new/", _post_form(name=SCRIPT))
    post = DutyPost.objects.get()
    html = client.get(f"/duty/posts/{post.pk}/").content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_calendar_range_ending_before_it_starts_is_refused(world: Any, client_for: Any) -> None:
    before = duty_state()
    response = client_for(world.users["community_staff"]).post(
        f"/duty/compounds/{world.compound_a.pk}/calendar/",
        {"kind": "holiday", "name": "国庆", "first_day": "2026-10-07", "last_day": "2026-10-01"},
    )
    assert response.status_code == 400
    assert "The last day must not be before the first." in response.content.decode()
    assert duty_state() == before


def test_a_volunteer_added_by_an_unknown_phone_is_refused(world: Any, client_for: Any) -> None:
    before = duty_state()
    response = client_for(world.users["secretary"]).post(
        f"/duty/compounds/{world.compound_a.pk}/volunteers/",
        {"phone": "13999999999", "skills": "", "availability": "", "name_display": "masked"},
    )
    assert response.status_code == 400
    assert "No user has this mobile number." in response.content.decode()
    assert duty_state() == before


def test_a_resident_applies_and_html_in_the_skills_is_escaped_on_the_register(world: Any, client_for: Any) -> None:
    resident = world.users["resident"]
    response = client_for(resident).post(
        "/duty/volunteers/apply/",
        {"compound": str(world.compound_a.pk), "skills": SCRIPT, "availability": "周末", "name_display": "full"},
    )
    assert response.status_code == 302
    assert Volunteer.objects.get(user=resident).status == VolunteerStatus.APPLIED
    html = client_for(world.users["secretary"]).get(f"/duty/compounds/{world.compound_a.pk}/volunteers/")
    assert SCRIPT not in html.content.decode()
    # and applying twice is refused, changing nothing
    before = duty_state()
    again = client_for(resident).post(
        "/duty/volunteers/apply/",
        {"compound": str(world.compound_a.pk), "skills": "", "availability": "", "name_display": "full"},
    )
    assert again.status_code == 400
    assert "already on this compound" in again.content.decode()
    assert duty_state() == before


def test_oversized_volunteer_details_are_refused(world: Any, client_for: Any) -> None:
    before = duty_state()
    response = client_for(world.users["resident"]).post(
        "/duty/volunteers/apply/",
        {"compound": str(world.compound_a.pk), "skills": "x" * 501, "availability": "", "name_display": "full"},
    )
    assert response.status_code == 400
    assert duty_state() == before


def test_checking_in_twice_on_the_phone_page_says_so_and_changes_nothing(duty: Any, client_for: Any) -> None:
    # given the volunteer on a shift that starts in ten minutes
    duty.shift.starts_at = timezone.now() + datetime.timedelta(minutes=10)
    duty.shift.ends_at = duty.shift.starts_at + datetime.timedelta(minutes=40)
    duty.shift.save()
    row = AssignmentFactory.create(shift=duty.shift, user=duty.volunteer)
    client = client_for(duty.volunteer)
    first = client.post(f"/duty/assignments/{row.pk}/check-in/", follow=True)
    assert "Checked in." in first.content.decode()
    before = duty_state()
    second = client.post(f"/duty/assignments/{row.pk}/check-in/", follow=True)
    assert "You have already checked in." in second.content.decode()
    assert duty_state() == before


def test_someone_else_checking_in_on_my_shift_gets_404(duty: Any, client_for: Any) -> None:
    row = AssignmentFactory.create(shift=duty.shift, user=duty.volunteer)
    before = duty_state()
    response = client_for(duty.officer).post(f"/duty/assignments/{row.pk}/check-in/")
    assert response.status_code == 404
    assert duty_state() == before


def test_a_swap_with_a_made_up_shift_is_refused(duty: Any, client_for: Any) -> None:
    row = AssignmentFactory.create(shift=duty.shift, user=duty.volunteer)
    before = duty_state()
    response = client_for(duty.volunteer).post(f"/duty/assignments/{row.pk}/swap/", {"wanted": "999999"})
    assert response.status_code == 400
    assert duty_state() == before


def test_the_certificate_shows_name_hours_posts_and_the_issuing_community(duty: Any, client_for: Any) -> None:
    # given the volunteer served 40 minutes at the school gate this year
    today = timezone.localdate()
    start = timezone.now() - datetime.timedelta(hours=2)
    if timezone.localdate(start) != today:
        start = timezone.now()
    shift = ShiftFactory.create(post=duty.post, starts_at=start)
    Assignment.objects.create(
        community_id=shift.community_id,
        shift=shift,
        user=duty.volunteer,
        kind="volunteer",
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        checked_in_at=shift.starts_at,
        checked_out_at=shift.ends_at + datetime.timedelta(minutes=10),
    )
    volunteer = Volunteer.objects.get(user=duty.volunteer)
    response = client_for(duty.volunteer).get(f"/duty/volunteers/{volunteer.pk}/certificate.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    # then the PDF (always in Chinese) names the volunteer, their 0.67 hours, the post and the community
    assert "resident" in text
    assert "0.67" in text
    assert "实验小学护学岗" in text
    assert "A社区" in text


def test_the_honour_board_shows_names_as_volunteers_chose(duty: Any, client_for: Any, world: Any) -> None:
    # given two volunteers with hours this year: one shown in full, one masked
    today = timezone.localdate()
    full = resident_volunteer(world.compound_a, name="王大明")
    masked = resident_volunteer(world.compound_a, name="李小红")
    Volunteer.objects.filter(user=full).update(name_display=NameDisplay.FULL)
    start = timezone.now() - datetime.timedelta(hours=3)
    if timezone.localdate(start) != today:
        start = timezone.now()
    for person, minutes in ((full, 40), (masked, 30)):
        shift = ShiftFactory.create(post=duty.post, starts_at=start)
        Assignment.objects.create(
            community_id=shift.community_id,
            shift=shift,
            user=person,
            kind="volunteer",
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            checked_in_at=shift.starts_at,
            checked_out_at=shift.starts_at + datetime.timedelta(minutes=minutes),
        )
        start += datetime.timedelta(hours=1)
    html = client_for(world.users["resident"]).get(f"/duty/compounds/{world.compound_a.pk}/honour/").content.decode()
    # then the full name and the masked one appear, ranked by hours
    assert "王大明" in html
    assert "李**" in html and "李小红" not in html
    assert html.index("王大明") < html.index("李**")


def test_the_register_counts_duty_hours(duty: Any, client_for: Any, world: Any) -> None:
    row = s.place_take(user=duty.volunteer, shift=duty.shift)
    s.check_in(user=duty.volunteer, assignment=row, now=duty.shift.starts_at)
    s.check_out(user=duty.volunteer, assignment=row, now=duty.shift.ends_at)
    year = duty.shift.date.year
    html = (
        client_for(world.users["grid_worker"])
        .get(f"/duty/compounds/{world.compound_a.pk}/volunteers/?year={year}")
        .content.decode()
    )
    assert "0.67" in html


def test_the_coverage_grid_marks_unmet_shifts_red_and_met_ones_green(duty: Any, client_for: Any) -> None:
    met = ShiftFactory.create(post=duty.post, starts_at=duty.shift.starts_at + datetime.timedelta(hours=9))
    for person in (duty.officer, duty.property, duty.volunteer):
        s.assignment_create(actor=duty.secretary, shift=met, user=person)
    month = timezone.localtime(duty.shift.starts_at).strftime("%Y-%m")
    html = client_for(duty.secretary).get(f"/duty/posts/{duty.post.pk}/coverage/?month={month}").content.decode()
    assert f'id="cell-{duty.shift.pk}" data-met="no"' in html
    assert f'id="cell-{met.pk}" data-met="yes"' in html


def test_my_duty_lists_the_officers_shift_with_a_check_in_button(duty: Any, client_for: Any) -> None:
    s.assignment_create(actor=duty.secretary, shift=duty.shift, user=duty.officer)
    html = client_for(duty.officer).get("/duty/mine/").content.decode()
    assert "实验小学护学岗" in html
    assert "check-in" in html


def test_activity_check_ins_count_towards_volunteer_hours(duty: Any, world: Any) -> None:
    # given the volunteer checked in at a two-hour activity of compound A and served 40 minutes on duty
    from decimal import Decimal

    from gongzhi.duty import selectors
    from gongzhi.testing.activities_factories import ActivityFactory, SignupFactory

    activity = ActivityFactory.create(compound=world.compound_a, starts_at=duty.shift.starts_at)
    SignupFactory.create(activity=activity, user=duty.volunteer, checked_in_at=activity.starts_at)
    row = s.place_take(user=duty.volunteer, shift=duty.shift)
    s.check_in(user=duty.volunteer, assignment=row, now=duty.shift.starts_at)
    s.check_out(user=duty.volunteer, assignment=row, now=duty.shift.ends_at)
    # when the register of that year is read
    rows = selectors.volunteer_register(user=duty.secretary, compound=world.compound_a, year=duty.shift.date.year)
    # then both kinds of hours are counted
    (mine,) = [r for r in rows if r.volunteer.user_id == duty.volunteer.pk]
    assert (mine.duty, mine.activities, mine.total) == (Decimal("0.67"), Decimal("2.00"), Decimal("2.67"))


def test_the_secretary_changes_a_posts_rule_and_a_bad_rule_changes_nothing(duty: Any, client_for: Any) -> None:
    client = client_for(duty.secretary)
    form = {"name": "护学岗（南门）", "place": "南门", "min_officers": "2", "min_property": "1", "min_volunteers": "1"}
    before = duty_state()
    bad = client.post(f"/duty/posts/{duty.post.pk}/edit/", {**form, "places": "3", "is_active": "on"})
    assert bad.status_code == 400
    assert "A shift must have room for the people its rule requires." in bad.content.decode()
    assert duty_state() == before
    ok = client.post(f"/duty/posts/{duty.post.pk}/edit/", {**form, "places": "5", "is_active": "on"})
    assert ok.status_code == 302
    duty.post.refresh_from_db()
    assert (duty.post.name, duty.post.min_officers, duty.post.places) == ("护学岗（南门）", 2, 5)


def test_generating_with_dates_the_wrong_way_round_is_refused(duty: Any, client_for: Any) -> None:
    before = duty_state()
    response = client_for(duty.secretary).post(
        f"/duty/posts/{duty.post.pk}/generate/", {"first_day": "2027-01-10", "last_day": "2026-09-01"}
    )
    assert response.status_code == 400
    assert "The last day must not be before the first." in response.content.decode()
    assert duty_state() == before


def test_a_technician_cannot_post_to_the_assign_endpoint(duty: Any, client_for: Any) -> None:
    before = duty_state()
    response = client_for(duty.property).post(
        f"/duty/shifts/{duty.shift.pk}/assign/", {"person": f"{duty.officer.pk}:officer"}
    )
    assert response.status_code == 403
    assert duty_state() == before
