"""Every role in the world × every duty and volunteer action and read.

Community staff (secretary, community staff) manage posts, the calendar, the roster and the register; every
staff member of the compound (community side, property staff, representatives, supervisors) reads the roster,
the coverage and the honour board; grid workers also read the register; a resident of the compound applies to
volunteer, and as an active volunteer takes open places; whoever is on a shift checks in on it, and the other
side of a swap answers it; residents read their compound's honour board. Police officers, liaisons, lawyers,
applicants, strangers and the anonymous visitor read and change nothing (officers only their own shifts).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.duty import selectors
from gongzhi.duty import services as s
from gongzhi.duty.models import DayKind, Volunteer, VolunteerStatus
from gongzhi.testing.duty_factories import (
    AssignmentFactory,
    DutyPostFactory,
    ShiftFactory,
    VolunteerFactory,
    in_days,
    resident_volunteer,
)
from gongzhi.testing.world import ALL_ROLES

pytestmark = pytest.mark.django_db

MANAGERS = {"secretary", "community_staff", "superuser"}
PROPERTY = {"property_manager", "customer_service", "technician", "finance"}
SUPERVISORS = {"sub_district_supervisor", "district_supervisor"}
VIEWERS = MANAGERS | {"grid_worker", "representative"} | PROPERTY | SUPERVISORS

EXPECTED: dict[str, set[str]] = {
    "post_create": MANAGERS,
    "post_update": MANAGERS,
    "calendar_add": MANAGERS,
    "calendar_remove": MANAGERS,
    "roster_generate": MANAGERS,
    "assign": MANAGERS,
    "unassign": MANAGERS,
    "volunteer_add": MANAGERS,
    "volunteer_set_status": MANAGERS,
    "view_roster": VIEWERS,
    "view_coverage": VIEWERS,
    "view_register": MANAGERS | {"grid_worker"},
    "view_honour": VIEWERS | {"resident"},
    "volunteer_apply": {"resident"},
    "take_place": {"resident"},
    "check_in_on_the_residents_shift": {"resident"},
    "check_out_of_the_residents_shift": {"resident"},
    "leave_the_residents_place": {"resident"},
    "propose_swap_of_the_residents_shift": {"resident"},
    "accept_swap_addressed_to_the_resident": {"resident"},
    "decline_swap_addressed_to_the_resident": {"resident"},
    "withdraw_the_residents_swap": {"resident"},
}


def _actions(world: Any) -> dict[str, Callable[[Any], Any]]:
    compound = world.compound_a
    secretary = world.users["secretary"]
    resident = world.users["resident"]
    post = DutyPostFactory.create(compound=compound, name="护学岗", min_officers=0, min_property=0, min_volunteers=0)
    VolunteerFactory.create(compound=compound, user=resident)
    days = itertools.count(1)

    def shift() -> Any:
        return ShiftFactory.create(post=post, starts_at=in_days(next(days)))

    def residents_shift() -> Any:
        return AssignmentFactory.create(shift=shift(), user=resident)

    def checked_in() -> Any:
        row = residents_shift()
        row.checked_in_at = row.starts_at
        row.save()
        return row

    def swap_to_resident() -> Any:
        neighbour = resident_volunteer(compound)
        theirs = AssignmentFactory.create(shift=shift(), user=neighbour)
        return s.swap_propose(user=neighbour, offered=theirs, wanted=residents_shift())

    def swap_from_resident() -> Any:
        neighbour = resident_volunteer(compound)
        theirs = AssignmentFactory.create(shift=shift(), user=neighbour)
        return s.swap_propose(user=resident, offered=residents_shift(), wanted=theirs)

    def take(a: Any) -> Any:
        if getattr(a, "is_authenticated", False):
            Volunteer.objects.get_or_create(
                community_id=compound.community_id,
                compound=compound,
                user=a,
                defaults={"status": VolunteerStatus.ACTIVE},
            )
        return s.place_take(user=a, shift=shift())

    def calendar_day() -> Any:
        return s.calendar_day_add(
            actor=secretary,
            compound=compound,
            kind=DayKind.HOLIDAY,
            name="元旦",
            first_day=datetime.date(2027, 1, 1),
            last_day=datetime.date(2027, 1, 1),
        )

    def applied() -> Any:
        return VolunteerFactory.create(
            compound=compound, user=resident_volunteer(world.compound_b), status=VolunteerStatus.APPLIED
        )

    today = datetime.date.today()
    return {
        "post_create": lambda a: s.post_create(
            actor=a,
            compound=compound,
            name="巡逻岗",
            weekdays=[0],
            times=[(datetime.time(20, 0), datetime.time(21, 0))],
        ),
        "post_update": lambda a: s.post_update(
            actor=a, post=post, name="护学岗", min_officers=0, min_property=0, min_volunteers=0, places=5
        ),
        "calendar_add": lambda a: s.calendar_day_add(
            actor=a,
            compound=compound,
            kind=DayKind.VACATION,
            name="寒假",
            first_day=datetime.date(2027, 1, 20),
            last_day=datetime.date(2027, 2, 20),
        ),
        "calendar_remove": lambda a: s.calendar_day_remove(actor=a, compound=compound, day=calendar_day()),
        "roster_generate": lambda a: s.rosters_generate(
            actor=a, posts=[post], first_day=today, last_day=today + datetime.timedelta(days=30)
        ),
        "assign": lambda a: s.assignment_create(actor=a, shift=shift(), user=world.users["officer"]),
        "unassign": lambda a: s.assignment_remove(actor=a, assignment=residents_shift()),
        "volunteer_add": lambda a: s.volunteer_add(actor=a, compound=compound, user=_new_resident(compound)),
        "volunteer_set_status": lambda a: s.volunteer_set_status(
            actor=a, volunteer=applied(), to=VolunteerStatus.ACTIVE
        ),
        "view_roster": lambda a: selectors.roster(user=a, post=post, first=today, last=today),
        "view_coverage": lambda a: selectors.coverage(user=a, post=post, first=today, last=today),
        "view_register": lambda a: selectors.volunteer_register(user=a, compound=compound, year=today.year),
        "view_honour": lambda a: selectors.honour_board(user=a, compound=compound, year=today.year),
        "volunteer_apply": lambda a: _apply_fresh(a, compound),
        "take_place": take,
        "check_in_on_the_residents_shift": lambda a: (
            lambda row: s.check_in(user=a, assignment=row, now=row.starts_at)
        )(residents_shift()),
        "check_out_of_the_residents_shift": lambda a: (
            lambda row: s.check_out(user=a, assignment=row, now=row.ends_at)
        )(checked_in()),
        "leave_the_residents_place": lambda a: s.place_leave(user=a, assignment=residents_shift()),
        "propose_swap_of_the_residents_shift": lambda a: s.swap_propose(
            user=a,
            offered=residents_shift(),
            wanted=AssignmentFactory.create(shift=shift(), user=resident_volunteer(compound)),
        ),
        "accept_swap_addressed_to_the_resident": lambda a: s.swap_accept(user=a, swap=swap_to_resident()),
        "decline_swap_addressed_to_the_resident": lambda a: s.swap_decline(user=a, swap=swap_to_resident()),
        "withdraw_the_residents_swap": lambda a: s.swap_withdraw(user=a, swap=swap_from_resident()),
    }


def _new_resident(compound: Any) -> Any:
    """A resident of ``compound`` who is not yet on its register."""
    person = resident_volunteer(compound)
    Volunteer.objects.filter(user=person).delete()
    return person


def _apply_fresh(user: Any, compound: Any) -> Any:
    if getattr(user, "is_authenticated", False):
        Volunteer.objects.filter(user=user, compound=compound).delete()
    return s.volunteer_apply(user=user, compound=compound, skills="急救")


@pytest.mark.parametrize("action", list(EXPECTED))
def test_matrix(world: Any, action: str) -> None:
    run = _actions(world)[action]
    allowed = set()
    for role in ALL_ROLES:
        actor = world.users[role] or AnonymousUser()
        try:
            run(actor)
        except (NotAllowed, NotFound):
            continue
        allowed.add(role)
    assert allowed == EXPECTED[action], f"{action}: allowed {sorted(allowed)}"


def test_every_action_has_an_expectation(world: Any) -> None:
    assert set(_actions(world)) == set(EXPECTED)
    everyone = set().union(*EXPECTED.values())
    assert everyone <= set(ALL_ROLES)
    assert {"applicant", "stranger", "anonymous", "lawyer", "liaison", "officer"}.isdisjoint(everyone)


def test_an_officer_sees_only_their_own_shifts(world: Any) -> None:
    # given the officer on a shift of compound A's post
    post = DutyPostFactory.create(compound=world.compound_a)
    row = AssignmentFactory.create(shift=ShiftFactory.create(post=post), user=world.users["officer"], kind="officer")
    # then the officer sees it among their own shifts, but not the post's roster
    assert selectors.my_assignments(user=world.users["officer"], since=row.starts_at) == [row]
    with pytest.raises(NotAllowed):
        selectors.roster(user=world.users["officer"], post=post, first=row.shift.date, last=row.shift.date)


# --- The pages, through HTTP -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("roster", VIEWERS),
        ("coverage", VIEWERS),
        ("calendar", VIEWERS),
        ("register", MANAGERS | {"grid_worker"}),
        ("honour", VIEWERS | {"resident"}),
        ("post_new", MANAGERS),
        ("certificate", MANAGERS | {"resident"}),
    ],
)
def test_pages_answer_only_those_allowed(world: Any, client_for: Any, page: str, expected: set[str]) -> None:
    post = DutyPostFactory.create(compound=world.compound_a)
    volunteer = VolunteerFactory.create(compound=world.compound_a, user=world.users["resident"])
    compound = world.compound_a.pk
    url = {
        "roster": f"/duty/posts/{post.pk}/",
        "coverage": f"/duty/posts/{post.pk}/coverage/",
        "calendar": f"/duty/compounds/{compound}/calendar/",
        "register": f"/duty/compounds/{compound}/volunteers/",
        "honour": f"/duty/compounds/{compound}/honour/",
        "post_new": f"/duty/compounds/{compound}/posts/new/",
        "certificate": f"/duty/volunteers/{volunteer.pk}/certificate.pdf",
    }[page]
    allowed = set()
    for role in ALL_ROLES:
        response = client_for(world.users[role]).get(url)
        if role == "anonymous":
            assert response.status_code == 302
            continue
        assert response.status_code in (200, 403), (role, response.status_code)
        if response.status_code == 200:
            allowed.add(role)
    assert allowed == expected
