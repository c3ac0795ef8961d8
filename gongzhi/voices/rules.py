"""Who may do what with a voice, as ``rules`` predicates (object = a Voice; for routing, a Compound).

- Property and community staff of the voice's compound triage it (accept, reject, merge, dispatch, joint
  handling); technicians also reply and resolve.
- Staff of any organization the voice is assigned to (a department, the police station, …) see it, reply,
  add internal notes, resolve it and transfer it.
- Sub-district and district supervisors see the voices of the compounds below them (oversight, no actions).
- Residents see their own voices and the public voices of compounds they live in; only the author
  withdraws, rates and reopens; approved residents of the compound say "me too" to public voices.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.accounts.roles import Role
from gongzhi.accounts.selectors import memberships_of
from gongzhi.estates.models import BindingStatus, Compound, HouseBinding
from gongzhi.estates.scope import roles_in_compound

from .models import Voice

# Staff of the compound who triage voices: accept, reject, merge, dispatch, joint handling.
VOICE_TRIAGERS = frozenset(
    {Role.SECRETARY, Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.PROPERTY_MANAGER, Role.CUSTOMER_SERVICE}
)
# Staff of the compound who handle voices: reply, internal notes, resolve.
VOICE_HANDLERS = VOICE_TRIAGERS | {Role.TECHNICIAN}
# Staff who see every voice of the compound, with the author's name.
VOICE_VIEWERS = VOICE_HANDLERS | {Role.SUPERVISOR}
# Community staff edit routing rules and deadline policies of their community.
ROUTING_EDITORS = frozenset({Role.SECRETARY, Role.COMMUNITY_STAFF})
# Who receives escalations: first the property manager, then the community secretary.
ESCALATION_CHAIN = (Role.PROPERTY_MANAGER, Role.SECRETARY)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _compound(obj: Any) -> Compound | None:
    if isinstance(obj, Voice):
        return obj.compound
    if isinstance(obj, Compound):
        return obj
    return None


def _compound_role(roles: frozenset[str]) -> Any:
    @rules.predicate
    def predicate(user: Any, obj: Any) -> bool:
        compound = _compound(obj)
        if compound is None or not _authenticated(user):
            return False
        return bool(roles_in_compound(user, compound) & roles)

    return predicate


def assigned_organization_ids(voice: Voice) -> set[int]:
    cached = getattr(voice, "_gz_assigned_orgs", None)
    if cached is None:
        cached = set(voice.assignments.filter(is_active=True).values_list("organization_id", flat=True))
        voice._gz_assigned_orgs = cached  # type: ignore[attr-defined]
    return cached


@rules.predicate
def is_assigned_staff(user: Any, voice: Any) -> bool:
    """A member of an organization the voice is (actively) assigned to."""
    if not isinstance(voice, Voice) or not _authenticated(user):
        return False
    mine = {m.organization_id for m in memberships_of(user)}
    return bool(mine & assigned_organization_ids(voice))


@rules.predicate
def is_author(user: Any, voice: Any) -> bool:
    return isinstance(voice, Voice) and _authenticated(user) and voice.author_id == user.pk


def is_resident_of(user: Any, compound: Compound) -> bool:
    """The user has an approved binding to a house of the compound."""
    if not _authenticated(user):
        return False
    return HouseBinding.objects.filter(
        community_id=compound.community_id, compound=compound, user=user, status=BindingStatus.APPROVED
    ).exists()


@rules.predicate
def is_compound_resident(user: Any, obj: Any) -> bool:
    compound = _compound(obj)
    return compound is not None and is_resident_of(user, compound)


@rules.predicate
def is_resident(user: Any) -> bool:
    """An approved resident of some compound: who may hold an intake token (the worker checks the compound)."""
    if not _authenticated(user) or not user.is_active:
        return False
    return HouseBinding.objects.filter(user=user, status=BindingStatus.APPROVED).exists()


@rules.predicate
def is_public_voice(user: Any, voice: Any) -> bool:
    return isinstance(voice, Voice) and voice.is_public


is_superuser = rules.is_superuser

is_triager = _compound_role(VOICE_TRIAGERS)
is_handler = _compound_role(VOICE_HANDLERS)

may_view_voice = is_author | is_superuser | _compound_role(VOICE_VIEWERS) | is_assigned_staff
# Neighbours see public voices of their compound on the wall, without the author's name.
may_view_on_wall = may_view_voice | (is_public_voice & is_compound_resident)
may_see_author = is_author | is_superuser | _compound_role(VOICE_VIEWERS) | is_assigned_staff
may_triage_voice = is_superuser | is_triager
may_handle_voice = is_superuser | is_handler | is_assigned_staff
may_transfer_voice = may_triage_voice | is_assigned_staff
may_withdraw_voice = is_author
may_rate_voice = is_author
may_reopen_voice = is_author
may_me_too = is_public_voice & is_compound_resident & ~is_author
may_edit_routing = is_superuser | _compound_role(ROUTING_EDITORS)
may_use_intake = is_resident

rules.add_perm("voices.view_voice", may_view_voice)
rules.add_perm("voices.view_on_wall", may_view_on_wall)
rules.add_perm("voices.see_author", may_see_author)
rules.add_perm("voices.triage_voice", may_triage_voice)
rules.add_perm("voices.handle_voice", may_handle_voice)
rules.add_perm("voices.transfer_voice", may_transfer_voice)
rules.add_perm("voices.withdraw_voice", may_withdraw_voice)
rules.add_perm("voices.rate_voice", may_rate_voice)
rules.add_perm("voices.reopen_voice", may_reopen_voice)
rules.add_perm("voices.me_too", may_me_too)
rules.add_perm("voices.edit_routing", may_edit_routing)
rules.add_perm("voices.use_intake", may_use_intake)
