"""Who may do what with meetings and action items, as ``rules`` predicates.

The object is a Compound, a Meeting, or an ActionItem (or anything of one meeting: an agenda item, a minutes
version, an attendance, an invitation).

- Community staff (secretary, community staff) convene: create, edit, invite, publish, hold, cancel, mark
  attendance, record minutes and decisions, close, publish minutes, create and cancel action items. Grid
  workers see every meeting of their community's compounds, drafts and private ones included, but do not
  convene.
- Invitees (named people, and every member of an invited organization) see the meeting once it is published,
  answer the invitation and sign in. A public meeting is also seen by every staff member of the compound
  (property staff, residents' representatives); a private one is not — a technician who was not invited does
  not see it, nor learn that it exists.
- Sub-district and district supervisors read every published meeting and action item below them.
- Property company staff (and any organization) update the action items their organization is responsible
  for; the responsible person too.
- Residents read the public summary of published minutes of public meetings, and the public 整改清单 of the
  compounds they live in; they rate done action items that answer their own voices. They change nothing else.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from gongzhi.accounts.roles import ESTATE_VIEWERS, Role
from gongzhi.accounts.selectors import memberships_of
from gongzhi.estates.models import BindingStatus, Compound, HouseBinding
from gongzhi.estates.scope import roles_in_compound

from .models import (
    ActionItem,
    ActionItemVoice,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingAttachment,
    MeetingInvitation,
    MeetingStatus,
    Minutes,
    MinutesEntry,
)

# Convene meetings of the compounds of their community, and manage their action items.
CONVENERS = frozenset({Role.SECRETARY, Role.COMMUNITY_STAFF})
# See every meeting (drafts and private ones too) of the compounds of their community.
COMMUNITY_SIDE = CONVENERS | {Role.GRID_WORKER}
# Read every published meeting and every action item of the compounds below them.
SUPERVISORS = frozenset({Role.SUPERVISOR})
# See the public meetings and public action items of the compounds in their scope.
COMPOUND_STAFF = ESTATE_VIEWERS


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def meeting_of(obj: Any) -> Meeting | None:
    if isinstance(obj, Meeting):
        return obj
    if isinstance(obj, AgendaItem | Attendance | Minutes | Decision | MeetingAttachment | MeetingInvitation):
        return obj.meeting
    if isinstance(obj, MinutesEntry):
        return obj.minutes.meeting
    return None


def compound_of(obj: Any) -> Compound | None:
    if isinstance(obj, Compound):
        return obj
    if isinstance(obj, ActionItem):
        return obj.compound
    meeting = meeting_of(obj)
    return meeting.compound if meeting is not None else None


def _roles(user: Any, obj: Any) -> set[str]:
    compound = compound_of(obj)
    if compound is None or not _authenticated(user):
        return set()
    return roles_in_compound(user, compound)


def _compound_role(roles: frozenset[str]) -> Any:
    @rules.predicate
    def predicate(user: Any, obj: Any) -> bool:
        return bool(_roles(user, obj) & roles)

    return predicate


def organization_ids(user: Any) -> set[int]:
    return {m.organization_id for m in memberships_of(user)}


def invitee_q(user: Any) -> Q:
    """Invitations that invite ``user``: named ones, and those of the organizations they belong to."""
    return Q(user=user) | Q(organization_id__in=organization_ids(user), user__isnull=True)


def is_invited(user: Any, meeting: Meeting) -> bool:
    if not _authenticated(user):
        return False
    return (
        MeetingInvitation.objects.filter(community_id=meeting.community_id, meeting=meeting)
        .filter(invitee_q(user))
        .exists()
    )


@rules.predicate
def is_invitee(user: Any, obj: Any) -> bool:
    meeting = meeting_of(obj)
    return meeting is not None and is_invited(user, meeting)


@rules.predicate
def is_announced(user: Any, obj: Any) -> bool:
    """Published once: no longer a draft (invitees and the compound's staff may see it)."""
    meeting = meeting_of(obj)
    return meeting is not None and meeting.status != MeetingStatus.DRAFT


@rules.predicate
def is_public_meeting(user: Any, obj: Any) -> bool:
    meeting = meeting_of(obj)
    return meeting is not None and not meeting.is_private


def is_resident_of(user: Any, compound: Compound) -> bool:
    if not _authenticated(user):
        return False
    return HouseBinding.objects.filter(
        community_id=compound.community_id, compound=compound, user=user, status=BindingStatus.APPROVED
    ).exists()


@rules.predicate
def is_compound_resident(user: Any, obj: Any) -> bool:
    compound = compound_of(obj)
    return compound is not None and is_resident_of(user, compound)


@rules.predicate
def is_responsible(user: Any, item: Any) -> bool:
    """A member of the organization responsible for the action item, or its responsible person."""
    if not isinstance(item, ActionItem) or not _authenticated(user):
        return False
    if item.responsible_user_id == user.pk:
        return True
    return item.responsible_organization_id is not None and item.responsible_organization_id in organization_ids(user)


@rules.predicate
def is_public_item(user: Any, item: Any) -> bool:
    return isinstance(item, ActionItem) and item.is_public


@rules.predicate
def is_voice_author(user: Any, item: Any) -> bool:
    """The author of a voice the action item answers."""
    if not isinstance(item, ActionItem) or not _authenticated(user):
        return False
    return ActionItemVoice.objects.filter(community_id=item.community_id, action_item=item, voice__author=user).exists()


is_superuser = rules.is_superuser
is_convener = _compound_role(CONVENERS)
is_community_side = _compound_role(COMMUNITY_SIDE)
is_supervisor = _compound_role(SUPERVISORS)
is_compound_staff = _compound_role(COMPOUND_STAFF)

may_convene = is_superuser | is_convener
may_view_meeting = (
    is_superuser
    | is_community_side
    | (is_announced & (is_invitee | is_supervisor | (is_public_meeting & is_compound_staff)))
)
may_respond = is_announced & is_invitee
may_sign_in = is_announced & (
    is_superuser | is_invitee | is_community_side | (is_public_meeting & (is_compound_staff | is_compound_resident))
)
# The residents' summary of published minutes: public meetings, read by the compound's staff and residents.
may_view_public_minutes = is_public_meeting & (is_superuser | is_compound_staff | is_compound_resident)

may_create_action = is_superuser | is_convener
may_update_action = is_superuser | is_convener | is_responsible
may_cancel_action = is_superuser | is_convener
may_view_action = (
    is_superuser
    | is_community_side
    | is_supervisor
    | is_responsible
    | (is_public_item & (is_compound_staff | is_compound_resident))
)
may_rate_action = is_voice_author
# The compound's public 整改清单.
may_view_public_list = is_superuser | is_compound_staff | is_compound_resident

rules.add_perm("meetings.convene", may_convene)
rules.add_perm("meetings.view_meeting", may_view_meeting)
rules.add_perm("meetings.respond", may_respond)
rules.add_perm("meetings.sign_in", may_sign_in)
rules.add_perm("meetings.view_public_minutes", may_view_public_minutes)
rules.add_perm("meetings.create_action", may_create_action)
rules.add_perm("meetings.update_action", may_update_action)
rules.add_perm("meetings.cancel_action", may_cancel_action)
rules.add_perm("meetings.view_action", may_view_action)
rules.add_perm("meetings.rate_action", may_rate_action)
rules.add_perm("meetings.view_public_list", may_view_public_list)
