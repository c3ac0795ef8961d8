"""Who may do what with notices and lobby screens, as ``rules`` predicates (object: a Compound or a Notice).

- Authors — the community's secretary and staff, the property company's manager and customer service — write
  notices of the compounds in their scope, in the name of their organization; they edit, publish and withdraw
  the notices of their own organization. The community's secretary and staff may also withdraw the property
  company's notices (oversight). Authors see drafts of their compounds and manage the lobby screens.
- The compound's staff (every role that views the estate, residents' representatives and supervisors included)
  see its published and withdrawn notices with their read counts; staff-only notices are not shown to the
  residents' representatives.
- Residents (an approved binding in the compound) read its current notices addressed to them (the compound, or
  a building they live in), never staff-only ones; they change nothing.
- Departments, police, law firms, applicants and strangers see nothing.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.accounts.roles import ESTATE_VIEWERS, HOUSEHOLD_VIEWERS, Role
from gongzhi.accounts.selectors import memberships_of
from gongzhi.estates.models import BindingStatus, Compound, HouseBinding
from gongzhi.estates.scope import roles_in_compound

from .models import Notice, NoticeStatus

# Write notices and manage lobby screens of the compounds in their scope.
COMMUNITY_AUTHORS = frozenset({Role.SECRETARY, Role.COMMUNITY_STAFF})
AUTHORS = COMMUNITY_AUTHORS | {Role.PROPERTY_MANAGER, Role.CUSTOMER_SERVICE}
# See the compound's published and withdrawn notices, with read counts.
VIEWERS = ESTATE_VIEWERS
# See staff-only notices too (not the residents' representatives).
STAFF_ONLY_READERS = HOUSEHOLD_VIEWERS | {Role.SUPERVISOR}


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def compound_of(obj: Any) -> Compound | None:
    if isinstance(obj, Compound):
        return obj
    if isinstance(obj, Notice):
        return obj.compound
    return None


def _compound_role(roles: frozenset[str]) -> Any:
    @rules.predicate
    def predicate(user: Any, obj: Any) -> bool:
        compound = compound_of(obj)
        if compound is None or not _authenticated(user):
            return False
        return bool(roles_in_compound(user, compound) & roles)

    return predicate


def organization_ids(user: Any) -> set[int]:
    return {m.organization_id for m in memberships_of(user)} if _authenticated(user) else set()


@rules.predicate
def is_own_organization(user: Any, notice: Any) -> bool:
    """The notice is published in the name of an organization the user belongs to."""
    return isinstance(notice, Notice) and notice.organization_id in organization_ids(user)


@rules.predicate
def is_draft(user: Any, notice: Any) -> bool:
    return isinstance(notice, Notice) and notice.status == NoticeStatus.DRAFT


@rules.predicate
def is_staff_only(user: Any, notice: Any) -> bool:
    return isinstance(notice, Notice) and notice.staff_only


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


is_superuser = rules.is_superuser
is_author = _compound_role(AUTHORS)
is_community_author = _compound_role(COMMUNITY_AUTHORS)
is_viewer = _compound_role(VIEWERS)
is_staff_only_reader = _compound_role(STAFF_ONLY_READERS)

may_write_notice = is_superuser | is_author
may_edit_notice = is_superuser | (is_author & is_own_organization)
may_publish_notice = may_edit_notice
may_withdraw_notice = may_edit_notice | is_community_author
may_view_notice_staff = (
    is_superuser
    | is_author
    | (~is_draft & is_viewer & ~is_staff_only)
    | (~is_draft & is_staff_only_reader & is_staff_only)
)
may_view_staff_list = is_superuser | is_viewer
may_manage_screens = is_superuser | is_author

rules.add_perm("notices.write_notice", may_write_notice)
rules.add_perm("notices.edit_notice", may_edit_notice)
rules.add_perm("notices.publish_notice", may_publish_notice)
rules.add_perm("notices.withdraw_notice", may_withdraw_notice)
rules.add_perm("notices.view_notice_staff", may_view_notice_staff)
rules.add_perm("notices.view_staff_list", may_view_staff_list)
rules.add_perm("notices.manage_screens", may_manage_screens)
