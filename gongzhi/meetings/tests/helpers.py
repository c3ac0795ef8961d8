"""A fingerprint of the database for "refused means nothing changed" (the estate and accounts tables, the audit
trail of changes, every meetings table, the voices and notifications)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from gongzhi.api.tests.helpers import db_state
from gongzhi.meetings import models as mm
from gongzhi.notifications.models import Notification
from gongzhi.voices.models import Voice

MEETING_TABLES: list[type[models.Model]] = [
    mm.Meeting,
    mm.MeetingInvitation,
    mm.MeetingAttachment,
    mm.AgendaItem,
    mm.AgendaItemVoice,
    mm.Attendance,
    mm.Minutes,
    mm.MinutesEntry,
    mm.Decision,
    mm.ActionItem,
    mm.ActionItemVoice,
    mm.ActionUpdate,
    mm.ActionPhoto,
    mm.ActionRating,
    Voice,
    Notification,
]


def meetings_state() -> dict[str, Any]:
    state = db_state()
    for model in MEETING_TABLES:
        state[model._meta.label] = sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model._default_manager.values()
        )
    return state
