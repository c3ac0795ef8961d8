"""Who may do what with duty posts and volunteers, as ``rules`` predicates.

The object is a Compound, or anything of one compound (a post, a shift, an assignment, a volunteer).

- Community staff (secretary, community staff) manage: posts and their rules, the community's duty calendar,
  the roster (putting people on shifts, generating a term's shifts) and the volunteer register.
- Every staff member of the compound (community side, property staff, residents' representatives,
  supervisors) reads the roster, the coverage view and the honour board.
- Grid workers also read the volunteer register.
- Whoever is on a shift checks in and out of it and proposes swaps; the other side of a swap accepts it.
- A resident of the compound applies to volunteer; an active volunteer who lives in the compound takes open
  places. Residents read their compound's honour board.
- Police officers reach no estate data: they see their own shifts (``mine``), nothing else.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.accounts.roles import ESTATE_VIEWERS, Role
from gongzhi.estates.models import BindingStatus, Compound, HouseBinding
from gongzhi.estates.scope import roles_in_compound

from .models import Assignment, DutyPost, Shift, SwapRequest, Volunteer, VolunteerStatus

MANAGERS = frozenset({Role.SECRETARY, Role.COMMUNITY_STAFF})
REGISTER_READERS = MANAGERS | {Role.GRID_WORKER}
VIEWERS = ESTATE_VIEWERS


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def compound_of(obj: Any) -> Compound | None:
    if isinstance(obj, Compound):
        return obj
    if isinstance(obj, DutyPost | Volunteer):
        return obj.compound
    if isinstance(obj, Shift):
        return obj.post.compound
    if isinstance(obj, Assignment):
        return obj.shift.post.compound
    return None


def _compound_role(roles: frozenset[str]) -> Any:
    @rules.predicate
    def predicate(user: Any, obj: Any) -> bool:
        compound = compound_of(obj)
        if compound is None or not _authenticated(user):
            return False
        return bool(roles_in_compound(user, compound) & roles)

    return predicate


def is_resident_of(user: Any, compound: Compound) -> bool:
    if not _authenticated(user):
        return False
    return HouseBinding.objects.filter(
        community_id=compound.community_id, compound=compound, user=user, status=BindingStatus.APPROVED
    ).exists()


def is_active_volunteer_of(user: Any, compound: Compound) -> bool:
    if not _authenticated(user):
        return False
    return Volunteer.objects.filter(
        community_id=compound.community_id, compound=compound, user=user, status=VolunteerStatus.ACTIVE
    ).exists()


@rules.predicate
def is_compound_resident(user: Any, obj: Any) -> bool:
    compound = compound_of(obj)
    return compound is not None and is_resident_of(user, compound)


@rules.predicate
def is_serving_volunteer(user: Any, obj: Any) -> bool:
    """An active volunteer of the compound who lives there."""
    compound = compound_of(obj)
    return compound is not None and is_active_volunteer_of(user, compound) and is_resident_of(user, compound)


@rules.predicate
def is_assignee(user: Any, obj: Any) -> bool:
    return isinstance(obj, Assignment) and _authenticated(user) and obj.user_id == user.pk


@rules.predicate
def is_counterpart(user: Any, obj: Any) -> bool:
    return isinstance(obj, SwapRequest) and _authenticated(user) and obj.counterpart_id == user.pk


@rules.predicate
def is_proposer(user: Any, obj: Any) -> bool:
    return isinstance(obj, SwapRequest) and _authenticated(user) and obj.proposer_id == user.pk


@rules.predicate
def is_the_volunteer(user: Any, obj: Any) -> bool:
    return isinstance(obj, Volunteer) and _authenticated(user) and obj.user_id == user.pk


is_superuser = rules.is_superuser
is_manager = _compound_role(MANAGERS)
is_register_reader = _compound_role(REGISTER_READERS)
is_viewer = _compound_role(VIEWERS)

may_manage = is_superuser | is_manager
may_view_roster = is_superuser | is_viewer
may_take_place = is_serving_volunteer
may_check_in = is_assignee
may_propose_swap = is_assignee
may_answer_swap = is_counterpart
may_withdraw_swap = is_proposer
may_apply = is_compound_resident
may_view_register = is_superuser | is_register_reader
may_view_certificate = is_superuser | is_manager | is_the_volunteer
may_view_honour = is_superuser | is_viewer | is_compound_resident

rules.add_perm("duty.manage", may_manage)
rules.add_perm("duty.view_roster", may_view_roster)
rules.add_perm("duty.take_place", may_take_place)
rules.add_perm("duty.check_in", may_check_in)
rules.add_perm("duty.propose_swap", may_propose_swap)
rules.add_perm("duty.answer_swap", may_answer_swap)
rules.add_perm("duty.apply", may_apply)
rules.add_perm("duty.view_register", may_view_register)
rules.add_perm("duty.view_certificate", may_view_certificate)
rules.add_perm("duty.view_honour", may_view_honour)
