"""What the meeting and action-item services share: permission checks, transitions, text, time, locks,
parties and notifications after the commit."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, Organization, User
from gongzhi.accounts.roles import OrgKind
from gongzhi.accounts.selectors import memberships_of
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.services import now_or as now_or
from gongzhi.core.services import require as require
from gongzhi.core.services import status_move, text_clean
from gongzhi.core.services import user_or_none as user_or_none
from gongzhi.estates.models import Compound
from gongzhi.estates.scope import roles_in_compound
from gongzhi.notifications.services import notify
from gongzhi.voices.models import Voice

from ..models import Meeting, MeetingInvitation, Party, Rsvp
from ..rules import is_resident_of

move = status_move  # the services' name for it

REASON_MAX = 200

# The app's texts: at most REASON_MAX characters unless a caller says otherwise.
clean_text = functools.partial(text_clean, max_length=REASON_MAX)
MAX_VOICES = 200

ORG_PARTY: dict[str, str] = {
    OrgKind.COMMUNITY: Party.COMMUNITY,
    OrgKind.PROPERTY: Party.PROPERTY,
    OrgKind.RESIDENTS: Party.RESIDENTS,
    OrgKind.DEPARTMENT: Party.DEPARTMENT,
    OrgKind.POLICE: Party.DEPARTMENT,
    OrgKind.SUB_DISTRICT: Party.SUPERIOR,
    OrgKind.DISTRICT: Party.SUPERIOR,
    OrgKind.LAW_FIRM: Party.OTHER,
}
# When a person belongs to several organizations, the first of these kinds names their party.
PARTY_ORDER: list[str] = [
    OrgKind.COMMUNITY,
    OrgKind.PROPERTY,
    OrgKind.RESIDENTS,
    OrgKind.DEPARTMENT,
    OrgKind.POLICE,
    OrgKind.SUB_DISTRICT,
    OrgKind.DISTRICT,
    OrgKind.LAW_FIRM,
]


def local_day(at: datetime.datetime) -> datetime.date:
    return timezone.localdate(at)


def meeting_lock(meeting: Meeting | int) -> Meeting:
    """The meeting re-read under a row lock: concurrent changes wait, then see the new state."""
    pk = meeting if isinstance(meeting, int) else meeting.pk
    found = Meeting.objects.select_for_update().select_related("compound", "compound__community").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such meeting."))
    return found


def party_of(user: Any, compound: Compound, organization: Organization | None = None) -> str:
    """The party a person speaks for at a meeting of ``compound``: their (inviting) organization's kind,
    preferring an organization that reaches the compound; a resident of the compound speaks for residents."""
    if organization is not None:
        return ORG_PARTY.get(organization.kind, Party.OTHER)
    memberships = memberships_of(user)
    if memberships:
        reaching = roles_in_compound(user, compound)
        ranked = sorted(
            memberships,
            key=lambda m: (
                m.role not in reaching,
                PARTY_ORDER.index(m.organization.kind) if m.organization.kind in PARTY_ORDER else 99,
            ),
        )
        return ORG_PARTY.get(ranked[0].organization.kind, Party.OTHER)
    if is_resident_of(user, compound):
        return Party.RESIDENTS
    return Party.OTHER


def compound_voices(compound: Compound, voice_ids: Iterable[Any], *, field: str = "voices") -> list[Voice]:
    """The voices of the compound with these ids; any other id (another compound's, none) is a clear error."""
    try:
        ids = sorted({int(v) for v in voice_ids})
    except (TypeError, ValueError):
        raise DomainError(_("Choose voices of this compound."), field=field, code="invalid_voice") from None
    if len(ids) > MAX_VOICES:
        raise DomainError(_("At most %(max)d voices.") % {"max": MAX_VOICES}, field=field, code="too_many")
    found = list(Voice.objects.filter(community_id=compound.community_id, compound=compound, pk__in=ids))
    missing = sorted(set(ids) - {v.pk for v in found})
    if missing:
        raise DomainError(
            _("Voice #%(id)s is not a voice of this compound.") % {"id": missing[0]},
            field=field,
            code="invalid_voice",
        )
    return found


def invitee_users(meeting: Meeting, *, without_declined: bool = False) -> list[User]:
    """Everyone the meeting invites: named people and the active members of invited organizations (less those
    who answered "not attending", when asked)."""
    rows = list(
        MeetingInvitation.objects.filter(community_id=meeting.community_id, meeting=meeting).values_list(
            "user_id", "organization_id", "rsvp"
        )
    )
    declined = {u for u, _o, rsvp in rows if u is not None and rsvp == Rsvp.NO}
    named = {u for u, _o, _r in rows if u is not None}
    org_ids = [o for u, o, _r in rows if u is None and o is not None]
    members = set(Membership.objects.filter(organization_id__in=org_ids).values_list("user_id", flat=True))
    wanted = (named | members) - (declined if without_declined else set())
    return list(User.objects.filter(pk__in=wanted, is_active=True).order_by("pk"))


def organization_members(organization_id: int | None) -> list[User]:
    if organization_id is None:
        return []
    ids = Membership.objects.filter(organization_id=organization_id).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def notify_later(
    *,
    recipients: Iterable[Any],
    verb: str,
    title: str,
    body: str = "",
    link: str,
    key: str,
    community_id: int,
) -> None:
    """Notify after the commit, once per recipient and ``key``."""
    people = [u for u in recipients if u is not None]
    if not people:
        return

    def send() -> None:
        notify(
            recipients=people,
            verb=verb,
            title=title,
            body=body,
            link=link,
            dedup_key=key,
            community_id=community_id,
        )

    transaction.on_commit(send)


def meeting_link(meeting: Meeting) -> str:
    return f"/meetings/{meeting.pk}/"


def action_link(item_id: int) -> str:
    return reverse("meetings:action_detail", args=[item_id])
