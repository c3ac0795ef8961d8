"""The volunteer register: residents apply (or staff add them), staff decide, volunteers keep their details."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.estates.models import Compound

from ..models import NameDisplay, Volunteer, VolunteerStatus
from ..rules import is_resident_of, may_apply, may_manage
from ._common import clean_text, move, notify_later, require

FIELDS = ("status", "skills", "availability", "name_display")


def _details(skills: str, availability: str, name_display: str) -> dict[str, str]:
    if name_display not in NameDisplay.values:
        raise DomainError(_("Choose how your name is shown."), field="name_display", code="invalid")
    return {
        "skills": clean_text(skills, field="skills", required=False),
        "availability": clean_text(availability, field="availability", required=False),
        "name_display": name_display,
    }


def _existing(compound: Compound, user: Any) -> Volunteer | None:
    return Volunteer.objects.filter(community_id=compound.community_id, compound=compound, user_id=user.pk).first()


@transaction.atomic
def volunteer_apply(
    *,
    user: Any,
    compound: Compound,
    skills: str = "",
    availability: str = "",
    name_display: str = NameDisplay.MASKED,
) -> Volunteer:
    """A resident of the compound applies to volunteer; staff decide."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Log in to apply."))
    require(may_apply(user, compound), _("Only residents of this compound may volunteer here."))
    details = _details(skills, availability, name_display)
    if _existing(compound, user) is not None:
        raise Conflict(_("You are already on this compound's volunteer register."), code="twice")
    row = Volunteer.objects.create(
        community_id=compound.community_id, compound=compound, user=user, created_by=user, **details
    )
    audit_record(actor=user, verb="duty.volunteer_apply", obj=row, community_id=row.community_id, after=details)
    return row


@transaction.atomic
def volunteer_add(
    *,
    actor: Any,
    compound: Compound,
    user: Any,
    skills: str = "",
    availability: str = "",
    name_display: str = NameDisplay.MASKED,
) -> Volunteer:
    """Staff put a resident of the compound on the register, active at once."""
    require(may_manage(actor, compound), _("You may not manage this compound's volunteers."))
    details = _details(skills, availability, name_display)
    if not is_resident_of(user, compound):
        raise DomainError(_("%(name)s is not a resident of this compound.") % {"name": user.name}, field="phone")
    if _existing(compound, user) is not None:
        raise Conflict(_("%(name)s is already on the register.") % {"name": user.name}, field="phone", code="twice")
    row = Volunteer.objects.create(
        community_id=compound.community_id,
        compound=compound,
        user=user,
        status=VolunteerStatus.ACTIVE,
        created_by=actor,
        **details,
    )
    audit_record(
        actor=actor,
        verb="duty.volunteer_add",
        obj=row,
        community_id=row.community_id,
        after={"user": user.pk, **details, "status": row.status},
    )
    return row


@transaction.atomic
def volunteer_set_status(*, actor: Any, volunteer: Volunteer | int, to: str) -> Volunteer:
    """Approve, refuse, suspend, retire or reinstate a volunteer (along ``Volunteer.TRANSITIONS``)."""
    pk = volunteer if isinstance(volunteer, int) else volunteer.pk
    row = Volunteer.objects.select_for_update().select_related("compound", "user").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such volunteer."))
    require(may_manage(actor, row.compound), _("You may not manage this compound's volunteers."))
    if to not in VolunteerStatus.values:
        raise DomainError(_("Choose a status."), field="status", code="invalid")
    before = move(row, to, transitions=Volunteer.TRANSITIONS, labels=VolunteerStatus)
    row.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        verb="duty.volunteer_status",
        obj=row,
        community_id=row.community_id,
        before={"status": before},
        after={"status": to},
    )
    notify_later(
        recipients=[row.user],
        verb="duty.volunteer_status",
        title=_("Your volunteer registration: %(status)s") % {"status": VolunteerStatus(to).label},
        body=row.compound.name,
        link="/duty/mine/",
        key=f"duty:volunteer:{row.pk}:{to}:{row.updated_at.isoformat()}",
        community_id=row.community_id,
    )
    return row


@transaction.atomic
def volunteer_update(
    *, user: Any, volunteer: Volunteer | int, skills: str, availability: str, name_display: str
) -> Volunteer:
    """A volunteer changes their own skills, availability and how their name is shown."""
    pk = volunteer if isinstance(volunteer, int) else volunteer.pk
    row = Volunteer.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such volunteer."))
    require(getattr(user, "pk", None) == row.user_id, _("These are not your details."))
    details = _details(skills, availability, name_display)
    before = {k: getattr(row, k) for k in details}
    for k, v in details.items():
        setattr(row, k, v)
    row.save(update_fields=[*details, "updated_at"])
    audit_record(
        actor=user, verb="duty.volunteer_update", obj=row, community_id=row.community_id, before=before, after=details
    )
    return row
