"""Security linkage (治安联动): the property company's staff report an incident to a police station serving the
compound; the station acknowledges it and records the outcome; both see the timeline."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, User
from gongzhi.accounts.roles import Role
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.estates.models import Compound

from ..models import PLACE_MAX, IncidentEvent, IncidentKind, IncidentStatus, SecurityIncident
from ..rules import INCIDENT_REPORTERS, may_handle_incident, may_report_incident, may_view_incident
from ..selectors import serving_stations
from ._common import TEXT_MAX, choice, clean_text, move, notify_later, now_or, user_or_none


def incident_link(incident: SecurityIncident) -> str:
    return f"/mediation/incidents/{incident.pk}/"


def _event(incident: SecurityIncident, *, actor: Any, verb: str, at: datetime.datetime, note: str = "") -> None:
    IncidentEvent.objects.create(
        community_id=incident.community_id, incident=incident, actor=user_or_none(actor), verb=verb, note=note, at=at
    )


def _members(organization_id: int, roles: frozenset[str] | set[str]) -> list[User]:
    ids = Membership.objects.filter(organization_id=organization_id, role__in=roles).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


@transaction.atomic
def incident_report(
    *,
    actor: Any,
    compound: Compound,
    station_id: Any,
    kind: str,
    description: str,
    place: str,
    occurred_at: datetime.datetime | None,
    now: datetime.datetime | None = None,
) -> SecurityIncident:
    if not may_report_incident(actor, compound):
        raise NotAllowed(_("You may not report incidents for this compound."))
    at = now_or(now)
    kind = choice(kind, IncidentKind, field="kind")
    description = clean_text(description, field="description", max_length=TEXT_MAX)
    place = clean_text(place, field="place", max_length=PLACE_MAX)
    if occurred_at is None:
        raise DomainError(_("This field is required."), field="occurred_at", code="required")
    if occurred_at > at + datetime.timedelta(minutes=5):
        raise DomainError(_("The time cannot be in the future."), field="occurred_at", code="in_future")
    try:
        station_pk = int(station_id)
    except (TypeError, ValueError):
        station_pk = 0
    station = serving_stations(compound).filter(pk=station_pk).first()
    if station is None:
        raise DomainError(_("Choose a police station serving this compound."), field="station", code="invalid_station")
    if compound.property_company_id is None:
        raise NotAllowed(_("You may not report incidents for this compound."))
    incident = SecurityIncident.objects.create(
        community_id=compound.community_id,
        compound=compound,
        station=station,
        company_id=compound.property_company_id,
        kind=kind,
        description=description,
        place=place,
        occurred_at=occurred_at,
        reported_by=user_or_none(actor),
        reported_at=at,
    )
    _event(incident, actor=actor, verb="report", at=at)
    audit_record(
        actor=actor,
        verb="mediation.incident_report",
        obj=incident,
        community_id=incident.community_id,
        after={"kind": kind, "station": station.pk},
    )
    notify_later(
        recipients=_members(station.pk, {Role.OFFICER}),
        verb="mediation.incident",
        title=_("Security incident reported at %(compound)s") % {"compound": compound.name},
        body=str(IncidentKind(kind).label),
        link=incident_link(incident),
        key=f"incident:{incident.pk}:reported",
        community_id=incident.community_id,
    )
    return incident


def _handled(actor: Any, incident: SecurityIncident) -> SecurityIncident:
    locked = SecurityIncident.objects.select_for_update().select_related("compound").filter(pk=incident.pk).first()
    if locked is None or not may_view_incident(actor, locked):
        raise NotFound(_("No such incident."))
    if not may_handle_incident(actor, locked):
        raise NotAllowed(_("Only the police station handles this incident."))
    return locked


@transaction.atomic
def incident_acknowledge(
    *, actor: Any, incident: SecurityIncident, note: str = "", now: datetime.datetime | None = None
) -> SecurityIncident:
    incident = _handled(actor, incident)
    note = clean_text(note, field="note", max_length=TEXT_MAX, required=False)
    at = now_or(now)
    move(incident, IncidentStatus.ACKNOWLEDGED, transitions=SecurityIncident.TRANSITIONS, labels=IncidentStatus)
    incident.acknowledged_at = at
    incident.save(update_fields=["status", "acknowledged_at"])
    _event(incident, actor=actor, verb="acknowledge", at=at, note=note)
    audit_record(actor=actor, verb="mediation.incident_acknowledge", obj=incident, community_id=incident.community_id)
    notify_later(
        recipients=_members(incident.company_id, INCIDENT_REPORTERS),
        verb="mediation.incident_acknowledged",
        title=_("The police station acknowledged incident #%(id)s") % {"id": incident.pk},
        link=incident_link(incident),
        key=f"incident:{incident.pk}:acknowledged",
        community_id=incident.community_id,
    )
    return incident


@transaction.atomic
def incident_close(
    *, actor: Any, incident: SecurityIncident, outcome: str, now: datetime.datetime | None = None
) -> SecurityIncident:
    incident = _handled(actor, incident)
    outcome = clean_text(outcome, field="outcome", max_length=TEXT_MAX)
    at = now_or(now)
    move(incident, IncidentStatus.CLOSED, transitions=SecurityIncident.TRANSITIONS, labels=IncidentStatus)
    incident.outcome, incident.closed_at = outcome, at
    incident.save(update_fields=["status", "outcome", "closed_at"])
    _event(incident, actor=actor, verb="close", at=at, note=outcome)
    audit_record(
        actor=actor,
        verb="mediation.incident_close",
        obj=incident,
        community_id=incident.community_id,
        after={"outcome": outcome},
    )
    notify_later(
        recipients=_members(incident.company_id, INCIDENT_REPORTERS),
        verb="mediation.incident_closed",
        title=_("The police station recorded the outcome of incident #%(id)s") % {"id": incident.pk},
        link=incident_link(incident),
        key=f"incident:{incident.pk}:closed",
        community_id=incident.community_id,
    )
    return incident


def local_now() -> datetime.datetime:
    return timezone.localtime()
