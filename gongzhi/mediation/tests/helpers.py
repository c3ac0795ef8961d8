"""A fingerprint of the mediation tables (and the audit trail of changes), to show a refusal changed nothing."""

from __future__ import annotations

import json
from typing import Any

from gongzhi.core.models import AuditEvent
from gongzhi.mediation import models as m
from gongzhi.voices.models import VoiceEvent

TRACKED = [
    m.Case,
    m.CaseParty,
    m.CaseMediator,
    m.CaseEvidence,
    m.CaseSession,
    m.SessionAttendance,
    m.Agreement,
    m.FollowUp,
    m.CaseEvent,
    m.MediationPolicy,
    m.SecurityIncident,
    m.IncidentEvent,
    VoiceEvent,
]
READ_VERBS = ("access.denied", "mediation.case_view", "mediation.case_refused", "voice.view")


def db_state() -> dict[str, Any]:
    state: dict[str, Any] = {
        model._meta.label: sorted(
            json.dumps({k: v for k, v in row.items() if k != "updated_at"}, sort_keys=True, default=str)
            for row in model._default_manager.values()
        )
        for model in TRACKED
    }
    state["audit"] = list(
        AuditEvent.objects.exclude(verb__in=READ_VERBS).order_by("id").values_list("verb", "object_id")
    )
    return state
