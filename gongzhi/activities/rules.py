"""Who may do what with activities and the care of vacant homes, as ``rules`` predicates.

The object is a Compound, an Activity (or a sign-up, feedback or photo of one), or a CarePlan (or a visit).

- Community staff (secretary, grid worker, community staff) and property company staff (manager, customer
  service) of the compound create, edit, publish, cancel and run activities: QR screen, marking attendance,
  photos. Technicians, finance, residents' representatives and supervisors see every activity that is no
  longer a draft, and the figures.
- Residents (an approved house binding) see the compound's published activities meant for them (whole
  compound, the elderly, or their building), sign up, cancel, check in by QR, and leave feedback once after
  attending. They never edit an activity (403).
- Care of vacant homes: the owner (approved binding as owner) of a vacant house requests care and pauses, resumes
  or ends it, and reads the visit log. Property staff (manager, customer service, technician) of the compound
  see the plans and record visits; the manager and customer service edit the compound's task list.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.estates.models import BindingStatus, Compound, HouseBinding, Relation
from gongzhi.estates.scope import roles_in_compound

from .models import Activity, ActivityPhoto, ActivityStatus, Audience, CarePlan, CareVisit, Feedback, Signup
from .roles import ACTIVITY_MANAGERS, ACTIVITY_VIEWERS, CARE_EDITORS, CARE_STAFF


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def activity_of(obj: Any) -> Activity | None:
    if isinstance(obj, Activity):
        return obj
    if isinstance(obj, Signup | Feedback | ActivityPhoto):
        return obj.activity
    return None


def plan_of(obj: Any) -> CarePlan | None:
    if isinstance(obj, CarePlan):
        return obj
    if isinstance(obj, CareVisit):
        return obj.plan
    return None


def compound_of(obj: Any) -> Compound | None:
    if isinstance(obj, Compound):
        return obj
    activity = activity_of(obj)
    if activity is not None:
        return activity.compound
    plan = plan_of(obj)
    return plan.compound if plan is not None else None


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


@rules.predicate
def is_announced(user: Any, obj: Any) -> bool:
    activity = activity_of(obj)
    return activity is not None and activity.published_at is not None


@rules.predicate
def is_open_for_signup(user: Any, obj: Any) -> bool:
    activity = activity_of(obj)
    return activity is not None and activity.status == ActivityStatus.PUBLISHED


@rules.predicate
def is_audience(user: Any, obj: Any) -> bool:
    """A resident of the activity's compound it is meant for (their building, when limited to buildings)."""
    activity = activity_of(obj)
    if activity is None or not _authenticated(user):
        return False
    bindings = HouseBinding.objects.filter(
        community_id=activity.community_id,
        compound_id=activity.compound_id,
        user=user,
        status=BindingStatus.APPROVED,
    )
    if activity.audience == Audience.BUILDINGS:
        bindings = bindings.filter(house__building__in=activity.buildings.all())
    return bindings.exists()


@rules.predicate
def is_compound_resident(user: Any, obj: Any) -> bool:
    compound = compound_of(obj)
    if compound is None or not _authenticated(user):
        return False
    return HouseBinding.objects.filter(
        community_id=compound.community_id, compound=compound, user=user, status=BindingStatus.APPROVED
    ).exists()


@rules.predicate
def is_plan_owner(user: Any, obj: Any) -> bool:
    plan = plan_of(obj)
    return plan is not None and _authenticated(user) and plan.owner_id == user.pk


@rules.predicate
def is_bound_owner(user: Any, obj: Any) -> bool:
    """Still the house's owner by an approved binding."""
    plan = plan_of(obj)
    if plan is None or not _authenticated(user):
        return False
    return HouseBinding.objects.filter(
        community_id=plan.community_id,
        house_id=plan.house_id,
        user=user,
        relation=Relation.OWNER,
        status=BindingStatus.APPROVED,
    ).exists()


is_superuser = rules.is_superuser
is_manager = _compound_role(ACTIVITY_MANAGERS)
is_viewer = _compound_role(ACTIVITY_VIEWERS)
is_care_staff = _compound_role(CARE_STAFF)
is_care_editor = _compound_role(CARE_EDITORS)

may_manage = is_superuser | is_manager
may_view = is_superuser | is_manager | (is_announced & (is_viewer | is_audience))
may_sign_up = is_open_for_signup & is_audience
may_view_figures = is_superuser | is_manager | is_viewer

may_view_care = is_superuser | is_care_staff | is_plan_owner
may_record_visit = is_superuser | is_care_staff
may_edit_care_tasks = is_superuser | is_care_editor
may_change_care = is_plan_owner & is_bound_owner

rules.add_perm("activities.manage", may_manage)
rules.add_perm("activities.view", may_view)
rules.add_perm("activities.sign_up", may_sign_up)
rules.add_perm("activities.view_figures", may_view_figures)
rules.add_perm("activities.view_care", may_view_care)
rules.add_perm("activities.record_visit", may_record_visit)
rules.add_perm("activities.edit_care_tasks", may_edit_care_tasks)
rules.add_perm("activities.change_care", may_change_care)
